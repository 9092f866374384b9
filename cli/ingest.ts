/**
 * `deno task ingest RAW_DIR --out DIR [--meta FILE]`: raw logs in the thesis's formats -> a
 * dataset. `--meta` names a JSON file of provenance (host, settings, actions) merged into
 * dataset.json.
 */
import "./_ingest_threads.ts"; // first: before polars is loaded
import { ingest } from "../ingest/mod.ts";
import { exitWithParent, userPath } from "../dataset/folder.ts";
import { parse, run } from "./_args.ts";

const USAGE = "usage: deno task ingest RAW_DIR --out DIR [--meta FILE]";

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["out", "meta"]);
    if (positionals.length !== 1 || !values.out) throw new Error(USAGE);
    exitWithParent();
    const meta = values.meta ? await readMetaFile(userPath(values.meta)) : {};
    const report = await ingest(userPath(positionals[0]), userPath(values.out), { meta });
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

/** Reads a `--meta` file: a JSON object, or an error naming the file. */
async function readMetaFile(path: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (cause) {
    throw new Error(`--meta ${path}: ${cause instanceof Error ? cause.message : cause}`, { cause });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`--meta ${path}: expected a JSON object of provenance`);
  }
  return value as Record<string, unknown>;
}
