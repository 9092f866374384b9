/**
 * `deno task tables [DIR] --out OUT [--levels L]`: every table of a dataset as CSV under
 * OUT/tables/ (default dataset data/thesis). Numbers at full precision. `--levels` (`N`, `A-B`
 * or a list like `1,3,5-7`, read by the pipeline's one parser) restricts every per-level table
 * and the levels the comparisons pool.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import {
  allTables,
  type NamedTable,
  parseLevels,
  PIPELINE_COLUMNS,
  shownLevels,
} from "../pipeline/mod.ts";
import { parse, run } from "./_args.ts";

/** The embedded default dataset, relative to the project root. */
export const DEFAULT_DATA = new URL("../data/thesis", import.meta.url).pathname;

/** Writes each table as `<dir>/<name>.csv` and returns the paths. */
export async function writeCsvs(tables: NamedTable[], dir: string): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  return tables.map(({ name, frame }) => {
    const path = join(dir, `${name}.csv`);
    frame.writeCSV(path);
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
    const ds = await readDataset(positionals[0] ?? DEFAULT_DATA, {
      activationColumns: PIPELINE_COLUMNS,
    });
    if (levels && ds.activations.filter(pl.col("level").isIn(levels)).height === 0) {
      console.error(
        `warning: no activation at levels ${shownLevels(levels)}: the per-level and ` +
          `comparison tables are left out`,
      );
    }
    const paths = await writeCsvs(allTables(ds, { levels }), join(values.out, "tables"));
    console.log(`wrote ${paths.length} tables to ${join(values.out, "tables")}`);
  });
}
