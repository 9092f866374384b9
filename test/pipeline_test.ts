import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  capacityRatios,
  capacityTable,
  coldStartTable,
  comparisonTable,
  levelStats,
  resourceSeries,
  slowdownTable,
  warmTable,
} from "../pipeline/mod.ts";
import { activations, records, resources } from "./_frames.ts";

Deno.test("levelStats() gives sample SD, CoV and type-7 quantiles per level", () => {
  const rows = pl.DataFrame({ level: [1, 1, 1, 1, 2], v: [1, 2, 3, 4, 10] });
  const [one, two] = records(levelStats(rows, "v"), 7);
  assert.deepEqual(one, {
    level: 1,
    n: 4,
    mean: 2.5,
    sd: 1.2909944,
    cov_pct: 51.6397779,
    median: 2.5,
    p95: 3.85,
    p99: 3.97,
    min: 1,
    max: 4,
  });
  assert.equal(two.n, 1);
  assert.equal(two.sd, null);
});

Deno.test("levelStats() groups string keys as strings: same values, lexical order", () => {
  // Keys first seen out of lexical order: grouping them as categoricals (aggregateBy) must
  // neither change their type nor order them by first appearance.
  const rows = pl.DataFrame({
    runtime: ["wasm", "docker", "wasm", "docker"],
    level: [1, 1, 1, 2],
    v: [1, 2, 3, 4],
  });
  const t = levelStats(rows, "v", ["runtime"]);
  assert.equal(String(t.getColumn("runtime").dtype), "DataType(String)");
  assert.deepEqual(t.select("runtime", "level", "n", "mean").toRecords(), [
    { runtime: "docker", level: 1, n: 1, mean: 2 },
    { runtime: "docker", level: 2, n: 1, mean: 4 },
    { runtime: "wasm", level: 1, n: 2, mean: 2 },
  ]);
});

const cold = (runtime: string, level: number, wait: number, init: number | null) => ({
  experiment: "cold_start",
  workload: "hello",
  runtime,
  level,
  wait_ms: wait,
  init_ms: init,
  success: true,
});

Deno.test("coldStartTable() takes waitTime + initTime of cold records and counts the others", () => {
  const frame = activations([
    cold("wasm", 1, 5, 40),
    cold("wasm", 1, 3, 60),
    cold("wasm", 1, 2, null), // warm: not a cold start
    { ...cold("wasm", 1, 0, null), source: "error", wait_ms: null, success: false, error: "429" },
    cold("wasm", 2, 10, 90),
  ]);
  const t = records(coldStartTable(frame)).map((
    r,
  ) => [r.level, r.n, r.mean, r.n_not_cold, r.n_errors]);
  assert.deepEqual(t, [[1, 2, 54, 1, 1], [2, 1, 100, 0, 0]]);
});

const conc = (runtime: string, workload: string, level: number, wait: number, more = {}) => ({
  experiment: "concurrency",
  workload,
  runtime,
  level,
  wait_ms: wait,
  ...more,
});

Deno.test("warmTable() uses warm records and warm samples, never cold records or unknown samples", () => {
  const frame = activations([
    conc("docker", "hash", 1, 2),
    conc("docker", "hash", 1, 4),
    conc("docker", "hash", 1, 300, { init_ms: 900 }), // cold record
    conc("docker", "hash", 1, 6, { source: "warm_samples" }),
    conc("docker", "hash", 1, 1000, { source: "samples" }), // unknown warmth
    conc("docker", "hello", 2, 7, { source: "warm_samples" }),
    { ...cold("docker", 1, 1, null) }, // a warm record of the cold-start run: not here
  ]);
  const t = records(warmTable(frame)).map((r) => [r.workload, r.level, r.n, r.mean]);
  assert.deepEqual(t, [["hash", 1, 3, 4], ["hello", 2, 1, 7]]);
});

Deno.test("comparisonTable() pools levels 1-15; thesis mode adds level labels and level 16", () => {
  const frame = activations([
    conc("wasm", "hash", 1, 2, { source: "warm_samples" }),
    conc("wasm", "hash", 1, 4, { source: "warm_samples" }),
    conc("wasm", "hash", 16, 6, { source: "warm_samples" }),
    conc("docker", "hash", 1, 8, { source: "warm_samples" }),
  ]);
  const corrected = records(comparisonTable(frame), 6);
  const wasm = corrected.find((r) => r.runtime === "wasm")!;
  // Levels 1-15: samples 2, 4 -> mean 3, population SD 1 -> CoV 33.33 %.
  assert.deepEqual([wasm.n, wasm.mean, wasm.cov_pct], [2, 3, 33.333333]);
  const thesis = records(comparisonTable(frame, { mode: "thesis" }), 6);
  const wasmT = thesis.find((r) => r.runtime === "wasm")!;
  // Samples 2, 4, the label 1, and level 16's 6 with its label 16.
  assert.deepEqual([wasmT.n, wasmT.mean], [5, 5.8]);
  const slow = records(slowdownTable(comparisonTable(frame)), 6);
  assert.deepEqual(slow.map((r) => [r.numerator, r.denominator, r.ratio]), [[
    "docker",
    "wasm",
    2.666667,
  ]]);
});

Deno.test("capacityTable() sums CPU over containers but never memory over threads", () => {
  const acts = activations([
    { experiment: "capacity", workload: "sleep", runtime: "docker", level: 3, wait_ms: 5 },
    {
      experiment: "capacity",
      workload: "sleep",
      runtime: "docker",
      level: 4,
      source: "error",
      error: "reset",
    },
    {
      experiment: "capacity",
      workload: "sleep",
      runtime: "wasm",
      level: 9,
      wait_ms: 1,
      source: "samples",
    },
  ]);
  const MiB = 1024 * 1024;
  const res = resources([
    {
      experiment: "capacity",
      runtime: "docker",
      sampler: "docker_stats",
      sample: 1,
      target: "a",
      cpu_pct: 50,
      mem_bytes: 100 * MiB,
    },
    {
      experiment: "capacity",
      runtime: "docker",
      sampler: "docker_stats",
      sample: 1,
      target: "b",
      cpu_pct: 30,
      mem_bytes: 50 * MiB,
    },
    {
      experiment: "capacity",
      runtime: "docker",
      sampler: "docker_stats",
      sample: 2,
      target: "a",
      cpu_pct: 60,
      mem_bytes: 120 * MiB,
    },
    {
      experiment: "capacity",
      runtime: "wasm",
      sampler: "ps",
      sample: 1,
      target: "11",
      cpu_pct: 10,
      mem_bytes: 40 * MiB,
    },
    {
      experiment: "capacity",
      runtime: "wasm",
      sampler: "ps",
      sample: 1,
      target: "12",
      cpu_pct: 15,
      mem_bytes: 40 * MiB,
    },
  ]);
  assert.deepEqual(
    records(resourceSeries(res)).map((r) => [r.runtime, r.sample, r.cpu_pct, r.mem_mib]),
    [["docker", 1, 80, 150], ["docker", 2, 60, 120], ["wasm", 1, 25, 40]],
  );
  const cap = capacityTable(acts, res);
  assert.deepEqual(records(cap), [
    { runtime: "docker", capacity: 3, error: "reset", max_cpu_pct: 80, max_mem_mib: 150 },
    { runtime: "wasm", capacity: 9, error: null, max_cpu_pct: 25, max_mem_mib: 40 },
  ]);
  assert.deepEqual(records(capacityRatios(cap), 4).map((r) => [r.metric, r.ratio]), [
    ["max_cpu_pct", 3.2],
    ["max_mem_mib", 3.75],
    ["capacity", 3],
  ]);
});
