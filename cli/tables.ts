/**
 * `deno task tables [DIR] --out OUT [--levels N]`: every table of a dataset as CSV under
 * OUT/tables/ (default dataset data/thesis). Numbers at full precision.
 */
import { join } from "node:path";
import { EMBEDDED_DATASET, readDataset } from "../dataset/mod.ts";
import { allTables, levelRange, type NamedTable, PIPELINE_COLUMNS } from "../pipeline/mod.ts";
import { checkOutput, exitWithParent, replaceFolder, userPath } from "../dataset/folder.ts";
import { parse, run } from "./_args.ts";

/** The embedded default dataset, in the project root. */
export const DEFAULT_DATA = EMBEDDED_DATASET;

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
      throw new Error("usage: deno task tables [DIR] --out OUT [--levels N]");
    }
    const levels = values.levels ? levelRange(Number(values.levels)) : undefined;
    exitWithParent();
    const data = positionals[0] ? userPath(positionals[0]) : DEFAULT_DATA;
    const out = join(userPath(values.out), "tables");
    await checkOutput(out, "tables", { inputs: [data] });
    const ds = await readDataset(data, { activationColumns: PIPELINE_COLUMNS });
    const tables = allTables(ds, { levels });
    const paths = await replaceFolder(out, "tables", (dir) => writeCsvs(tables, dir));
    console.log(`wrote ${paths.length} tables to ${out}`);
  });
}
