/**
 * The bootstrap distribution of the median of one sample, computed rather than simulated: the
 * cheapest of the median resampler's ways (median_resampler.ts), for a cell of one run and one
 * level, the most common cell of the concurrency experiment.
 */
import { logFactorial, type Random } from "./_random.ts";

/** ln of the Binomial(n, p) probability of c. */
function logBinomialPmf(n: number, p: number, c: number): number {
  if (p <= 0) return c === 0 ? 0 : -Infinity;
  if (p >= 1) return c === n ? 0 : -Infinity;
  return logFactorial(n) - logFactorial(c) - logFactorial(n - c) + c * Math.log(p) +
    (n - c) * Math.log1p(-p);
}

/**
 * P(Binomial(n, p) >= k), summed from k away from the mean (terms shrink that way) until the
 * terms no longer count: a few times sqrt(n) terms, not n.
 */
function binomialUpperTail(n: number, p: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const odds = p / (1 - p);
  const upward = k > n * p;
  let c = upward ? k : k - 1;
  let term = Math.exp(logBinomialPmf(n, p, c));
  let sum = 0;
  while (term > 0 && term >= sum * 1e-17 && c >= 0 && c <= n) {
    sum += term;
    if (upward) term *= odds * (n - c) / (c + 1), c++;
    else term *= c / (odds * (n - c + 1)), c--;
  }
  return upward ? sum : 1 - sum;
}

/**
 * The bootstrap distribution of the median of one sample, computed rather than simulated: the
 * resample's k-th smallest value is at or below the j-th distinct value v_j exactly when
 * Binomial(n, F(v_j)) >= k, so a draw is one uniform and a binary search. For even n the
 * (k+1)-th smallest is v_j too unless exactly k values fell at or below v_j; then it is the
 * smallest of the other n - k values, all above v_j, drawn by inversion of its distribution.
 */
export class SampleMedianDistribution {
  readonly #grid: Float64Array;
  readonly #fraction: Float64Array;
  readonly #cdf: Float64Array;
  readonly #splits: Float64Array | null;
  readonly #above: number;

  constructor(sorted: Float64Array, grid: Float64Array) {
    const n = sorted.length, k = (n + 1) >> 1, G = grid.length;
    this.#grid = grid;
    this.#fraction = new Float64Array(G);
    this.#cdf = new Float64Array(G);
    for (let j = 0, i = 0; j < G; j++) {
      while (i < n && sorted[i] <= grid[j]) i++;
      this.#fraction[j] = i / n;
      this.#cdf[j] = j === G - 1 ? 1 : binomialUpperTail(n, i / n, k);
    }
    this.#above = n - k;
    this.#splits = null;
    if (n % 2 === 0) {
      // P(the (k+1)-th is above v_j | the k-th is v_j) = P(C_j = k, C_{j-1} < k) / P(J = j).
      const splits = new Float64Array(G);
      for (let j = 0; j < G; j++) {
        const f = this.#fraction[j], before = j > 0 ? this.#fraction[j - 1] : 0;
        const pj = this.#cdf[j] - (j > 0 ? this.#cdf[j - 1] : 0);
        const exactly = Math.exp(logBinomialPmf(n, f, k)) -
          Math.exp(logBinomialPmf(n, before, k)) * Math.pow((1 - f) / (1 - before), n - k);
        splits[j] = pj > 0 ? Math.min(1, Math.max(0, exactly / pj)) : 0;
      }
      this.#splits = splits;
    }
  }

  draw(random: Random): number {
    const u = random();
    let lo = 0, hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    const j = lo;
    if (!this.#splits || random() >= this.#splits[j]) return this.#grid[j];
    const target = 1 - (1 - this.#fraction[j]) * Math.pow(1 - random(), 1 / this.#above);
    let b = j + 1, top = this.#fraction.length - 1;
    while (b < top) {
      const mid = (b + top) >>> 1;
      if (this.#fraction[mid] >= target) top = mid;
      else b = mid + 1;
    }
    return (this.#grid[j] + this.#grid[b]) / 2;
  }
}
