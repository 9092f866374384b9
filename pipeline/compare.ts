/**
 * Two runs compared cell by cell, with the statistics that say whether a difference is real
 * (the compare frame), and each run's slowdown of one runtime over another with its
 * uncertainty (the slowdown frame: Tables 9-16 with confidence intervals).
 *
 * A cell is an experiment, workload, runtime and level (latency_cells.ts: each dataset's
 * latencies sorted once and split into cells); every statistic walks those sorted arrays
 * (compare_stats.ts, bootstrap.ts).
 */
import pl from "nodejs-polars";
import { hash32, seededRandom } from "./_random.ts";
import { bootstrapRatio, MeanResampler, MedianResampler, percentileInterval } from "./bootstrap.ts";
import { mannWhitney, medianCi, sortedMedian, verdict } from "./compare_stats.ts";
import {
  cellKey,
  commonLevels,
  type LatencyCells,
  type LatencyGroup,
  levelSets,
  runsOf,
} from "./latency_cells.ts";

/** Options of {@linkcode compareFrame} and {@linkcode slowdownFrame}. */
export interface CompareOptions {
  /** Practical threshold of the verdict, as a fraction (0.03 = 3 %). Default 0.03. */
  threshold?: number;
  /** Seed of the bootstrap. Default 1. */
  seed?: number;
  /** Bootstrap resamples per cell. Default 10,000. */
  resamples?: number;
}

/**
 * Below this many samples on either side, no median CI exists, no ratio gets a bootstrap CI and
 * the verdict is inconclusive. Why the ratio too: a percentile bootstrap of one value is that
 * value, of two a few points, so 1 or 2 cold starts a level gave "95 % CIs" of no width, and
 * the findings called a runtime faster "at every level" on them (with p = 1).
 */
const MIN_SAMPLES = 6;

/** The columns of the compare frame, in order. */
export const COMPARE_COLUMNS = [
  "experiment",
  "workload",
  "runtime",
  "level",
  "n_base",
  "n_new",
  "median_base",
  "median_new",
  "median_base_lo",
  "median_base_hi",
  "median_new_lo",
  "median_new_hi",
  "ratio",
  "ratio_lo",
  "ratio_hi",
  "p_value",
  "cliffs_delta",
  "verdict",
] as const;

const STRING_COLUMNS = new Set([
  "experiment",
  "workload",
  "runtime",
  "level",
  "verdict",
  "numerator",
  "denominator",
]);

/** A frame of `columns` (in order) from row objects: strings, Int64 counts, Float64 else. */
function frameOf(columns: readonly string[], rows: Record<string, unknown>[]): pl.DataFrame {
  return pl.DataFrame(columns.map((c) => {
    const dtype = STRING_COLUMNS.has(c) ? pl.Utf8 : c.startsWith("n_") ? pl.Int64 : pl.Float64;
    return pl.Series(c, rows.map((r) => r[c] ?? null), dtype);
  }));
}

/** `p_value` and `cliffs_delta` of the Mann-Whitney test of `y` against `x`. */
function testColumns(x: Float64Array, y: Float64Array) {
  const { p, delta } = mannWhitney(x, y);
  return { p_value: p, cliffs_delta: delta };
}

/** A cell's random stream: the seed and the cell's key, so no cell depends on the others. */
function cellRandom(seed: number, ...key: string[]) {
  return seededRandom([seed, hash32(key.join("/"))]);
}

/**
 * Bootstrap draws of one dataset's medians, per cell and set of levels, each drawn once and
 * shared by the compare frame (NEW over BASE) and the slowdown frame (Docker over Wasm). Each
 * set has its own stream, from the seed, the dataset's side (`base`, `new`) and the set's key,
 * so the draws do not depend on which other cells exist, on who asks first, or on the thread
 * (cli/compare.ts computes them in workers).
 */
export class MedianDraws {
  readonly #draws: Map<string, Float64Array>;

  constructor(
    readonly side: string,
    readonly seed: number,
    readonly resamples: number,
    entries: Iterable<[string, Float64Array]> = [],
  ) {
    this.#draws = new Map(entries);
  }

  /** The key of `group`'s draws at `levels`. */
  static key(group: LatencyGroup, levels: number[]): string {
    return JSON.stringify([group.experiment, group.workload, group.runtime, levels]);
  }

  /** The draws of `group` at `levels` (from `resampler` where given), computed once. */
  of(group: LatencyGroup, levels: number[], resampler?: MedianResampler): Float64Array {
    const key = MedianDraws.key(group, levels);
    let draws = this.#draws.get(key);
    if (!draws) {
      const r = resampler ?? new MedianResampler(runsOf(group, levels));
      const random = seededRandom([this.seed, hash32(JSON.stringify([this.side, key]))]);
      draws = new Float64Array(this.resamples);
      for (let b = 0; b < draws.length; b++) draws[b] = r.draw(random);
      this.#draws.set(key, draws);
    }
    return draws;
  }

  /** Every set of draws, by key (to pass on to another thread). */
  entries(): [string, Float64Array][] {
    return [...this.#draws];
  }
}

/**
 * The percentile interval of numerator / denominator over paired draws; null where a ratio is
 * undefined (0 / 0).
 */
function ratioInterval(
  numerator: Float64Array,
  denominator: Float64Array,
  confidence = 0.95,
): [number, number] | null {
  const ratios = new Float64Array(numerator.length);
  for (let b = 0; b < ratios.length; b++) {
    ratios[b] = numerator[b] / denominator[b];
    if (Number.isNaN(ratios[b])) return null;
  }
  return percentileInterval(ratios, confidence);
}

/** The cells and level sets a comparison of `base` and `next` reads: shared levels, pooled. */
export function compareCells(
  base: LatencyCells,
  next: LatencyCells,
): { base: LatencyGroup; next: LatencyGroup; level: string; levels: number[] }[] {
  return [...base.keys()].filter((k) => next.has(k)).sort().flatMap((key) => {
    const b = base.get(key)!, n = next.get(key)!;
    return levelSets(commonLevels(b, n)).map(([level, levels]) => ({
      base: b,
      next: n,
      level,
      levels,
    }));
  });
}

/** Draws for {@linkcode compareFrame}: one {@linkcode MedianDraws} per dataset. */
export interface CompareDraws {
  base: MedianDraws;
  next: MedianDraws;
}

/**
 * The compare frame ({@linkcode COMPARE_COLUMNS}): one row per experiment, workload, runtime
 * and level present in both datasets, and a row with level `all` pooling those levels.
 * Medians with their distribution-free 95 % CIs, `ratio` = median_new / median_base with its
 * percentile bootstrap 95 % CI (none below 6 samples a side), the Mann-Whitney p-value, Cliff's delta (new against base) and
 * the verdict of the ratio's CI against the threshold. The medians' bootstrap draws come from
 * `draws` (default: drawn here, with the options' seed and resamples); a caller that drew them
 * elsewhere (cli/compare.ts's workers) passes them in.
 */
export function compareFrame(
  base: LatencyCells,
  next: LatencyCells,
  { threshold = 0.03, seed = 1, resamples = 10_000 }: CompareOptions = {},
  draws: CompareDraws = {
    base: new MedianDraws("base", seed, resamples),
    next: new MedianDraws("new", seed, resamples),
  },
): pl.DataFrame {
  const rows: Record<string, unknown>[] = [];
  for (const { base: b, next: n, level, levels } of compareCells(base, next)) {
    const rb = new MedianResampler(runsOf(b, levels));
    const rn = new MedianResampler(runsOf(n, levels));
    const xb = rb.values, xn = rn.values;
    const mb = sortedMedian(xb)!, mn = sortedMedian(xn)!;
    const cb = medianCi(xb), cn = medianCi(xn);
    const enough = Math.min(xb.length, xn.length) >= MIN_SAMPLES;
    const ci = enough && mb > 0
      ? ratioInterval(draws.next.of(n, levels, rn), draws.base.of(b, levels, rb))
      : null;
    rows.push({
      experiment: b.experiment,
      workload: b.workload,
      runtime: b.runtime,
      level,
      n_base: xb.length,
      n_new: xn.length,
      median_base: mb,
      median_new: mn,
      median_base_lo: cb?.[0],
      median_base_hi: cb?.[1],
      median_new_lo: cn?.[0],
      median_new_hi: cn?.[1],
      ratio: mb > 0 ? mn / mb : null,
      ratio_lo: ci?.[0],
      ratio_hi: ci?.[1],
      ...testColumns(xb, xn),
      verdict: ci ? verdict(ci[0], ci[1], threshold) : "inconclusive",
    });
  }
  return frameOf(COMPARE_COLUMNS, rows);
}

/** The columns of the slowdown frame, in order. */
export const SLOWDOWN_COLUMNS = [
  "experiment",
  "workload",
  "level",
  "numerator",
  "denominator",
  "n_numerator",
  "n_denominator",
  "median_numerator",
  "median_denominator",
  "median_ratio",
  "median_ratio_lo",
  "median_ratio_hi",
  "mean_numerator",
  "mean_denominator",
  "mean_ratio",
  "mean_ratio_lo",
  "mean_ratio_hi",
  "p_value",
  "cliffs_delta",
] as const;

/** Options of {@linkcode slowdownFrame}. */
export interface SlowdownFrameOptions extends CompareOptions {
  /** Runtime whose latency is divided. Default "docker". */
  numerator?: string;
  /** Runtime it is divided by. Default "wasm". */
  denominator?: string;
  /** The dataset's side in a comparison (`base`, `new`): part of its streams. Default "base". */
  side?: string;
}

const mean = (xs: Float64Array) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * The slowdown frame of one dataset ({@linkcode SLOWDOWN_COLUMNS}): per experiment, workload
 * and level where both runtimes have samples, and pooled over those levels (`all`), the ratio
 * numerator / denominator of the medians and of the means, each with a percentile bootstrap
 * 95 % CI (the two runtimes resampled independently; none below 6 samples a side), and the Mann-Whitney p-value and Cliff's
 * delta of the numerator's latencies against the denominator's (above 0: the numerator slower).
 * The medians' draws are taken from, and added to, `draws` (default: a new set for `side`).
 */
export function slowdownFrame(
  cells: LatencyCells,
  {
    numerator = "docker",
    denominator = "wasm",
    seed = 1,
    resamples = 10_000,
    side = "base",
  }: SlowdownFrameOptions = {},
  draws: MedianDraws = new MedianDraws(side, seed, resamples),
): pl.DataFrame {
  const rows: Record<string, unknown>[] = [];
  const pairs = [...cells.values()]
    .filter((g) => g.runtime === numerator)
    .map((g) => [g, cells.get(cellKey(g.experiment, g.workload, denominator))] as const)
    .filter((pair): pair is readonly [LatencyGroup, LatencyGroup] => pair[1] !== undefined)
    .sort(([a], [b]) => `${a.experiment}/${a.workload}` < `${b.experiment}/${b.workload}` ? -1 : 1);
  for (const [num, den] of pairs) {
    for (const [level, levels] of levelSets(commonLevels(num, den))) {
      const rNum = runsOf(num, levels), rDen = runsOf(den, levels);
      const medNum = new MedianResampler(rNum), medDen = new MedianResampler(rDen);
      const xNum = medNum.values, xDen = medDen.values;
      const random = cellRandom(seed, side, num.experiment, num.workload, level, numerator);
      const mNum = sortedMedian(xNum)!, mDen = sortedMedian(xDen)!;
      const aNum = mean(xNum), aDen = mean(xDen);
      const enough = Math.min(xNum.length, xDen.length) >= MIN_SAMPLES;
      const medianCi = enough && mDen > 0
        ? ratioInterval(draws.of(num, levels, medNum), draws.of(den, levels, medDen))
        : null;
      const meanCi = enough && aDen > 0
        ? bootstrapRatio(new MeanResampler(rNum), new MeanResampler(rDen), random, { resamples })
        : null;
      rows.push({
        experiment: num.experiment,
        workload: num.workload,
        level,
        numerator,
        denominator,
        n_numerator: xNum.length,
        n_denominator: xDen.length,
        median_numerator: mNum,
        median_denominator: mDen,
        median_ratio: mDen > 0 ? mNum / mDen : null,
        median_ratio_lo: medianCi?.[0],
        median_ratio_hi: medianCi?.[1],
        mean_numerator: aNum,
        mean_denominator: aDen,
        mean_ratio: aDen > 0 ? aNum / aDen : null,
        mean_ratio_lo: meanCi?.[0],
        mean_ratio_hi: meanCi?.[1],
        ...testColumns(xDen, xNum),
      });
    }
  }
  return frameOf(SLOWDOWN_COLUMNS, rows);
}
