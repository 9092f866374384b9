/**
 * `deno task tables [DIR] --out OUT [--levels L]`: every table of a dataset as CSV under
 * OUT/tables/ (default dataset data/thesis). Numbers at full precision. `--levels` (`N`, `A-B`
 * or a list like `1,3,5-7`, read by the pipeline's one parser) restricts every per-level table
 * and the levels the comparisons pool.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { EMBEDDED_DATASET, readDatasetRest, readTable, tableRows } from "../dataset/mod.ts";
import { readActivationPieces, SPILL_ROWS } from "../dataset/activation_pieces.ts";
import { releaseNativeMemory, returnFreedMemory } from "../dataset/native_memory.ts";
import {
  cellGroup,
  cellOf,
  type ComputedTables,
  computeTables,
  type GroupTables,
  groupTables,
  mergeTables,
  type NamedTable,
  namedTables,
  OTHERS_CELL,
  parseLevels,
  PIPELINE_COLUMNS,
  shownLevels,
} from "../pipeline/mod.ts";
import { checkOutput, exitWithParent, replaceFolder, userPath } from "../dataset/folder.ts";
import { csvSafe } from "../pipeline/csv_safe.ts";
import { dataFile } from "../render/out_path.ts";
import { parse, run } from "./_args.ts";

/** The embedded default dataset, in the project root. */
export const DEFAULT_DATA = EMBEDDED_DATASET;

/**
 * Writes each table as `<dir>/<name>.csv` (name reduced to a safe file name, text cells that a
 * spreadsheet would run as formulas defused) and returns the paths.
 */
export async function writeCsvs(tables: NamedTable[], dir: string): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  return tables.map(({ name, frame }) => {
    const path = dataFile(dir, name, ".csv");
    csvSafe(frame).writeCSV(path);
    return path;
  });
}

/** Options of {@linkcode datasetTables}. */
export interface DatasetTablesOptions {
  /** The levels every table covers (see `TablesOptions`). */
  levels?: number[];
  /** Activation rows a group of cells is meant to have (whole cells, so about). Default 1 M. */
  groupRows?: number;
  /**
   * Activation rows held in memory while reading before they go to temporary files. Default
   * `SPILL_ROWS` of activation_pieces.ts.
   */
  spillRows?: number;
}

/** Warns where `levels` are asked for and no activation is at any of them. */
function warnIfNoLevel(levels: number[] | undefined, anyAtLevels: () => boolean): void {
  if (levels && !anyAtLevels()) {
    console.error(
      `warning: no activation at levels ${shownLevels(levels)}: the per-level and ` +
        `comparison tables are left out`,
    );
  }
}

/**
 * Every table of the dataset `dir`, computed a group of cells at a time (table_groups.ts) from
 * the activations read in pieces (activation_pieces.ts): the same tables as `computeTables` of
 * the whole dataset, with memory flat in its size. A dataset of one group that is held without
 * spilling is read whole instead, as `computeTables` reads it: the pieces save memory by
 * hashing every row's keys, splitting and joining them back, which one group does not need (1
 * M rows: the read 835 -> 363 ms CPU, `deno task tables` 1.70 -> 1.45 s CPU and 441 -> 376 MB,
 * medians of 5 interleaved rounds). Warns where no activation is at
 * `levels`.
 */
export async function datasetTables(
  dir: string,
  { levels, groupRows = 1e6, spillRows = SPILL_ROWS }: DatasetTablesOptions = {},
): Promise<ComputedTables> {
  const rest = await readDatasetRest(dir);
  const rows = await tableRows(dir, "activations");
  const count = Math.max(1, Math.ceil(rows / groupRows));
  if (count === 1 && rows <= spillRows) {
    const activations = await readTable(dir, "activations", PIPELINE_COLUMNS);
    warnIfNoLevel(levels, () => activations.filter(pl.col("level").isIn(levels!)).height > 0);
    return computeTables({ ...rest, activations }, { levels });
  }
  const pieces = await readActivationPieces(dir, PIPELINE_COLUMNS, {
    buckets: count,
    bucketOf: (key) => cellGroup(cellOf(key), count),
    spillRows,
  });
  try {
    warnIfNoLevel(
      levels,
      () => pieces.keys.some((k) => k.level !== null && levels!.includes(k.level)),
    );
    const others = cellGroup(OTHERS_CELL, count);
    const used = new Set(pieces.keys.map((key) => cellGroup(cellOf(key), count)));
    if (used.size === 0) used.add(others);
    const groups: GroupTables[] = [];
    for (const g of [...used].sort((a, b) => a - b)) {
      const group = { activations: pieces.frame(g), others: g === others };
      groups.push(groupTables(rest, group, { levels }));
      await releaseNativeMemory();
    }
    return mergeTables(rest, groups, { levels });
  } finally {
    await pieces.close();
  }
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["out", "levels"]);
    if (!values.out || positionals.length > 1) {
      throw new Error("usage: deno task tables [DIR] --out OUT [--levels L]");
    }
    const levels = values.levels === undefined ? undefined : parseLevels(values.levels, "--levels");
    exitWithParent();
    returnFreedMemory();
    const data = positionals[0] ? userPath(positionals[0]) : DEFAULT_DATA;
    const out = join(userPath(values.out), "tables");
    await checkOutput(out, "tables", { inputs: [data] });
    const tables = namedTables(await datasetTables(data, { levels }));
    const paths = await replaceFolder(out, "tables", (dir) => writeCsvs(tables, dir));
    console.log(`wrote ${paths.length} tables to ${out}`);
  });
}
