/**
 * The seeded bootstrap of medians and means of a latency cell, and the percentile interval of
 * a ratio of two of them.
 *
 * A cell's samples come as runs (repetitions) of strata (levels): samples of one run share
 * its host state, so they are not independent, and the bootstrap resamples whole runs first
 * (with replacement), then the samples within each drawn run's strata. The levels of a pooled
 * cell are strata, so a resample keeps the design's number of samples per level.
 *
 * Why not draw every sample: 10,000 resamples of the thesis's 390,000 warm samples, per level
 * and pooled, for two datasets, would be 1.5e10 draws. A resample's median needs far less. The
 * number of a stratum's resampled values at or below a value x is Binomial(n, F(x)), with F
 * the stratum's empirical distribution, and given the counts at two values the count at a
 * value between them is binomial too. So {@linkcode MedianResampler} finds the resample's k-th
 * smallest value by bisection over the sorted cell, drawing one binomial per stratum and step:
 * an exact draw from the same distribution as the brute-force resample's median, in
 * O(strata x log(distinct values)) instead of O(n).
 */
import { binomial, logFactorial, normal, type Random } from "./_random.ts";
import { sortedQuantile } from "./compare_stats.ts";

/** A cell's samples: one entry per run, each a list of strata, each sorted ascending. */
export type Runs = Float64Array[][];

/** Something a bootstrap draws a statistic of a resample from. */
export interface Resampler {
  /** One resample's statistic. */
  draw(random: Random): number;
}

/** The strata of a resample of `runs`: whole runs drawn with replacement (none if one run). */
function drawStrata(runs: Runs, random: Random, into: Float64Array[]): number {
  let s = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs.length === 1 ? runs[0] : runs[Math.floor(random() * runs.length)];
    for (const stratum of run) into[s++] = stratum;
  }
  return s;
}

function checkRuns(runs: Runs): void {
  if (!runs.some((run) => run.some((s) => s.length > 0))) {
    throw new RangeError("cannot resample a cell without samples");
  }
}

/** Number of values of sorted `a` at or below x, searched within [from, to). */
function countAtOrBelow(a: Float64Array, x: number, from: number, to: number): number {
  while (from < to) {
    const mid = (from + to) >>> 1;
    if (a[mid] <= x) from = mid + 1;
    else to = mid;
  }
  return from;
}

/** Bisection state at one position of the value grid: per stratum, F count and resample count. */
interface Bound {
  at: number;
  f: Int32Array;
  c: Int32Array;
  total: number;
}

function bound(size: number): Bound {
  return { at: 0, f: new Int32Array(size), c: new Int32Array(size), total: 0 };
}

function copy(from: Bound, to: Bound, S: number): void {
  to.at = from.at;
  to.total = from.total;
  for (let s = 0; s < S; s++) {
    to.f[s] = from.f[s];
    to.c[s] = from.c[s];
  }
}

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
class SampleMedianDistribution {
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

/** Options of {@linkcode MedianResampler}. */
export interface MedianResamplerOptions {
  /**
   * How a resample's median is drawn; all three are exact, they differ in cost. `auto`
   * (default): the computed distribution for one run of one stratum, value by value for small
   * cells with many strata, bisection otherwise. `values` and `bisection` force one way (for
   * tests that hold them against each other).
   */
  method?: "auto" | "values" | "bisection";
}

/**
 * Exact draws of the median of a (run, then sample) resample of a cell. A cell of one run and
 * one stratum draws from its computed distribution. Small cells with many
 * strata (cold starts: a few samples per run and level) are resampled value by value, where
 * that costs less than the bisection's binomials; the bisection runs over the cell's distinct
 * values, so tied latencies (whole milliseconds) cost fewer steps.
 */
export class MedianResampler implements Resampler {
  readonly #runs: Runs;
  readonly #values: Float64Array;
  readonly #grid: Float64Array;
  readonly #strata: Float64Array[];
  #lo: Bound;
  #hi: Bound;
  #mid: Bound;
  /** Lowest known position whose count exceeds k, and highest whose count is k (even n). */
  readonly #above: Bound;
  readonly #atK: Bound;
  #haveAtK = false;
  /** Grid positions probed first: a band around the median the resample's median rarely leaves. */
  readonly #probes: number[];
  /** Counts per distinct value of a value-by-value resample, or null for the bisection. */
  readonly #histogram: Int32Array | null;
  /** Per stratum: each value's position in the grid (value by value), or the number of its
   * values at or below each grid value (bisection; null where that table would be too big). */
  readonly #ranks = new Map<Float64Array, Int32Array>();
  readonly #counts = new Map<Float64Array, Int32Array>();
  /** The drawn strata's tables, parallel to #strata. */
  readonly #tables: (Int32Array | undefined)[];
  readonly #single: SampleMedianDistribution | null;

  constructor(runs: Runs, { method = "auto" }: MedianResamplerOptions = {}) {
    checkRuns(runs);
    this.#runs = runs;
    const values = new Float64Array(
      runs.reduce((n, r) => n + r.reduce((m, s) => m + s.length, 0), 0),
    );
    let at = 0;
    for (const run of runs) for (const s of run) values.set(s, at), at += s.length;
    this.#values = values.sort();
    const grid = this.#grid = values.filter((v, i) => i === 0 || v !== values[i - 1]);
    const max = runs.length * Math.max(...runs.map((r) => r.length));
    this.#strata = new Array(max);
    [this.#lo, this.#hi, this.#mid, this.#above, this.#atK] = Array.from(
      { length: 5 },
      () => bound(max),
    );
    // A resample's count below the sample median has an SD of at most sqrt(N) / 2 (for one
    // run): +/- 4 / sqrt(N) of the positions is 8 SDs. Outside it, the bisection goes on.
    const N = values.length, band = 4 / Math.sqrt(N);
    const gridIndex = (v: number) => countAtOrBelow(grid, v, 0, grid.length) - 1;
    this.#probes = [
      gridIndex(values[Math.min(N - 1, Math.ceil(N * (0.5 + band)))]),
      gridIndex(values[Math.max(0, Math.floor(N * (0.5 - band)))]),
    ];
    // Value by value: one uniform and about two comparisons per value; bisection: a binomial
    // and a binary search per stratum and step, several times the cost of one value.
    const steps = Math.ceil(Math.log2(grid.length + 1));
    const byValue = method === "values" || (method === "auto" && N <= 2 * max * steps);
    this.#histogram = byValue ? new Int32Array(grid.length) : null;
    this.#tables = new Array(max);
    const strata = new Set(runs.flat());
    for (const stratum of strata) {
      if (byValue) {
        this.#ranks.set(stratum, Int32Array.from(stratum, gridIndex));
      } else if (strata.size * grid.length <= 1 << 22) {
        const table = new Int32Array(grid.length);
        for (let g = 0, i = 0; g < grid.length; g++) {
          while (i < stratum.length && stratum[i] <= grid[g]) i++;
          table[g] = i;
        }
        this.#counts.set(stratum, table);
      }
    }
    this.#single = method === "auto" && runs.length === 1 && runs[0].length === 1
      ? new SampleMedianDistribution(values, grid)
      : null;
  }

  /** Every value of the cell, sorted ascending. */
  get values(): Float64Array {
    return this.#values;
  }

  draw(random: Random): number {
    if (this.#single) return this.#single.draw(random);
    const S = drawStrata(this.#runs, random, this.#strata);
    const tables = this.#histogram ? this.#ranks : this.#counts;
    for (let s = 0; s < S; s++) this.#tables[s] = tables.get(this.#strata[s]);
    if (this.#histogram) return this.#drawByValue(S, random, this.#histogram);
    const lo = this.#lo, hi = this.#hi;
    lo.at = -1;
    lo.total = 0;
    hi.at = this.#grid.length - 1;
    hi.total = 0;
    for (let s = 0; s < S; s++) {
      const n = this.#strata[s].length;
      lo.f[s] = lo.c[s] = 0;
      hi.f[s] = hi.c[s] = n;
      hi.total += n;
    }
    const total = hi.total;
    if (total % 2 === 1) {
      return this.#grid[this.#search(S, (total + 1) / 2, random, false, this.#probes)];
    }
    const k = total / 2;
    copy(hi, this.#above, S);
    this.#haveAtK = false;
    const first = this.#search(S, k, random, true, this.#probes);
    if (this.#hi.total >= k + 1) return this.#grid[first];
    // The (k+1)-th lies between the two known positions that straddle count k, and no other
    // known position lies between them: draws there are conditioned on both neighbours.
    copy(this.#atK, this.#lo, S);
    copy(this.#above, this.#hi, S);
    const second = this.#search(S, k + 1, random, false, []);
    return (this.#grid[first] + this.#grid[second]) / 2;
  }

  /** The median of a resample drawn value by value, counted per distinct value. */
  #drawByValue(S: number, random: Random, counts: Int32Array): number {
    let n = 0;
    for (let s = 0; s < S; s++) {
      const ranks = this.#tables[s]!, size = ranks.length;
      for (let i = 0; i < size; i++) counts[ranks[Math.floor(random() * size)]]++;
      n += size;
    }
    const k = (n + 1) >> 1;
    let below = 0, g = 0;
    while (below + counts[g] < k) below += counts[g++];
    let result = this.#grid[g];
    if (n % 2 === 0 && below + counts[g] === k) {
      let next = g + 1;
      while (counts[next] === 0) next++;
      result = (result + this.#grid[next]) / 2;
    }
    counts.fill(0);
    return result;
  }

  /**
   * Narrows [lo, hi] (resample counts C(lo) < k <= C(hi), no known position between) to the
   * first grid position whose count reaches k, probing `probes` first where they fall inside.
   * With `keepNext`, `#above` keeps the lowest position seen whose count exceeds k and `#atK`
   * the highest whose count is k.
   */
  #search(S: number, k: number, random: Random, keepNext: boolean, probes: number[]): number {
    let lo = this.#lo, hi = this.#hi, mid = this.#mid;
    const strata = this.#strata, grid = this.#grid, tables = this.#tables;
    let probe = 0;
    while (hi.at - lo.at > 1) {
      mid.at = (lo.at + hi.at) >>> 1;
      while (probe < probes.length) {
        const p = probes[probe++];
        if (p > lo.at && p < hi.at) {
          mid.at = p;
          break;
        }
      }
      const x = grid[mid.at];
      let sum = 0;
      for (let s = 0; s < S; s++) {
        const fl = lo.f[s], fh = hi.f[s], cl = lo.c[s], ch = hi.c[s];
        const table = tables[s];
        const f = fl === fh ? fl : table ? table[mid.at] : countAtOrBelow(strata[s], x, fl, fh);
        const c = ch === cl ? cl : cl + binomial(random, ch - cl, (f - fl) / (fh - fl));
        mid.f[s] = f;
        mid.c[s] = c;
        sum += c;
      }
      mid.total = sum;
      if (sum >= k) {
        if (keepNext && sum > k) copy(mid, this.#above, S);
        else if (keepNext && !this.#haveAtK) copy(mid, this.#atK, S), this.#haveAtK = true;
        [hi, mid] = [mid, hi];
      } else {
        [lo, mid] = [mid, lo];
      }
    }
    this.#lo = lo;
    this.#hi = hi;
    this.#mid = mid;
    return hi.at;
  }
}

/** Options of {@linkcode MeanResampler}. */
export interface MeanResamplerOptions {
  /**
   * Strata up to this size are resampled value by value; a larger stratum's resample mean is
   * drawn from its normal limit, N(mean, SD / sqrt(n)) with the stratum's population SD, which
   * is what the bootstrap mean of so many values converges to. Default 200.
   */
  exactUpTo?: number;
}

/** Draws of the mean of a (run, then sample) resample of a cell. */
export class MeanResampler implements Resampler {
  readonly #runs: Runs;
  readonly #strata: Float64Array[];
  readonly #moments: Map<Float64Array, [number, number]>;
  readonly #exactUpTo: number;

  constructor(runs: Runs, { exactUpTo = 200 }: MeanResamplerOptions = {}) {
    checkRuns(runs);
    this.#runs = runs;
    this.#exactUpTo = exactUpTo;
    this.#strata = new Array(runs.length * Math.max(...runs.map((r) => r.length)));
    this.#moments = new Map();
    for (const stratum of runs.flat()) {
      let sum = 0, sq = 0;
      for (const v of stratum) sum += v;
      const mean = sum / stratum.length;
      for (const v of stratum) sq += (v - mean) ** 2;
      this.#moments.set(stratum, [mean, Math.sqrt(sq / stratum.length)]);
    }
  }

  draw(random: Random): number {
    const S = drawStrata(this.#runs, random, this.#strata);
    let sum = 0, count = 0;
    for (let s = 0; s < S; s++) {
      const stratum = this.#strata[s], n = stratum.length;
      if (n === 0) continue;
      if (n <= this.#exactUpTo) {
        for (let i = 0; i < n; i++) sum += stratum[Math.floor(random() * n)];
      } else {
        const [mean, sd] = this.#moments.get(stratum)!;
        sum += n * mean + Math.sqrt(n) * sd * normal(random);
      }
      count += n;
    }
    return sum / count;
  }
}

/** Options of {@linkcode bootstrapRatio}. */
export interface BootstrapOptions {
  /** Number of resamples. Default 10,000. */
  resamples?: number;
  /** Confidence level of the interval. Default 0.95. */
  confidence?: number;
}

/**
 * The percentile bootstrap interval of the ratio of two statistics, numerator / denominator:
 * each resample draws both (independently: they are separate samples), and the interval is the
 * (1 - confidence) / 2 and (1 + confidence) / 2 quantiles of the ratios. Null where a ratio is
 * undefined (0 / 0).
 */
export function bootstrapRatio(
  numerator: Resampler,
  denominator: Resampler,
  random: Random,
  { resamples = 10_000, confidence = 0.95 }: BootstrapOptions = {},
): [number, number] | null {
  const ratios = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    ratios[b] = numerator.draw(random) / denominator.draw(random);
    if (Number.isNaN(ratios[b])) return null;
  }
  ratios.sort();
  const alpha = (1 - confidence) / 2;
  return [sortedQuantile(ratios, alpha)!, sortedQuantile(ratios, 1 - alpha)!];
}
