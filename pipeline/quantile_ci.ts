/**
 * Distribution-free confidence intervals of quantiles from order statistics: the binomial
 * generalisation of the median's interval (Le Boudec, "Performance Evaluation of Computer and
 * Communication Systems", §2.2.2). Of n independent samples, the number K that fall below the
 * q-quantile is Binomial(n, q) whatever the distribution, so the interval between the l-th and
 * the u-th smallest sample (1-based) covers the quantile with probability P(l <= K <= u - 1).
 *
 * The ranks here are exact, not the normal approximation `medianCiRanks` uses for the median
 * (which is one rank wider at about half of all n, and so a little more conservative):
 * in the tails (p95, p99) the approximation puts a bound past the last sample long before the
 * exact interval exists, and clamping it there silently drops the coverage (p99 of 100
 * samples: 62 %, not 95 %).
 */

/** Below this, `Math.exp` is 0 (it is below half the smallest subnormal, 2^-1075). */
const UNDERFLOW = -746;

/**
 * Terms of the binomial below e^-80 (1.8e-35) are left out of a tail's sum: a tail holds at
 * most n of them, together below 1e-25 even at n = 2^31, which changes no comparison of a
 * probability with (1 - level)/2 (a double near 0.025 moves by 3.5e-18 at the least).
 */
const NEGLIGIBLE = -80;

/** ln(k!) for k below {@linkcode STIRLING_FROM}, summed term by term. */
const STIRLING_FROM = 256;
const LOG_FACTORIALS = (() => {
  const table = new Float64Array(STIRLING_FROM);
  for (let k = 2; k < STIRLING_FROM; k++) table[k] = table[k - 1] + Math.log(k);
  return table;
})();

/**
 * ln(k!): a table below {@linkcode STIRLING_FROM}, Stirling's series from there (its first
 * omitted term, 1/(1680 k^7), is below 1e-20 at k = 256).
 */
function logFactorial(k: number): number {
  if (k < STIRLING_FROM) return LOG_FACTORIALS[k];
  const k2 = k * k;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) +
    (1 / 12 - (1 / 360 - 1 / (1260 * k2)) / k2) / k;
}

/** ln P(K = k) for K ~ Binomial(n, q), directly (not from its neighbours). */
function logPmf(n: number, k: number, q: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(q) +
    (n - k) * Math.log1p(-q);
}

/**
 * Where a tail's walk starts: `end` (the tail's far end, k = 0 or k = n) where its term is
 * not negligible, else the k between `end` and `mode` nearest the mode whose term is still
 * below e^{@linkcode NEGLIGIBLE}: the terms beyond it are smaller still (the binomial falls
 * away from its mode on both sides), so a walk from there sums what a walk from `end` sums,
 * in O(sqrt(n)) steps instead of O(n) (the intervals of cells of 40,000 samples cost 40,000
 * steps a tail before, a few hundred now).
 */
function walkStart(n: number, q: number, end: number, mode: number): number {
  let far = end, near = mode; // logPmf(far) < NEGLIGIBLE <= logPmf(near)
  while (Math.abs(near - far) > 1) {
    const mid = Math.floor((far + near) / 2);
    if (logPmf(n, mid, q) < NEGLIGIBLE) far = mid;
    else near = mid;
  }
  return far;
}

/**
 * The 1-based ranks [l, u] of the order statistics that bound an equal-tailed confidence
 * interval of the q-quantile of n samples: l the largest rank with P(K < l) <= (1 - level)/2,
 * u the smallest with P(K >= u) <= (1 - level)/2, K ~ Binomial(n, q); the coverage is at least
 * `level`. Null where no such interval exists, because even the smallest or the largest sample
 * misses the quantile too often: for 95 %, below n = 6 for the median, 36 for p90, 72 for p95,
 * 368 for p99. Each tail is summed term by term from where its terms stop being negligible
 * ({@linkcode walkStart}), each term from the one before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantileCiRanks } from "./quantile_ci.ts";
 * assert.deepEqual(quantileCiRanks(100, 0.5), [40, 61]); // Le Boudec's median ranks
 * assert.equal(quantileCiRanks(367, 0.99), null);
 * assert.deepEqual(quantileCiRanks(368, 0.99), [360, 368]);
 * ```
 */
export function quantileCiRanks(n: number, q: number, level = 0.95): [number, number] | null {
  if (!Number.isInteger(n) || n < 1) return null;
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile ${q} is not between 0 and 1`);
  const alpha = (1 - level) / 2;
  const step = Math.log(q) - Math.log1p(-q);
  const mode = Math.min(n, Math.floor((n + 1) * q));
  // Lower tail from K = 0 up (or from its first term that is not negligible): l - 1 is the
  // last k with P(K <= k) <= alpha.
  let from = n * Math.log1p(-q) >= NEGLIGIBLE ? 0 : walkStart(n, q, 0, mode);
  let logPmfK = from === 0 ? n * Math.log1p(-q) : logPmf(n, from, q), cdf = 0, l = from;
  for (let k = from; k < n; k++) {
    // exp of anything below UNDERFLOW is exactly 0: the far tail's terms skip it, same sums.
    if (logPmfK > UNDERFLOW) cdf += Math.exp(logPmfK);
    if (cdf > alpha) break;
    l = k + 1;
    logPmfK += Math.log((n - k) / (k + 1)) + step;
  }
  // Upper tail from K = n down: u is the first rank with P(K >= u) <= alpha.
  from = n * Math.log(q) >= NEGLIGIBLE ? n : walkStart(n, q, n, mode);
  let u = from + 1, tail = 0;
  logPmfK = from === n ? n * Math.log(q) : logPmf(n, from, q);
  for (let k = from; k > 0; k--) {
    if (logPmfK > UNDERFLOW) tail += Math.exp(logPmfK);
    if (tail > alpha) break;
    u = k;
    logPmfK += Math.log(k / (n - k + 1)) - step;
  }
  return l >= 1 && u <= n ? [l, u] : null;
}

/** The confidence interval of the q-quantile of a sorted sample ({@linkcode quantileCiRanks}). */
export function quantileCi(
  sorted: ArrayLike<number>,
  q: number,
  level = 0.95,
): [number, number] | null {
  const ranks = quantileCiRanks(sorted.length, q, level);
  // Ranks are 1-based; the array is 0-based.
  return ranks && [sorted[ranks[0] - 1], sorted[ranks[1] - 1]];
}
