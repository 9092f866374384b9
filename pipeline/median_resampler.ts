/**
 * Exact draws of the median of a bootstrap resample of a cell (runs first, then samples
 * within each drawn run's strata; see bootstrap.ts), without drawing every sample.
 *
 * Why: 10,000 resamples of the thesis's 390,000 warm samples, per level and pooled, for two
 * datasets, would be 1.5e10 draws. A resample's median needs far less. The number of a
 * stratum's resampled values at or below a value x is Binomial(n, F(x)), with F the stratum's
 * empirical distribution, and given the counts at two values the count at a value between them
 * is binomial too. So {@linkcode MedianResampler} finds the resample's k-th smallest value by
 * bisection over the cell's distinct values, drawing one binomial per stratum and step: an
 * exact draw from the same distribution as the brute-force resample's median, in
 * O(strata x log(distinct values)) instead of O(n).
 */
import { binomial, type Random } from "./_random.ts";
import { SampleMedianDistribution } from "./_sample_median.ts";
import { checkRuns, drawStrata, type Resampler, type Runs } from "./_runs.ts";

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
