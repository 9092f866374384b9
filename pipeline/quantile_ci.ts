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
 * The 1-based ranks [l, u] of the order statistics that bound an equal-tailed confidence
 * interval of the q-quantile of n samples: l the largest rank with P(K < l) <= (1 - level)/2,
 * u the smallest with P(K >= u) <= (1 - level)/2, K ~ Binomial(n, q); the coverage is at least
 * `level`. Null where no such interval exists, because even the smallest or the largest sample
 * misses the quantile too often: for 95 %, below n = 6 for the median, 36 for p90, 72 for p95,
 * 368 for p99.
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
  // Lower tail from K = 0 up: l - 1 is the last k with P(K <= k) <= alpha.
  let logPmf = n * Math.log1p(-q), cdf = 0, l = 0;
  for (let k = 0; k < n; k++) {
    // exp of anything below UNDERFLOW is exactly 0: the far tail's terms skip it, same sums.
    if (logPmf > UNDERFLOW) cdf += Math.exp(logPmf);
    if (cdf > alpha) break;
    l = k + 1;
    logPmf += Math.log((n - k) / (k + 1)) + step;
  }
  // Upper tail from K = n down: u is the first rank with P(K >= u) <= alpha.
  let u = n + 1, tail = 0;
  logPmf = n * Math.log(q);
  for (let k = n; k > 0; k--) {
    if (logPmf > UNDERFLOW) tail += Math.exp(logPmf);
    if (tail > alpha) break;
    u = k;
    logPmf += Math.log(k / (n - k + 1)) - step;
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
