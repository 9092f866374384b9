/**
 * `deno task ingest RAW_DIR --out DIR [--meta FILE]`: raw logs in the thesis's formats -> a
 * dataset. `--meta` names a JSON file of provenance (host, settings, actions) merged into
 * dataset.json. Other tools' data (files, a folder without `.log` files, or `--format F`) goes
 * to ingest/formats/ (README, "Importing other tools' data").
 */
import "./_ingest_threads.ts"; // first: before polars is loaded
import { ingest } from "../ingest/mod.ts";
import { parse, run } from "./_args.ts";
import { IMPORT_FLAGS, IMPORT_USAGE, isImport, runImport } from "./_import.ts";

const USAGE = "usage: deno task ingest RAW_DIR --out DIR [--meta FILE]\n" + IMPORT_USAGE;

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["out", "meta", ...IMPORT_FLAGS]);
    if (positionals.length === 0 || !values.out) throw new Error(USAGE);
    const meta = values.meta ? JSON.parse(await Deno.readTextFile(values.meta)) : {};
    if (await isImport(positionals, values.format)) {
      return await runImport(positionals, values.out, { ...values, meta });
    }
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
