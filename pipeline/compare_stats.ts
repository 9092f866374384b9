/**
 * The statistics that say whether two latency samples really differ: a distribution-free
 * confidence interval of a median, the Mann-Whitney U test, Cliff's delta and the verdict on a
 * ratio's interval. Pure functions of sorted samples (Float64Array, ascending): the comparison
 * sorts each cell once and every statistic here walks it in linear time.
 *
 * Why medians and ranks rather than means and t-tests: latencies are skewed and heavy-tailed
 * (the thesis prints CoVs above 100 %), so a few outliers move a mean and its SD, not a median
 * or a rank.
 */

/** z of a two-sided 95 % interval. */
const Z95 = 1.96;

/**
 * The 1-based ranks of the order statistics that bound a 95 % confidence interval of the
 * median of n samples (Le Boudec, "Performance Evaluation of Computer and Communication
 * Systems", Theorem 2.1): floor((n - 1.96 sqrt(n)) / 2) and ceil(1 + (n + 1.96 sqrt(n)) / 2),
 * clamped to 1..n; null below n = 6, where no interval at 95 % exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { medianCiRanks } from "./compare_stats.ts";
 * assert.deepEqual(medianCiRanks(100), [40, 61]);
 * assert.equal(medianCiRanks(5), null);
 * ```
 */
export function medianCiRanks(n: number): [number, number] | null {
  if (n < 6) return null;
  const half = Z95 * Math.sqrt(n);
  const lo = Math.floor((n - half) / 2);
  const hi = Math.ceil(1 + (n + half) / 2);
  return [Math.min(Math.max(lo, 1), n), Math.min(Math.max(hi, 1), n)];
}

/** The 95 % confidence interval of the median of a sorted sample; null below n = 6. */
export function medianCi(sorted: Float64Array): [number, number] | null {
  const ranks = medianCiRanks(sorted.length);
  // Ranks are 1-based; the array is 0-based.
  return ranks && [sorted[ranks[0] - 1], sorted[ranks[1] - 1]];
}

/** The median of a sorted sample (mean of the two middle values for even n); null if empty. */
export function sortedMedian(sorted: ArrayLike<number>): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const mid = n >> 1;
  return n % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The q-quantile of a sorted sample, interpolating linearly between order statistics (R's
 * type 7, as the per-level tables); null if empty.
 */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < n ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/** Result of {@linkcode mannWhitney}. */
export interface MannWhitney {
  /** U of the second sample: pairs (x, y) with y > x, ties counted one half. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** Whether p is exact (both samples under 50 values and no ties) or the normal approximation. */
  exact: boolean;
  /** Cliff's delta of the second sample against the first: P(y > x) - P(y < x), in [-1, 1]. */
  delta: number;
}

/** Both samples below this size and no ties: the exact distribution of U (as R's wilcox.test). */
const EXACT_BELOW = 50;

/**
 * The two-sided Mann-Whitney U test (Wilcoxon rank-sum) of sorted samples `x` and `y`, and
 * Cliff's delta of y against x from the same rank sum. Exact where both samples have fewer
 * than 50 values and no value is tied; otherwise the normal approximation with the tie
 * correction of the variance and a continuity correction of 1/2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mannWhitney } from "./compare_stats.ts";
 * const r = mannWhitney(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6));
 * assert.equal(r.u, 9);
 * assert.equal(r.delta, 1);
 * assert.ok(Math.abs(r.p - 0.1) < 1e-12); // exact: 2 of the 20 orderings are as extreme
 * ```
 */
export function mannWhitney(x: Float64Array, y: Float64Array): MannWhitney {
  const m = x.length, n = y.length;
  if (m === 0 || n === 0) throw new RangeError("Mann-Whitney U needs two non-empty samples");
  // Merge the sorted samples; each run of equal values shares its average rank.
  let i = 0, j = 0, rank = 0, rankSumY = 0, ties = 0;
  while (i < m || j < n) {
    const v = i < m && (j >= n || x[i] <= y[j]) ? x[i] : y[j];
    let inX = 0, inY = 0;
    while (i < m && x[i] === v) i++, inX++;
    while (j < n && y[j] === v) j++, inY++;
    const t = inX + inY;
    rankSumY += inY * (rank + (t + 1) / 2);
    rank += t;
    if (t > 1) ties += t * t * t - t;
  }
  const u = rankSumY - n * (n + 1) / 2;
  const delta = (2 * u - m * n) / (m * n);
  if (m < EXACT_BELOW && n < EXACT_BELOW && ties === 0) {
    const pmf = uDistribution(m, n);
    let lower = 0, upper = 0;
    for (let v = 0; v <= u; v++) lower += pmf[v];
    for (let v = pmf.length - 1; v >= u; v--) upper += pmf[v];
    return { u, p: Math.min(1, 2 * Math.min(lower, upper)), exact: true, delta };
  }
  const total = m + n;
  const variance = m * n / 12 * ((total + 1) - ties / (total * (total - 1)));
  const dev = Math.max(Math.abs(u - m * n / 2) - 0.5, 0);
  const p = variance > 0 ? Math.min(1, 2 * normalUpperTail(dev / Math.sqrt(variance))) : 1;
  return { u, p, exact: false, delta };
}

/**
 * P(U = u) for u = 0..m*n under the null hypothesis, for samples of m and n untied values:
 * the recursion p(m, n, u) = m/(m+n) p(m-1, n, u-n) + n/(m+n) p(m, n-1, u) (the largest value
 * is from the first sample or from the second), in probabilities so nothing overflows.
 */
function uDistribution(m: number, n: number): Float64Array {
  // rows[b] holds the distribution for (a, b) of the current a.
  let rows: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let a = 1; a <= m; a++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let b = 1; b <= n; b++) {
      const d = new Float64Array(a * b + 1);
      const fromX = rows[b], fromY = next[b - 1], wx = a / (a + b), wy = b / (a + b);
      for (let u = 0; u < d.length; u++) {
        d[u] = (u >= b && u - b < fromX.length ? wx * fromX[u - b] : 0) +
          (u < fromY.length ? wy * fromY[u] : 0);
      }
      next.push(d);
    }
    rows = next;
  }
  return rows[n];
}

/**
 * P(Z > z) of a standard normal, from erfc's Chebyshev fit (Numerical Recipes, 2nd ed. §6.2),
 * relative error below 1.2e-7 everywhere, so even very small p-values keep their digits.
 */
export function normalUpperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc = t * Math.exp(
    -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** What a comparison concludes about one cell. */
export type Verdict = "slower" | "faster" | "same" | "inconclusive";

/**
 * The verdict on a ratio new / base from its confidence interval and a practical threshold t
 * (a fraction, 0.03 for 3 %): wholly above 1 + t is slower, wholly below 1 - t faster, wholly
 * inside [1 - t, 1 + t] the same, anything else (or no interval) inconclusive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verdict } from "./compare_stats.ts";
 * assert.equal(verdict(1.2, 1.4, 0.03), "slower");
 * assert.equal(verdict(0.98, 1.02, 0.03), "same");
 * assert.equal(verdict(0.9, 1.1, 0.03), "inconclusive");
 * ```
 */
export function verdict(lo: number | null, hi: number | null, threshold: number): Verdict {
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return "inconclusive";
  }
  if (lo > 1 + threshold) return "slower";
  if (hi < 1 - threshold) return "faster";
  if (lo >= 1 - threshold && hi <= 1 + threshold) return "same";
  return "inconclusive";
}
