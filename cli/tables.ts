/**
 * `deno task tables [DIR] --out OUT [--levels N]`: every table of a dataset as CSV under
 * OUT/tables/ (default dataset data/thesis). Numbers at full precision.
 */
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { allTables, levelRange, type NamedTable, PIPELINE_COLUMNS } from "../pipeline/mod.ts";
import { csvSafe } from "../pipeline/csv_safe.ts";
import { dataFile } from "../render/out_path.ts";
import { parse, run } from "./_args.ts";

/** The embedded default dataset, relative to the project root. */
export const DEFAULT_DATA = new URL("../data/thesis", import.meta.url).pathname;

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
      throw new Error("usage: deno task tables [DIR] --out OUT [--levels N]");
    }
    const levels = values.levels ? levelRange(Number(values.levels)) : undefined;
    const ds = await readDataset(positionals[0] ?? DEFAULT_DATA, {
      activationColumns: PIPELINE_COLUMNS,
    });
    const paths = await writeCsvs(allTables(ds, { levels }), join(values.out, "tables"));
    console.log(`wrote ${paths.length} tables to ${join(values.out, "tables")}`);
  });
}
