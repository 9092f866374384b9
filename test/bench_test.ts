/**
 * The bench keeps working and compares like with like: its generators are deterministic under
 * a seed, and whiskbench, jq + awk and DuckDB write the same rows with the same per-level
 * statistics. Correctness only: nothing here is timed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateRawLogs, rawLogName } from "../bench/generate_raw.ts";
import { ingestBench, ingestSpeedLines } from "../bench/ingest_bench.ts";
import { resultMarkdown, resultTable, runBench } from "../bench/mod.ts";
import { parseSize } from "../cli/bench.ts";

async function bytesOf(dir: string): Promise<Uint8Array[]> {
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  return await Promise.all(names.map((n) => Deno.readFile(join(dir, n))));
}

Deno.test("generateRawLogs() writes the same bytes for the same seed, others for another", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-gen-" });
  const opts = { bytes: 150_000, fileBytes: 80_000 };
  const a = await generateRawLogs(join(dir, "a"), { ...opts, seed: 3 });
  const b = await generateRawLogs(join(dir, "b"), { ...opts, seed: 3 });
  const c = await generateRawLogs(join(dir, "c"), { ...opts, seed: 4 });
  assert.deepEqual({ ...a, dir: "" }, { ...b, dir: "" });
  assert.deepEqual(await bytesOf(a.dir), await bytesOf(b.dir));
  assert.notDeepEqual(await bytesOf(a.dir), await bytesOf(c.dir));
  assert.equal(a.files.length, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ingest bench: whiskbench, jq + awk and DuckDB write the same rows and level statistics", async () => {
  const work = await Deno.makeTempDir({ prefix: "whiskbench-bench-" });
  const r = await ingestBench(work, { bytes: 300_000, fileBytes: 120_000, runs: 2, seed: 5 });
  assert.deepEqual(r.differences, []);
  assert.deepEqual(r.rows, {
    whiskbench: r.input.records,
    "jq+awk": r.input.records,
    duckdb: r.input.records,
  });
  assert.deepEqual(r.measurements.map((m) => m.seconds.length), [2, 2, 2]);
  assert.deepEqual(r.measurements.map((m) => m.cpu_s.length), [2, 2, 2]);
  // Whiskbench's speed over each baseline's, round by round: the baseline's seconds over ours.
  const [ours, jq, duck] = r.measurements;
  assert.deepEqual(Object.keys(r.round_speedups), ["jq+awk", "duckdb"]);
  for (const [tool, m] of [["jq+awk", jq], ["duckdb", duck]] as const) {
    const { wall, cpu } = r.round_speedups[tool];
    assert.deepEqual(
      wall.map((x) => x.toFixed(9)),
      [0, 1].map((k) => (m.seconds[k] / ours.seconds[k]).toFixed(9)),
    );
    const cpus = [0, 1].map((k) => m.cpu_s[k] / ours.cpu_s[k]);
    assert.ok(Math.abs(cpu - (cpus[0] + cpus[1]) / 2) < 1e-9);
  }
  assert.match(
    ingestSpeedLines([r]).join("\n"),
    /^- ingest 0 MB: whiskbench's speed over duckdb's in each round [\d.]+x, [\d.]+x, by CPU seconds [\d.]+x/m,
  );
  await Deno.remove(work, { recursive: true });
});

Deno.test("runBench() at a tiny scale runs benchmarks 2, 3 and 4", async () => {
  const work = await Deno.makeTempDir({ prefix: "whiskbench-bench-" });
  const results = await runBench({
    work,
    rows: 5_000,
    runs: 1,
    only: [2, 3, 4],
    invokeConcurrency: [1, 8],
    invokeSeconds: 1,
    log: () => {},
  });
  assert.deepEqual(results.differences, []);
  assert.deepEqual(results.rows.map((r) => [r.benchmark, r.tool]).slice(0, 3), [
    ["2 tables 5000 rows", "whiskbench"],
    ["2 tables 5000 rows", "DuckDB"],
    ["3 report data/thesis", "whiskbench (no export)"],
  ]);
  assert.deepEqual(results.skipped, []);
  // Benchmark 4: the engine and wrk (twice) at each concurrency, the engine without errors.
  const points = results.invoke!.points;
  assert.deepEqual(points.map((p) => [p.concurrency, p.client]), [
    [1, "whiskbench invoke engine"],
    [1, "wrk keep-alive"],
    [1, "wrk Connection: close"],
    [8, "whiskbench invoke engine"],
    [8, "wrk keep-alive"],
    [8, "wrk Connection: close"],
  ]);
  for (const p of points) assert.ok(p.requests > 0 && p.errors === 0, JSON.stringify(p));
  assert.deepEqual(results.invoke!.overhead.map((o) => o.concurrency), [1, 8]);
  assert.match(resultMarkdown(results), /\| 8 \| wrk Connection: close \| 1 \| \d+ \| 0 \|/);
  assert.match(resultTable(results.rows), /\| 2 tables 5000 rows \| DuckDB \| 1 \|/);
  assert.match(resultMarkdown(results), /Versions: deno 2\.[\s\S]*\| 3 report data\/thesis \|/);
  assert.match(
    resultMarkdown(results),
    /figure export \(SVG and PDF\) adds -?\d+\.\d\d s to the report: with export \/ without = \d+\.\d\d/,
  );
  await Deno.remove(work, { recursive: true });
});

Deno.test("runBench() benchmark 5 times the comparison beside the tables, thesis against itself", async () => {
  const work = await Deno.makeTempDir({ prefix: "whiskbench-bench-" });
  const results = await runBench({
    work,
    runs: 1,
    only: [5],
    compareResamples: 1000,
    log: () => {},
  });
  assert.deepEqual(results.differences, []);
  assert.equal(results.compare!.resamples, 1000);
  assert.deepEqual(results.rows.map((r) => [r.benchmark, r.tool]), [
    ["5 compare data/thesis", "whiskbench compare, 1000 resamples"],
    ["5 compare data/thesis", "whiskbench tables only (no statistics, reference)"],
  ]);
  for (const r of results.rows) assert.ok(r.seconds_median > 0 && r.peak_rss_mb > 0);
  const compareCsv = await Deno.readTextFile(join(work, "out", "compare", "compare.csv"));
  assert.match(compareCsv.split("\n")[0], /^experiment,workload,runtime,level,n_base,n_new/);
  await Deno.remove(work, { recursive: true });
});

Deno.test("runBench() benchmark 6 imports the thesis ingest's invocations in every format, rows in = rows out", async () => {
  const work = await Deno.makeTempDir({ prefix: "whiskbench-bench-" });
  const results = await runBench({ work, runs: 1, only: [6], importBytes: 300_000, log: () => {} });
  assert.deepEqual(results.differences, []);
  assert.deepEqual(results.rows.map((r) => r.tool), [
    "whiskbench thesis-format ingest (reference)",
    "whiskbench import (openwhisk-json)",
    "whiskbench import (openwhisk-jsonl)",
    "whiskbench import (sebs-csv)",
    "whiskbench import (invitro-csv)",
  ]);
  const r = results.import!;
  const [ref] = r.measurements;
  // Every format carries the reference logs' invocations: as many rows, in far fewer bytes
  // for the CSV formats.
  const raw = join(work, "raw-300000-25000000-1");
  const logRecords = JSON.parse(await Deno.readTextFile(`${raw}.complete.json`)).records;
  assert.ok(logRecords > 100);
  for (const input of r.inputs) assert.equal(input.records, logRecords);
  const size = Object.fromEntries(r.inputs.map((i) => [i.format, i.bytes]));
  assert.ok(size["sebs-csv"] < ref.bytes / 5 && size["openwhisk-jsonl"] > ref.bytes * 0.9);
  // The JSON lines are the logs' records, byte for byte.
  const lines = (await Deno.readTextFile(r.inputs[1].path)).split("\n").filter((l) => l);
  const first = JSON.parse((await Deno.readTextFile(join(raw, rawLogName(1)))).split("\n")[0]);
  assert.equal(lines[0], JSON.stringify(first[0].responses[0]));
  assert.deepEqual(r.speed.map((s) => s.format), r.inputs.map((i) => i.format));
  for (const s of r.speed) {
    const m = r.measurements.find((x) => x.name.includes(`(${s.format})`))!;
    // One round: the ratio is the reference's seconds over the importer's, in wall and CPU time.
    assert.equal(s.round_ratios.length, 1);
    assert.ok(Math.abs(s.ratio - ref.seconds[0] / m.seconds[0]) < 1e-9);
    assert.ok(Math.abs(s.round_ratios[0] - s.ratio) < 1e-9);
    assert.ok(Math.abs(s.cpu_ratio - ref.cpu_s[0] / m.cpu_s[0]) < 1e-9);
    assert.ok(Math.abs(s.mb_per_s - m.bytes / 1e6 / m.seconds[0]) < 1e-9);
    assert.ok(Math.abs(s.rows_per_s - logRecords / m.seconds[0]) < 1e-6);
  }
  assert.match(
    resultMarkdown(results),
    /- import sebs-csv: [\d.]+x the thesis-format ingest's speed on the same invocations .*; in each round [\d.]+x, by CPU seconds [\d.]+x; \d+ MB\/s, [\d,]+ rows\/s/,
  );
  await Deno.remove(work, { recursive: true });
});

Deno.test("parseSize() reads bytes and MB/GB suffixes, and rejects anything else", () => {
  assert.equal(parseSize("100MB"), 100e6);
  assert.equal(parseSize("1GB"), 1e9);
  assert.equal(parseSize("2.5e6"), 2.5e6);
  assert.throws(() => parseSize("lots"), /size "lots", expected a number of bytes/);
});
