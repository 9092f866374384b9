import assert from "node:assert/strict";
import { binomial, logFactorial, normal, seededRandom } from "../pipeline/_random.ts";
import {
  bootstrapRatio,
  MeanResampler,
  MedianResampler,
  type Runs,
} from "../pipeline/bootstrap.ts";
import {
  mannWhitney,
  medianCi,
  medianCiRanks,
  sortedMedian,
  verdict,
} from "../pipeline/compare_stats.ts";

const sorted = (xs: number[]) => Float64Array.from(xs).sort();
const close = (actual: number, expected: number, tolerance: number, what = "") =>
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what} ${actual} is not within ${tolerance} of ${expected}`,
  );

Deno.test("medianCiRanks() gives Le Boudec's 1-based ranks, clamped, none below n = 6", () => {
  // Worked by hand: n = 16, 1.96 * 4 = 7.84, floor(8.16 / 2) = 4, ceil(1 + 23.84 / 2) = 13.
  const expected: [number, [number, number] | null][] = [
    [1, null],
    [5, null],
    [6, [1, 6]], // floor(0.6) = 0 -> 1, ceil(6.4) = 7 -> 6
    [7, [1, 7]],
    [10, [1, 10]],
    [16, [4, 13]],
    [30, [9, 22]],
    [40, [13, 28]],
    [100, [40, 61]],
  ];
  for (const [n, ranks] of expected) assert.deepEqual(medianCiRanks(n), ranks, `n = ${n}`);
});

Deno.test("medianCi() reads the ranks as 1-based positions of the sorted sample", () => {
  const xs = sorted(Array.from({ length: 16 }, (_, i) => (i + 1) * 10));
  // Ranks 4 and 13: the 4th and 13th smallest, not the 5th and 14th.
  assert.deepEqual(medianCi(xs), [40, 130]);
  assert.deepEqual(medianCi(sorted([5, 1, 4, 2, 3, 6])), [1, 6]);
  assert.equal(medianCi(sorted([1, 2, 3, 4, 5])), null);
});

Deno.test("mannWhitney() gives R's wilcox.test result on Hollander & Wolfe's example", () => {
  // Permeability at term (x) and at 12-26 weeks (y), Hollander & Wolfe (1973) p. 69f, the
  // example of R's ?wilcox.test: W = 35, one-sided p = 0.1272, so two-sided 0.2544 (exact).
  const y = sorted([1.15, 0.88, 0.90, 0.74, 1.21]);
  const x = sorted([0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]);
  const r = mannWhitney(y, x);
  assert.equal(r.u, 35);
  assert.equal(r.exact, true);
  close(r.p, 0.2544, 5e-5, "p");
  // 35 of the 50 pairs favour x, 15 favour y: delta = (35 - 15) / 50.
  close(r.delta, 0.4, 1e-12, "delta");
});

Deno.test("mannWhitney() gives the effsize package's Cliff's delta of its own test", () => {
  // effsize's test of cliff.delta(treatment, control): estimate -0.25.
  const treatment = sorted([10, 10, 20, 20, 20, 30, 30, 30, 40, 50]);
  const control = sorted([10, 20, 30, 40, 40, 50]);
  close(mannWhitney(control, treatment).delta, -0.25, 1e-12, "delta");
  close(mannWhitney(treatment, control).delta, 0.25, 1e-12, "delta reversed");
});

Deno.test("mannWhitney() with ties: normal approximation, tie-corrected variance, continuity", () => {
  // Worked by hand. Base 1 2 2 3, new 2 3 4 4 5. Ranks: 1 -> 1; the three 2s share 3; the two
  // 3s share 5.5; the two 4s 7.5; 5 -> 9. Rank sum of new = 3 + 5.5 + 7.5 + 7.5 + 9 = 32.5,
  // U = 32.5 - 15 = 17.5. Ties: (27 - 3) + (8 - 2) + (8 - 2) = 36. Variance = 20 / 12 *
  // (10 - 36 / 72) = 15.8333; z = (|17.5 - 10| - 0.5) / 3.97911 = 1.759186; two-sided
  // p = erfc(z / sqrt 2) = 0.0785459. Pairs: 16 new > base, 1 new < base: delta = 15 / 20.
  const r = mannWhitney(sorted([1, 2, 2, 3]), sorted([2, 3, 4, 4, 5]));
  assert.equal(r.u, 17.5);
  assert.equal(r.exact, false);
  close(r.p, 0.0785459, 1e-6, "p");
  assert.equal(r.delta, 0.75);
});

Deno.test("mannWhitney() is exact below 50 a side without ties, approximate from 50", () => {
  const a = (n: number, from: number) => sorted(Array.from({ length: n }, (_, i) => from + 2 * i));
  assert.equal(mannWhitney(a(49, 0), a(49, 1)).exact, true);
  assert.equal(mannWhitney(a(50, 0), a(49, 1)).exact, false);
  assert.equal(mannWhitney(a(10, 0), a(10, 0)).exact, false); // every value tied
  // Completely separated samples of 3: only 1 of the 20 orderings each way, p = 2 / 20.
  close(mannWhitney(sorted([1, 2, 3]), sorted([4, 5, 6])).p, 0.1, 1e-12, "p");
  // Identical samples: no evidence of a difference.
  const same = mannWhitney(a(60, 0), a(60, 0));
  assert.equal(same.p, 1);
  assert.equal(same.delta, 0);
  // All values tied: no variance, p = 1 rather than 0 / 0.
  assert.equal(mannWhitney(sorted([3, 3]), sorted([3, 3, 3])).p, 1);
});

Deno.test("mannWhitney()'s exact p and normal approximation agree where it switches", () => {
  // 49 against 49 interleaved, y shifted by 29; tying y's two largest values (both above
  // every x) leaves U as it is but switches to the approximation.
  const x = sorted(Array.from({ length: 49 }, (_, i) => 2 * i));
  const y = sorted(Array.from({ length: 49 }, (_, i) => 2 * i + 29));
  const tied = sorted([...y.subarray(0, 48), y[47]]);
  const exact = mannWhitney(x, y), approx = mannWhitney(x, tied);
  assert.equal(exact.exact, true);
  assert.equal(approx.exact, false);
  assert.equal(approx.u, exact.u);
  assert.ok(exact.p > 0 && exact.p < 0.05, `exact p ${exact.p}`);
  close(approx.p, exact.p, 0.002, "approximate vs exact p");
});

Deno.test("verdict() judges the ratio's CI against the threshold", () => {
  const t = 0.03;
  assert.equal(verdict(1.04, 1.2, t), "slower");
  assert.equal(verdict(1.03, 1.2, t), "inconclusive"); // not wholly above 1.03
  assert.equal(verdict(0.8, 0.96, t), "faster");
  assert.equal(verdict(0.8, 0.97, t), "inconclusive");
  assert.equal(verdict(0.97, 1.03, t), "same"); // inside, bounds included
  assert.equal(verdict(0.99, 1.05, t), "inconclusive");
  assert.equal(verdict(null, null, t), "inconclusive");
  assert.equal(verdict(1.1, Infinity, t), "inconclusive");
  assert.equal(verdict(0.9, 1.1, 0.2), "same");
});

Deno.test("binomial() draws have the binomial's frequencies (inversion and BTRS)", () => {
  const random = seededRandom(11);
  for (const [n, p] of [[12, 0.3], [60, 0.4], [1000, 0.7], [25, 0.5]]) {
    const draws = 200_000;
    const counts = new Float64Array(n + 1);
    for (let i = 0; i < draws; i++) counts[binomial(random, n, p)]++;
    // Chi-square over outcomes with an expected count of at least 20, the rest pooled.
    let chi = 0, cells = 0, restObserved = 0, restExpected = 0;
    for (let k = 0; k <= n; k++) {
      const logPmf = logFactorial(n) - logFactorial(k) - logFactorial(n - k) +
        k * Math.log(p) + (n - k) * Math.log(1 - p);
      const expected = draws * Math.exp(logPmf);
      if (expected >= 20) {
        chi += (counts[k] - expected) ** 2 / expected;
        cells++;
      } else {
        restObserved += counts[k];
        restExpected += expected;
      }
    }
    if (restExpected > 0) chi += (restObserved - restExpected) ** 2 / restExpected, cells++;
    // 99.9 % point of chi-square with df = cells - 1 is below df + 4.5 sqrt(2 df) + 10.
    const df = cells - 1;
    assert.ok(chi < df + 4.5 * Math.sqrt(2 * df) + 10, `n=${n} p=${p}: chi2 ${chi}, df ${df}`);
  }
});

Deno.test("logFactorial() is exact across the table's edge", () => {
  let exact = 0;
  for (let k = 1; k <= 400; k++) {
    exact += Math.log(k);
    close(logFactorial(k), exact, 1e-9 * exact + 1e-12, `ln ${k}!`);
  }
});

/**
 * The exact bootstrap distribution of the median of a (run, then sample) resample of tiny
 * `runs`, by enumerating every resample: value -> probability.
 */
function enumerateMedians(runs: Runs): Map<number, number> {
  const out = new Map<number, number>();
  const R = runs.length;
  const picks = (depth: number, chosen: Float64Array[][]): void => {
    if (depth === R) return values(chosen.flat(), 0, [], 1 / R ** R);
    for (const run of runs) picks(depth + 1, [...chosen, run]);
  };
  const values = (strata: Float64Array[], s: number, acc: number[], weight: number): void => {
    if (s === strata.length) {
      const m = sortedMedian([...acc].sort((a, b) => a - b))!;
      out.set(m, (out.get(m) ?? 0) + weight);
      return;
    }
    const st = strata[s], n = st.length;
    const pick = (i: number, acc2: number[], w: number): void => {
      if (i === n) return values(strata, s + 1, acc2, w);
      for (const v of st) pick(i + 1, [...acc2, v], w / n);
    };
    pick(0, acc, weight);
  };
  picks(0, []);
  return out;
}

/** Largest gap between the CDFs of an exact distribution and of draws (Kolmogorov's D). */
function ksDistance(exact: Map<number, number>, draws: number[]): number {
  const keys = [...new Set([...exact.keys(), ...draws])].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (const d of draws) counts.set(d, (counts.get(d) ?? 0) + 1);
  let fe = 0, fd = 0, worst = 0;
  for (const k of keys) {
    fe += exact.get(k) ?? 0;
    fd += (counts.get(k) ?? 0) / draws.length;
    worst = Math.max(worst, Math.abs(fe - fd));
  }
  return worst;
}

Deno.test("MedianResampler draws the exact bootstrap distribution of the median, every way", () => {
  const cases: [string, Runs][] = [
    ["one sample, even n", [[sorted([1, 2, 2, 3, 7, 9])]]],
    ["one sample, odd n", [[sorted([4, 1, 8, 8, 2])]]],
    ["runs of strata", [[sorted([1, 5, 5]), sorted([2, 9])], [sorted([3]), sorted([4, 4, 8])]]],
    ["runs of unequal size", [[sorted([2, 6])], [sorted([1, 3, 7])], [sorted([5])]]],
  ];
  const draws = 100_000;
  for (const [name, runs] of cases) {
    const exact = enumerateMedians(runs);
    for (const method of ["auto", "values", "bisection"] as const) {
      const resampler = new MedianResampler(runs, { method });
      const random = seededRandom(5);
      const got = Array.from({ length: draws }, () => resampler.draw(random));
      // Kolmogorov's 99.9 % critical value 1.95 / sqrt(n).
      const d = ksDistance(exact, got);
      assert.ok(d < 1.95 / Math.sqrt(draws), `${name}, ${method}: D = ${d}`);
    }
  }
});

Deno.test("MedianResampler's bisection is exact on a large stratified cell too", () => {
  // 3 strata of 400 tied values: the bisection (auto) against value-by-value resampling.
  const random = seededRandom(9);
  const stratum = (scale: number) =>
    sorted(Array.from({ length: 400 }, () => Math.round(scale * -Math.log(1 - random()))));
  const runs: Runs = [[stratum(10), stratum(20), stratum(40)]];
  const draws = 40_000;
  const a = new MedianResampler(runs), b = new MedianResampler(runs, { method: "values" });
  const ra = seededRandom(1), rb = seededRandom(2);
  const byValue = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const v = b.draw(rb);
    byValue.set(v, (byValue.get(v) ?? 0) + 1 / draws);
  }
  const got = Array.from({ length: draws }, () => a.draw(ra));
  // Two samples of 40,000: 99.9 % critical value 1.95 * sqrt(2 / n).
  const d = ksDistance(byValue, got);
  assert.ok(d < 1.95 * Math.sqrt(2 / draws), `D = ${d}`);
});

Deno.test("bootstrapRatio() is deterministic under a seed and differs across seeds", () => {
  const base = new MedianResampler([[sorted([10, 12, 11, 15, 13, 14, 18, 9, 10, 12])]]);
  const next = new MedianResampler([[sorted([13, 15, 14, 19, 16, 17, 22, 12, 13, 15])]]);
  const ci = (seed: number) => bootstrapRatio(next, base, seededRandom(seed), { resamples: 2000 });
  assert.deepEqual(ci(42), ci(42));
  assert.notDeepEqual(ci(42), ci(43));
  const [lo, hi] = ci(42)!;
  assert.ok(lo < 1.25 && 1.25 < hi, `${lo}..${hi} should hold 15 / 12`);
});

Deno.test("bootstrapRatio() of 0 / 0 medians is no interval", () => {
  const zeros = new MedianResampler([[sorted([0, 0, 0, 0, 0, 0])]]);
  assert.equal(bootstrapRatio(zeros, zeros, seededRandom(1), { resamples: 100 }), null);
});

Deno.test("MeanResampler's draws centre on the mean with the bootstrap's spread", () => {
  const random = seededRandom(3);
  const values = sorted(Array.from({ length: 1000 }, () => 100 * -Math.log(1 - random())));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  for (const exactUpTo of [200, 5000]) {
    const r = new MeanResampler([[values]], { exactUpTo });
    const draws = Array.from({ length: 20_000 }, () => r.draw(random));
    const m = draws.reduce((s, v) => s + v, 0) / draws.length;
    const s = Math.sqrt(draws.reduce((t, v) => t + (v - m) ** 2, 0) / draws.length);
    close(m, mean, 4 * sd / Math.sqrt(1000) / Math.sqrt(20_000) + 1e-9, `mean (${exactUpTo})`);
    close(s, sd / Math.sqrt(1000), 0.03 * sd / Math.sqrt(1000), `SD (${exactUpTo})`);
  }
});

Deno.test("medianCi() covers a known median about 95 % of the time", () => {
  // Exponential samples of 40 (median ln 2): the ranks 13 and 28 cover it with probability
  // P(13 <= Binomial(40, 1/2) <= 27) = 0.9834 (worked out from the binomial).
  const random = seededRandom(2024);
  const reps = 4000;
  let covered = 0;
  for (let r = 0; r < reps; r++) {
    const xs = sorted(Array.from({ length: 40 }, () => -Math.log(1 - random())));
    const [lo, hi] = medianCi(xs)!;
    if (lo <= Math.LN2 && Math.LN2 <= hi) covered++;
  }
  close(covered / reps, 0.9834, 0.008, "coverage");
});

Deno.test("bootstrapRatio() of medians covers the true ratio about 95 % of the time", () => {
  // Lognormal latencies, the new run 1.3x the base: the true ratio of medians is 1.3.
  const random = seededRandom(77);
  const lognormal = () =>
    Math.exp(0.5 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const reps = 400;
  let covered = 0;
  for (let r = 0; r < reps; r++) {
    const base = sorted(Array.from({ length: 80 }, () => 100 * lognormal()));
    const next = sorted(Array.from({ length: 80 }, () => 130 * lognormal()));
    const ci = bootstrapRatio(
      new MedianResampler([[next]]),
      new MedianResampler([[base]]),
      random,
      { resamples: 1000 },
    )!;
    if (ci[0] <= 1.3 && 1.3 <= ci[1]) covered++;
  }
  // 400 intervals: a binomial SD of 1.1 %; the percentile bootstrap of a median is a little
  // conservative on discrete order statistics.
  const rate = covered / reps;
  assert.ok(rate > 0.91 && rate < 0.99, `coverage ${rate}`);
});

Deno.test("the verdict's error rates hold on latency shapes: ~5 % under the null, 95 % cover", () => {
  // One run a dataset, as the concurrency experiment: lognormal, heavy-tailed (3 % of values
  // 10x), a cold/warm mix and whole milliseconds (many ties), at 6 to 200 values a side. All
  // are scale families, so NEW = 1.2 x BASE has a true ratio of medians of exactly 1.2.
  const random = seededRandom(2025);
  const shapes: ((f: number) => number)[] = [
    (f) => f * 100 * Math.exp(0.5 * normal(random)),
    (f) => f * 100 * Math.exp(0.3 * normal(random)) * (random() < 0.03 ? 10 : 1),
    (f) => f * (random() < 0.3 ? 500 + 50 * normal(random) : 20 + 3 * normal(random)),
    (f) => Math.round(f * 100 * Math.exp(0.2 * normal(random))),
  ];
  const reps = 60;
  let trials = 0, nullDifferent = 0, covered = 0;
  for (const shape of shapes) {
    for (const n of [6, 15, 40, 200]) {
      for (let r = 0; r < reps; r++) {
        const draw = (f: number) => sorted(Array.from({ length: n }, () => shape(f)));
        const ci = (f: number) =>
          bootstrapRatio(
            new MedianResampler([[draw(f)]]),
            new MedianResampler([[draw(1)]]),
            random,
            { resamples: 1000 },
          )!;
        const [lo, hi] = ci(1);
        // Threshold 0: slower or faster is "the CI excludes 1", the plain two-sided test.
        const v = verdict(lo, hi, 0);
        if (v === "slower" || v === "faster") nullDifferent++;
        const [slo, shi] = ci(1.2);
        if (slo <= 1.2 && 1.2 <= shi) covered++;
        trials++;
      }
    }
  }
  // 960 trials: 3 binomial SDs at p = 0.05 is 0.021. The percentile bootstrap of a median is
  // conservative here (about 3 % different, 96-97 % covered), so only the bound that matters
  // to a reader is asserted: not more false alarms, not less coverage, than claimed.
  const sd = Math.sqrt(0.05 * 0.95 / trials);
  assert.ok(nullDifferent / trials <= 0.05 + 3 * sd, `null: ${nullDifferent} of ${trials}`);
  assert.ok(covered / trials >= 0.95 - 3 * sd, `coverage: ${covered} of ${trials}`);
});
