import assert from "node:assert/strict";
import { quantileCi, quantileCiRanks } from "../pipeline/quantile_ci.ts";
import { levelSamples } from "../pipeline/level_samples.ts";
import { percentilesTable } from "../pipeline/percentiles_table.ts";
import { warmLevels } from "../pipeline/latency_tables.ts";
import pl from "nodejs-polars";
import {
  cellsNeedingRuns,
  repetitionsSummary,
  repetitionsTable,
} from "../pipeline/repetitions_table.ts";
import { seededRandom } from "../pipeline/_random.ts";
import { activations, records } from "./_frames.ts";

/**
 * The equal-tailed ranks of a quantile q = num/den from the binomial distribution in exact
 * rational arithmetic (BigInt): an independent computation of what quantileCiRanks finds in
 * floating point. Each tail may hold at most 1/40 of the probability.
 */
function exactRanks(n: number, num: number, den: number): [number, number] | null {
  const N = BigInt(n), p = BigInt(num), q = BigInt(den - num), total = BigInt(den) ** N;
  const pmf: bigint[] = [];
  let c = 1n;
  for (let k = 0n; k <= N; k++) {
    pmf.push(c * p ** k * q ** (N - k));
    c = c * (N - k) / (k + 1n);
  }
  // P(K <= k) * 40 <= 1  <=>  40 * sum <= den^n.
  let l = 0, sum = 0n;
  for (let k = 0; k < n; k++) {
    sum += pmf[k];
    if (40n * sum > total) break;
    l = k + 1;
  }
  let u = n + 1;
  sum = 0n;
  for (let k = n; k > 0; k--) {
    sum += pmf[k];
    if (40n * sum > total) break;
    u = k;
  }
  return l >= 1 && u <= n ? [l, u] : null;
}

Deno.test("quantileCiRanks() agrees with the exact binomial ranks in rational arithmetic", () => {
  for (const [num, den] of [[1, 2], [9, 10], [19, 20], [99, 100]]) {
    for (let n = 1; n <= 420; n++) {
      assert.deepEqual(
        quantileCiRanks(n, num / den),
        exactRanks(n, num, den),
        `n ${n} q ${num}/${den}`,
      );
    }
  }
});

/**
 * The ranks as the binomial's terms walked one by one from each far end (K = 0 up, K = n down),
 * each term from the one before: what quantileCiRanks computes, with no term left out.
 */
function walkedRanks(n: number, q: number, level = 0.95): [number, number] | null {
  const alpha = (1 - level) / 2, step = Math.log(q) - Math.log1p(-q);
  let logPmf = n * Math.log1p(-q), cdf = 0, l = 0;
  for (let k = 0; k < n; k++) {
    cdf += Math.exp(logPmf);
    if (cdf > alpha) break;
    l = k + 1;
    logPmf += Math.log((n - k) / (k + 1)) + step;
  }
  let u = n + 1, tail = 0;
  logPmf = n * Math.log(q);
  for (let k = n; k > 0; k--) {
    tail += Math.exp(logPmf);
    if (tail > alpha) break;
    u = k;
    logPmf += Math.log(k / (n - k + 1)) - step;
  }
  return l >= 1 && u <= n ? [l, u] : null;
}

Deno.test("quantileCiRanks() from where the terms matter gives the ranks of the walk over every term", () => {
  const random = seededRandom(5);
  const ns = [
    ...Array.from({ length: 1200 }, (_, i) => i + 1),
    ...Array.from({ length: 30 }, () => 1200 + Math.floor(random() * 300_000)),
    1_000_000,
    2_000_003,
  ];
  for (const n of ns) {
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      assert.deepEqual(quantileCiRanks(n, q), walkedRanks(n, q), `n ${n} q ${q}`);
    }
  }
});

Deno.test("quantileCiRanks() at small n: the median's ranks of Le Boudec's table, none for the tails", () => {
  assert.equal(quantileCiRanks(5, 0.5), null);
  assert.deepEqual(quantileCiRanks(6, 0.5), [1, 6]); // coverage 1 - 2/64
  assert.deepEqual(quantileCiRanks(10, 0.5), [2, 9]); // P(K <= 1) = 11/1024, P(K <= 2) = 56/1024
  assert.deepEqual(quantileCiRanks(100, 0.5), [40, 61]);
  // The largest sample misses p90 with probability 0.9^n: 0.0250 at n = 35, 0.0225 at 36.
  assert.equal(quantileCiRanks(35, 0.9), null);
  assert.equal(quantileCiRanks(36, 0.9)![1], 36);
  assert.equal(quantileCiRanks(71, 0.95), null);
  assert.equal(quantileCiRanks(367, 0.99), null);
  assert.equal(quantileCiRanks(368, 0.99)![1], 368);
  assert.deepEqual(quantileCi(Float64Array.of(1, 2, 3, 4, 5, 6), 0.5), [1, 6]);
});

Deno.test("quantileCi() covers a known quantile in about 95 % of simulated samples", () => {
  const random = seededRandom(11);
  for (const [q, n] of [[0.5, 40], [0.9, 120], [0.99, 600]]) {
    let covered = 0;
    const trials = 2000;
    for (let t = 0; t < trials; t++) {
      // Exponential samples: the q-quantile is -ln(1 - q).
      const xs = Float64Array.from({ length: n }, () => -Math.log(1 - random())).sort();
      const [lo, hi] = quantileCi(xs, q)!;
      const truth = -Math.log(1 - q);
      if (lo <= truth && truth <= hi) covered++;
    }
    const rate = covered / trials;
    assert.ok(rate >= 0.935 && rate <= 0.99, `q ${q} n ${n}: coverage ${rate}`);
  }
});

/** Warm samples of the concurrency experiment: latencies by run at one level. */
const warm = (runtime: string, level: number, byRun: number[][]) =>
  byRun.flatMap((xs, i) =>
    xs.map((x) => ({
      experiment: "concurrency",
      workload: "hash",
      runtime,
      level,
      run: i + 1,
      source: "warm_samples",
      wait_ms: x,
    }))
  );

Deno.test("percentilesTable() per level, runs merged: type-7 estimates, exact intervals, tail counts", () => {
  const rows = activations([
    // 1..10 in two runs at level 2, as warm samples.
    ...warm("wasm", 2, [[10, 1, 3, 5, 7], [2, 4, 6, 8, 9]]),
    // A cold start: wait 100 + init 20; one without a level is left out.
    {
      experiment: "cold_start",
      workload: "hello",
      runtime: "docker",
      run: 1,
      level: 1,
      wait_ms: 100,
      init_ms: 20,
    },
    {
      experiment: "cold_start",
      workload: "hello",
      runtime: "docker",
      run: 1,
      wait_ms: 1,
      init_ms: 1,
    },
    // Samples of unknown warmth never enter.
    {
      experiment: "concurrency",
      workload: "hash",
      runtime: "wasm",
      level: 2,
      source: "samples",
      wait_ms: 1e6,
    },
  ]);
  const t = percentilesTable(levelSamples(rows));
  assert.deepEqual(records(t), [
    {
      experiment: "cold_start",
      workload: "hello",
      runtime: "docker",
      level: 1,
      n: 1,
      runs: 1,
      p50_ms: 120,
      p50_lo_ms: null,
      p50_hi_ms: null,
      p50_tail_n: 0,
      p90_ms: 120,
      p90_lo_ms: null,
      p90_hi_ms: null,
      p90_tail_n: 0,
      p95_ms: 120,
      p95_lo_ms: null,
      p95_hi_ms: null,
      p95_tail_n: 0,
      p99_ms: 120,
      p99_lo_ms: null,
      p99_hi_ms: null,
      p99_tail_n: 0,
    },
    {
      experiment: "concurrency",
      workload: "hash",
      runtime: "wasm",
      level: 2,
      n: 10,
      runs: 2,
      // (n - 1) q = 4.5, 8.1, 8.55, 8.91 between 0-based order statistics.
      p50_ms: 5.5,
      p50_lo_ms: 2,
      p50_hi_ms: 9,
      p50_tail_n: 5,
      p90_ms: 9.1,
      p90_lo_ms: null,
      p90_hi_ms: null,
      p90_tail_n: 1,
      p95_ms: 9.55,
      p95_lo_ms: null,
      p95_hi_ms: null,
      p95_tail_n: 1,
      p99_ms: 9.91,
      p99_lo_ms: null,
      p99_hi_ms: null,
      p99_tail_n: 1,
    },
  ]);
  assert.equal(percentilesTable(levelSamples(rows, [2])).height, 1);
});

Deno.test("levelSamples(): runs merged and sorted, the runs counted (a null run is run 0), bad latencies named", () => {
  const rows = activations([
    ...warm("wasm", 1, [[5, 1], [4, 2], [3]]),
    ...warm("docker", 1, [[2]]).map((r) => ({ ...r, run: null })),
    ...warm("docker", 1, [[1]]),
  ]);
  assert.deepEqual(
    levelSamples(rows).map(({ runtime, runs, sorted }) => ({ runtime, runs, sorted: [...sorted] })),
    [{ runtime: "docker", runs: 2, sorted: [1, 2] }, {
      runtime: "wasm",
      runs: 3,
      sorted: [1, 2, 3, 4, 5],
    }],
  );
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(
      () => levelSamples(activations(warm("wasm", 3, [[1, 2], [bad]])), [1]),
      new RegExp(`runtime wasm, level 3, run 2 has a latency of ${bad} ms, expected a finite`),
    );
  }
});

Deno.test("levelSamples() from the warm table's group-by: the same cells as from the rows alone", () => {
  const random = seededRandom(7);
  const draw = (n: number) => Array.from({ length: n }, () => Math.round(random() * 1e4) / 10);
  const rows = activations([
    ...warm("wasm", 1, [draw(40), draw(3)]),
    ...warm("docker", 1, [draw(9)]).map((r) => ({ ...r, run: null })),
    ...warm("docker", 2, [draw(5), draw(6), draw(1)]),
    ...warm("docker", 2, [draw(4)]).map((r) => ({ ...r, workload: "aes", source: "record" })),
    ...warm("wasm", 3, [draw(3)]).map((r) => ({ ...r, level: null })),
    ...draw(12).map((x, i) => ({
      experiment: "cold_start",
      workload: "hello",
      runtime: i % 2 ? "wasm" : "docker",
      run: 1 + (i % 3),
      level: 1 + (i % 4),
      source: "record",
      wait_ms: x,
      init_ms: i,
    })),
  ]);
  const shown = (cells: ReturnType<typeof levelSamples>) =>
    cells.map((c) => ({ ...c, sorted: [...c.sorted] }));
  for (const levels of [undefined, [2, 3]]) {
    const alone = shown(levelSamples(rows, levels));
    assert.ok(alone.some((c) => c.experiment === "cold_start"));
    assert.ok(alone.some((c) => c.workload === "aes"));
    assert.deepEqual(shown(levelSamples(rows, levels, warmLevels(rows))), alone);
  }
  const bad = activations(warm("wasm", 3, [[1, 2], [NaN]]));
  assert.throws(
    () => levelSamples(bad, undefined, warmLevels(bad)),
    /runtime wasm, level 3, run 2 has a latency of NaN ms/,
  );
});

Deno.test("repetitionsTable(): within 5 % or the samples and runs the sample's quantiles say", () => {
  const wide = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 in one run
  const tight = Array.from({ length: 50 }, (_, i) => 100 + (i % 3) - 1); // 99, 100, 101
  const rows = activations([
    ...warm("docker", 1, [wide]),
    ...warm("docker", 2, [tight.slice(0, 25), tight.slice(25)]),
    ...warm("docker", 3, [[1, 2], [3]]),
  ]);
  const t = records(repetitionsTable(levelSamples(rows)), 6);
  // Level 1: median 50.5, ranks 40 and 61 -> [40, 61]; half-width 10.5 / 50.5 = 20.79 %.
  // The sample's quantile p is 1 + 99 p: 1/2 -/+ d is within 5 % (2.525) of the median for
  // d <= 2.525 / 99, so (0.98 / d)^2 = 1,476.39 -> 1,477 samples, 15 runs of 100.
  assert.deepEqual(t[0], {
    experiment: "concurrency",
    workload: "hash",
    runtime: "docker",
    level: 1,
    n: 100,
    runs: 1,
    median_ms: 50.5,
    median_lo_ms: 40,
    median_hi_ms: 61,
    half_width_pct: 20.792079,
    within_5pct: false,
    n_needed: 1477,
    runs_needed: 15,
  });
  assert.deepEqual(
    [t[1].median_ms, t[1].within_5pct, t[1].n_needed, t[1].runs_needed],
    [100, true, 50, 2],
  );
  // Three samples (1, 2, 3): no interval. Quantile 1/2 -/+ d is 2 -/+ 2d, within 0.1 of 2 for
  // d <= 0.05: (0.98 / 0.05)^2 = 384.16 -> 385 samples; 2 runs for 3 samples -> 257 runs.
  assert.deepEqual(
    [t[2].half_width_pct, t[2].within_5pct, t[2].n_needed, t[2].runs_needed],
    [null, false, 385, 257],
  );
  // Two samples 100 and 100.1 are within 5 % at every quantile: the 6 an interval needs.
  const close = records(
    repetitionsTable(levelSamples(activations(warm("docker", 1, [[100, 100.1]])))),
  );
  assert.deepEqual([close[0].n_needed, close[0].runs_needed], [6, 3]);
});

Deno.test("cellsNeedingRuns() keeps the cells not within 5 %, most runs needed first", () => {
  const wide = Array.from({ length: 100 }, (_, i) => i + 1);
  const rows = activations([
    ...warm("docker", 1, [wide]),
    ...warm("docker", 2, [Array(30).fill(100)]),
    ...warm("docker", 3, [[1, 2], [3]]),
    ...warm("wasm", 1, [wide.slice(0, 50), wide.slice(50)]),
  ]);
  const table = repetitionsTable(levelSamples(rows));
  assert.match(
    repetitionsSummary(table),
    /^1 of 4 cells \(experiment, workload, runtime, level\) have a median whose 95 % interval lies within ±5 % of it\. These 3 need more:/,
  );
  assert.match(
    repetitionsSummary(table.filter(pl.col("within_5pct"))),
    /^1 of 1 cells .* No cell needs more runs\.$/,
  );
  const need = cellsNeedingRuns(table);
  assert.deepEqual(
    need.toRecords().map((r) => [r.runtime, r.level, r.runs_needed]),
    [["docker", 3, 257], ["wasm", 1, 30], ["docker", 1, 15]],
  );
});
