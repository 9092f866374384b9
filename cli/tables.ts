/**
 * `deno task tables [DIR] --out OUT [--levels L]`: every table of a dataset as CSV under
 * OUT/tables/ (default dataset data/thesis). Numbers at full precision. `--levels` (`N`, `A-B`
 * or a list like `1,3,5-7`, read by the pipeline's one parser) restricts every per-level table
 * and the levels the comparisons pool.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { EMBEDDED_DATASET, readDataset } from "../dataset/mod.ts";
import {
  allTables,
  type NamedTable,
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

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["out", "levels"]);
    if (!values.out || positionals.length > 1) {
      throw new Error("usage: deno task tables [DIR] --out OUT [--levels L]");
    }
    const levels = values.levels === undefined ? undefined : parseLevels(values.levels, "--levels");
    exitWithParent();
    const data = positionals[0] ? userPath(positionals[0]) : DEFAULT_DATA;
    const out = join(userPath(values.out), "tables");
    await checkOutput(out, "tables", { inputs: [data] });
    const ds = await readDataset(data, { activationColumns: PIPELINE_COLUMNS });
    if (levels && ds.activations.filter(pl.col("level").isIn(levels)).height === 0) {
      console.error(
        `warning: no activation at levels ${shownLevels(levels)}: the per-level and ` +
          `comparison tables are left out`,
      );
    }
    const tables = allTables(ds, { levels });
    const paths = await replaceFolder(out, "tables", (dir) => writeCsvs(tables, dir));
    console.log(`wrote ${paths.length} tables to ${out}`);
  });
}
