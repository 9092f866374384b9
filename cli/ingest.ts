/**
 * `deno task ingest RAW_DIR --out DIR [--meta FILE]`: raw logs in the thesis's formats -> a
 * dataset. `--meta` names a JSON file of provenance (host, settings, actions) merged into
 * dataset.json. Other tools' data (files, a folder without `.log` files, or `--format F`) goes
 * to ingest/formats/ (README, "Importing other tools' data").
 */
import "./_ingest_threads.ts"; // first: before polars is loaded
import { checkMeta, type DatasetMeta } from "../dataset/mod.ts";
import { ingest } from "../ingest/mod.ts";
import { exitWithParent, userPath } from "../dataset/folder.ts";
import { parse, run } from "./_args.ts";
import { IMPORT_FLAGS, IMPORT_USAGE, isImport, runImport } from "./_import.ts";

const USAGE = "usage: deno task ingest RAW_DIR --out DIR [--meta FILE]\n" + IMPORT_USAGE;

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
    const { values, positionals } = parse(Deno.args, ["out", "meta", ...IMPORT_FLAGS]);
    if (positionals.length === 0 || !values.out) throw new Error(USAGE);
    exitWithParent();
    const meta = values.meta ? await readMetaFile(userPath(values.meta)) : {};
    const sources = positionals.map(userPath);
    const out = userPath(values.out);
    if (await isImport(sources, values.format)) {
      return await runImport(sources, out, { ...values, meta });
    }
    if (sources.length !== 1) throw new Error(USAGE);
    const report = await ingest(sources[0], out, { meta });
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
