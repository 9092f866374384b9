/**
 * `deno task bench [--sizes 100MB,1GB] [--rows 10000000] [--runs 3] [--only 1,2,3,4,5,6]
 * [--work DIR] [--json FILE] [--quick]`: the performance benchmarks, with ratios
 * against the baselines measured in the same run. Results go to the JSON file (default
 * `<work>/results.json`) and the same name ending `.md` (the table, machine and versions). Generated data goes to `--work` (default a
 * folder under the system's temporary directory, reused between runs); `--quick` runs every
 * benchmark at a tiny scale, once, to check that the bench works (numbers meaningless).
 */
import { join } from "node:path";
import { tmpdir } from "node:os";
import { resultMarkdown, resultTable, runBench } from "../bench/mod.ts";
import { exportCost } from "../bench/report_bench.ts";
import { invokeTable } from "../bench/invoke_bench.ts";
import { importSpeedLines } from "../bench/import_bench.ts";
import { ingestSpeedLines } from "../bench/ingest_bench.ts";
import { parse, run } from "./_args.ts";
import { claimOutput, OutputRefused, userPath } from "../dataset/folder.ts";
import { writeWhole } from "../dataset/store.ts";

const USAGE =
  "usage: deno task bench [--sizes 100MB,1GB] [--rows N] [--runs N] [--only 1,2,3,4,5,6] " +
  "[--work DIR] [--json FILE] [--quick]";

/**
 * The benchmarks' folder, checked and marked as theirs before anything in it is removed or
 * remade: refused where it is or holds the project or the working folder, or holds files that
 * whiskbench did not write (the benchmarks remove paths of their own naming in it, such as
 * `out/compare`). A cache made before the marker existed is recognised by its names
 * (dataset/folder.ts, `ownerOf`).
 */
export async function claimWork(dir: string): Promise<string> {
  await refuseOthers(dir);
  return await claimOutput(dir, "bench", { flag: "--work" });
}

/**
 * Refuses a benchmarks' folder that another user owns. The default one lies in the system's
 * temporary directory, which every user may write: a folder made there by someone else, marked
 * as the benchmarks' and holding links under the names they write (`results.json`), would have
 * this run write through them into the files they name.
 */
async function refuseOthers(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  const uid = Deno.uid();
  if (uid !== null && info.uid !== null && info.uid !== uid) {
    throw new OutputRefused(
      `${dir}: belongs to another user (uid ${info.uid}); the benchmarks write and remove ` +
        `files in their folder: give one of your own with --work`,
    );
  }
}

/** Parses a size such as `100MB`, `1GB`, `2.5e6` into bytes. */
export function parseSize(text: string): number {
  const m = /^([\d.e+]+)\s*(kb|mb|gb)?$/i.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(n) || n <= 0) {
    throw new RangeError(`bench: size "${text}", expected a number of bytes or e.g. 100MB, 1GB`);
  }
  const unit = { kb: 1e3, mb: 1e6, gb: 1e9 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return n * unit;
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(
      Deno.args,
      ["sizes", "rows", "runs", "only", "work", "json", "file-size"],
      ["quick"],
    );
    if (positionals.length > 0) throw new Error(USAGE);
    const quick = values.quick === true;
    const work = await claimWork(
      values.work ? userPath(values.work) : join(tmpdir(), "whiskbench-bench"),
    );
    const results = await runBench({
      work,
      ingestBytes: (values.sizes ?? (quick ? "2MB" : "100MB,1GB")).split(",").map(parseSize),
      fileBytes: values["file-size"] ? parseSize(values["file-size"]) : quick ? 1e6 : 25e6,
      rows: values.rows ? Number(values.rows) : quick ? 20_000 : 10e6,
      runs: values.runs ? Number(values.runs) : quick ? 1 : 3,
      only: values.only ? values.only.split(",").map(Number) : undefined,
      invokeConcurrency: quick ? [1, 16] : undefined,
      invokeSeconds: quick ? 1 : undefined,
      compareResamples: quick ? 1000 : undefined,
      importBytes: quick ? 2e6 : undefined,
    });
    const json = values.json ?? join(work, "results.json");
    await writeWhole(json, JSON.stringify(results, null, 2) + "\n");
    await writeWhole(json.replace(/(\.json)?$/, ".md"), resultMarkdown(results));
    console.log(resultTable(results.rows));
    if (results.invoke && results.invoke.points.length > 0) {
      console.log(invokeTable(results.invoke));
    }
    const exportLine = results.report ? exportCost(results.report) : null;
    if (exportLine) console.log(exportLine);
    for (const line of ingestSpeedLines(results.ingest)) console.log(line);
    if (results.import) { for (const line of importSpeedLines(results.import)) console.log(line); }
    for (const s of results.skipped) console.log(s);
    for (const d of results.differences) console.log(`DIFFERS: ${d}`);
    console.log(
      `${results.differences.length === 0 ? "outputs agree" : "OUTPUTS DIFFER"}; ` +
        `machine: ${results.machine.cpu}, ${results.machine.cores} cores, load ${results.machine.load_at_start}; ` +
        `results: ${json}`,
    );
    if (results.differences.length > 0) Deno.exit(1);
  });
}
