/**
 * `deno task ingest RAW_DIR --out DIR [--meta FILE]`: raw logs in the thesis's formats -> a
 * dataset. `--meta` names a JSON file of provenance (host, settings, actions) merged into
 * dataset.json.
 */
import "./_ingest_threads.ts"; // first: before polars is loaded
import { checkMeta, type DatasetMeta } from "../dataset/mod.ts";
import { ingest } from "../ingest/mod.ts";
import { parse, run } from "./_args.ts";

const USAGE = "usage: deno task ingest RAW_DIR --out DIR [--meta FILE]";

/** The `--meta` file: JSON of dataset.json's shape, or an error naming the file. */
async function readMetaFile(path: string): Promise<DatasetMeta> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (cause) {
    throw new Error(`Cannot read --meta file ${path}: ${cause}`, { cause });
  }
  return checkMeta(value, `--meta file ${path}`);
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["out", "meta"]);
    if (positionals.length !== 1 || !values.out) throw new Error(USAGE);
    const meta = values.meta ? await readMetaFile(values.meta) : {};
    const report = await ingest(positionals[0], values.out, { meta });
    const rows = report.files.reduce((n, f) => n + f.rows, 0);
    console.log(`ingested ${report.files.length} files, ${rows} rows -> ${values.out}`);
    for (const e of report.run_errors) {
      console.log(`  run error: ${e.file} run ${e.run} after level ${e.after_level}: ${e.error}`);
    }
    for (const c of report.checks) {
      const state = c.agree ? "agrees" : `DIFFERS (${c.differences.length} differences)`;
      console.log(`  check: ${c.file} vs ${c.against}: ${c.compared} values, ${state}`);
      for (const d of c.differences) console.log(`    ${d}`);
    }
  });
}
