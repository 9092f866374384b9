import assert from "node:assert/strict";
import {
  COMPARE_COLUMNS,
  compareFrame,
  SLOWDOWN_COLUMNS,
  slowdownFrame,
} from "../pipeline/compare.ts";
import { cellKey, latencyCells } from "../pipeline/latency_cells.ts";
import { compareFindings, slowdownFindings } from "../pipeline/compare_findings.ts";
import { activations, records } from "./_frames.ts";

/** Cold starts of one runtime: `latencies` per level, as wait 0 + init (one run). */
const cold = (runtime: string, byLevel: Record<number, number[]>, run = 1) =>
  Object.entries(byLevel).flatMap(([level, xs]) =>
    xs.map((x) => ({
      experiment: "cold_start",
      workload: "hello",
      runtime,
      run,
      level: Number(level),
      wait_ms: x - 5,
      init_ms: 5,
    }))
  );

/** Warm latencies of the concurrency experiment, as `4_` samples. */
const warm = (runtime: string, workload: string, byLevel: Record<number, number[]>) =>
  Object.entries(byLevel).flatMap(([level, xs]) =>
    xs.map((x) => ({
      experiment: "concurrency",
      workload,
      runtime,
      run: 1,
      level: Number(level),
      source: "warm_samples",
      wait_ms: x,
    }))
  );

Deno.test("latencyCells() takes the tables' latencies: wait + init cold, warm rows only", () => {
  const cells = latencyCells(activations([
    ...cold("wasm", { 1: [10, 30] }),
    ...cold("wasm", { 1: [20] }, 2),
    // A warm record of the cold-start experiment, a sample of unknown warmth, an error:
    // none is a latency of either table.
    { experiment: "cold_start", workload: "hello", runtime: "wasm", run: 1, level: 1, wait_ms: 7 },
    {
      experiment: "concurrency",
      workload: "hash",
      runtime: "wasm",
      level: 2,
      wait_ms: 9,
      source: "samples",
    },
    { experiment: "concurrency", workload: "hash", runtime: "wasm", level: 2, source: "error" },
    ...warm("wasm", "hash", { 2: [3, 1, 2] }),
    { experiment: "concurrency", workload: "hash", runtime: "wasm", level: 2, wait_ms: 4 }, // warm record, run null
  ]));
  assert.deepEqual([...cells.keys()].sort(), [
    cellKey("cold_start", "hello", "wasm"),
    cellKey("concurrency", "hash", "wasm"),
  ]);
  const byRun = (key: string, level: number) =>
    Object.fromEntries(
      [...cells.get(key)!.levels.get(level)!].map(([run, xs]) => [run, Array.from(xs)]),
    );
  assert.deepEqual(byRun(cellKey("cold_start", "hello", "wasm"), 1), { 1: [10, 30], 2: [20] });
  assert.deepEqual(byRun(cellKey("concurrency", "hash", "wasm"), 2), { 0: [4], 1: [1, 2, 3] });
  // Names with the separator of a joined key stay apart.
  const odd = latencyCells(activations([
    ...warm("z", "x/y", { 1: [1] }), // joined: concurrency/x/y/z
    ...warm("y/z", "x", { 1: [2] }), // joined: concurrency/x/y/z too
  ]));
  assert.equal(odd.size, 2);
});

Deno.test("latencyCells() refuses a latency that is not a finite number, naming its cell", () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(
      () => latencyCells(activations(warm("wasm", "hash", { 3: [1, bad, 2] }))),
      new RegExp(
        `experiment concurrency, workload hash, runtime wasm, level 3, run 1 has a latency of ` +
          `${bad} ms, expected a finite`,
      ),
    );
  }
});

Deno.test("compareFrame() has the issue's columns and one row per shared level plus `all`", () => {
  const base = latencyCells(activations([
    ...cold("wasm", { 1: [100, 102, 104, 106, 108, 110], 2: [100, 101, 102, 103, 104, 105] }),
    ...cold("docker", { 1: [1000, 1001, 1002] }),
    ...warm("wasm", "hash", { 3: [1, 2, 3] }),
  ]));
  const next = latencyCells(activations([
    ...cold("wasm", {
      1: [130, 133, 135, 138, 140, 143],
      2: [130, 131, 132, 134, 136, 137],
      3: [1, 2],
    }),
    ...cold("docker", { 1: [1000, 1001, 1002] }),
  ]));
  const frame = compareFrame(base, next, { resamples: 500 });
  assert.deepEqual(frame.columns, [...COMPARE_COLUMNS]);
  const rows = records(frame, 6);
  // Level 3 is in NEW only, the hash workload in BASE only: neither is compared.
  assert.deepEqual(rows.map((r) => [r.runtime, r.level, r.n_base, r.n_new]), [
    ["docker", "1", 3, 3],
    ["docker", "all", 3, 3],
    ["wasm", "1", 6, 6],
    ["wasm", "2", 6, 6],
    ["wasm", "all", 12, 12],
  ]);
  const [docker1, , wasm1, , wasmAll] = rows;
  // Three samples a side: no median CI, and no verdict on a ratio's CI from so few.
  assert.equal(docker1.median_base_lo, null);
  assert.equal(docker1.ratio, 1);
  assert.equal(docker1.verdict, "inconclusive");
  // Level 1: medians (104 + 106) / 2 = 105 and (135 + 138) / 2 = 136.5; n = 6: CI ranks 1, 6.
  assert.deepEqual(
    [wasm1.median_base, wasm1.median_new, wasm1.median_base_lo, wasm1.median_base_hi],
    [105, 136.5, 100, 110],
  );
  assert.equal(wasm1.ratio, 1.3);
  // Every new value above every base value: delta 1; exact p = 2 / C(12, 6) = 0.002165.
  assert.equal(wasm1.cliffs_delta, 1);
  assert.equal(wasm1.p_value, Number((2 / 924).toFixed(6)));
  // Pooled: 12 against 12, every new value above every base one.
  assert.equal(wasmAll.median_base, 103.5);
  assert.equal(wasmAll.median_new, 134.5);
  assert.ok((wasmAll.ratio_lo as number) > 1.03, `ratio_lo ${wasmAll.ratio_lo}`);
  assert.ok((wasmAll.ratio_lo as number) <= (wasmAll.ratio as number));
  assert.ok((wasmAll.ratio as number) <= (wasmAll.ratio_hi as number));
  assert.equal(wasmAll.verdict, "slower");
});

Deno.test("compareFrame() is the same under the same seed, and a dataset against itself is 1", () => {
  const ds = latencyCells(activations(
    warm("docker", "hello", {
      1: Array.from({ length: 40 }, (_, i) => 10 + (i * 7) % 13),
      2: Array.from({ length: 30 }, (_, i) => 12 + (i * 5) % 11),
    }),
  ));
  const a = compareFrame(ds, ds, { seed: 3, resamples: 2000 });
  assert.deepEqual(records(a), records(compareFrame(ds, ds, { seed: 3, resamples: 2000 })));
  for (const r of records(a)) {
    assert.equal(r.ratio, 1);
    assert.equal(r.p_value, 1);
    assert.equal(r.cliffs_delta, 0);
    assert.ok((r.ratio_lo as number) <= 1 && 1 <= (r.ratio_hi as number));
    assert.ok(r.verdict === "same" || r.verdict === "inconclusive", `${r.verdict}`);
  }
});

Deno.test("slowdownFrame() divides Docker by Wasm per level and pooled, medians and means", () => {
  const cells = latencyCells(activations([
    ...warm("docker", "hash", { 1: [20, 40, 60, 80, 100, 120], 2: [30, 30, 30, 30, 30, 30] }),
    ...warm("wasm", "hash", { 1: [2, 4, 6, 8, 10, 12], 2: [5, 5, 5, 5, 5, 5] }),
    ...warm("wasm", "hello", { 1: [1, 2, 3] }), // no Docker: no row
  ]));
  const frame = slowdownFrame(cells, { resamples: 1000 });
  assert.deepEqual(frame.columns, [...SLOWDOWN_COLUMNS]);
  const rows = records(frame, 6);
  assert.deepEqual(
    rows.map((r) => [r.workload, r.level, r.median_ratio, r.mean_ratio]),
    [["hash", "1", 10, 10], ["hash", "2", 6, 6], ["hash", "all", 6, 50 / 6]].map((
      r,
    ) => r.map((v) => typeof v === "number" ? Number(v.toFixed(6)) : v)),
  );
  // Level 1: every Docker latency above every Wasm one (6 a side, untied): exact p = 2 / 924.
  assert.equal(rows[0].cliffs_delta, 1);
  assert.equal(rows[0].p_value, Number((2 / 924).toFixed(6)));
  // Level 2 has no spread: its intervals are the point.
  assert.equal(rows[1].median_ratio_lo, 6);
  assert.equal(rows[1].mean_ratio_hi, 6);
  for (const r of rows) {
    assert.ok((r.median_ratio_lo as number) <= (r.median_ratio_hi as number));
    assert.ok((r.mean_ratio_lo as number) <= (r.mean_ratio as number) + 1e-9);
    assert.ok((r.mean_ratio as number) <= (r.mean_ratio_hi as number) + 1e-9);
  }
});

Deno.test("the findings say what the frames' numbers say, and only that", () => {
  const wasmLevels = (scale: number) => ({
    1: [100, 102, 104, 106, 108, 110].map((x) => x * scale),
    2: [100, 101, 102, 103, 104, 105].map((x) => x * scale),
  });
  const base = latencyCells(activations([
    ...cold("wasm", wasmLevels(1)),
    ...warm("docker", "hash", { 1: [20, 40, 60, 80, 100, 120], 2: [30, 31, 32, 33, 34, 35] }),
    ...warm("wasm", "hash", { 1: [2, 4, 6, 8, 10, 12], 2: [5, 6, 5, 6, 5, 6] }),
  ]));
  const next = latencyCells(activations(cold("wasm", wasmLevels(1.5))));
  const compared = compareFindings(compareFrame(base, next, { resamples: 1000 }));
  // Medians 103.5 and 155.25: a ratio of 1.5, every new latency above every base one.
  assert.equal(compared.length, 1);
  assert.match(
    compared[0],
    /^NEW's Wasm cold-start latency under hello load is higher than BASE's, by a factor of 1\.50 \(95 % CI 1\.\d\d-1\.\d\d, p < 0\.001\); of its 2 levels, 2 slower, 0 faster, 0 the same, 0 inconclusive\.$/,
  );
  const slow = slowdownFindings(slowdownFrame(base, { resamples: 1000 }));
  // Pooled medians 34.5 / 6 = 5.75, means 51.25 / 6.25 = 8.2; every Docker latency above every
  // Wasm one at both levels, the larger p (level 2, tied: normal approximation) 0.004.
  assert.equal(slow.length, 1);
  assert.match(
    slow[0],
    /^Wasm's warm latency under hash load is lower than Docker's at every level \(p = 0\.004\), by a factor of 5\.8 \(95 % CI \d\.\d-\d\.\d\)\. The means' ratio Docker \/ Wasm is 8\.2 \(95 % CI/,
  );
});

Deno.test("no ratio CI from fewer than 6 latencies a side, so no finding rests on 1 or 2", () => {
  // One or two cold starts a level: a percentile bootstrap of one value is that value, so it
  // printed "95 % CI 5-5" and the findings said Wasm was faster "at every level (p = 1.000)".
  const cells = latencyCells(activations([
    ...cold("docker", { 1: [500], 2: [510, 530], 3: [520] }),
    ...cold("wasm", { 1: [100], 2: [90, 95], 3: [110] }),
  ]));
  const slowdown = records(slowdownFrame(cells, { resamples: 1000 }), 6);
  assert.deepEqual(slowdown.map((r) => [r.level, r.n_numerator]), [
    ["1", 1],
    ["2", 2],
    ["3", 1],
    ["all", 4],
  ]);
  for (const r of slowdown) {
    assert.equal(r.median_ratio !== null, true, `${r.level}: the point ratio stays`);
    for (const c of ["median_ratio_lo", "median_ratio_hi", "mean_ratio_lo", "mean_ratio_hi"]) {
      assert.equal(r[c], null, `${r.level} ${c}`);
    }
  }
  assert.deepEqual(slowdownFindings(slowdownFrame(cells, { resamples: 1000 })), []);
  const compared = records(compareFrame(cells, cells, { resamples: 1000 }), 6);
  for (const r of compared) {
    assert.equal(r.ratio, 1);
    assert.deepEqual([r.ratio_lo, r.ratio_hi, r.verdict], [null, null, "inconclusive"]);
  }
});
