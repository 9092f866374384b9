/**
 * Whether each cell was measured often enough: is the 95 % interval of its median within
 * +/- 5 % of the median, and if not, about how many samples and runs would make it so.
 *
 * The estimate: the median's interval at n samples spans the ranks n/2 -/+ 0.98 sqrt(n)
 * (`medianCiRanks`), that is the quantiles 1/2 -/+ 0.98 / sqrt(n) of the distribution. Read
 * those quantiles off the cell's own sample (linear interpolation), find the widest d for which
 * both the 1/2 - d and the 1/2 + d quantiles lie within 5 % of the median, and the samples
 * needed are (0.98 / d)^2; at the same samples a run, the runs scale alike (rounded up). This
 * uses the shape of the sample near its median rather than extrapolating the interval itself,
 * which at 10 samples is set by the 2nd and 9th smallest and can be wide for one outlier. It
 * is an estimate to plan the next run from, not a promise: it treats samples as independent,
 * and runs that differ from each other need more.
 */
import pl from "nodejs-polars";
import { medianCi, sortedMedian, sortedQuantile } from "./compare_stats.ts";
import type { LevelSample } from "./level_samples.ts";

/** The target: the median's 95 % interval within this fraction of it, either side. */
export const REPETITION_TARGET = 0.05;

/** Fewest samples with a 95 % median interval (`medianCiRanks`). */
const MIN_SAMPLES = 6;

/** Half the rank span of a 95 % median interval, per sqrt(n): 1.96 / 2. */
const HALF_SPAN = 0.98;

/**
 * Samples for which the median's 95 % interval of a sample shaped like `sorted` lies within
 * `target` of the median `median` (see the module's comment); at least {@linkcode MIN_SAMPLES}.
 */
export function samplesForMedianWithin(
  sorted: Float64Array,
  median: number,
  target = REPETITION_TARGET,
): number {
  const limit = target * Math.abs(median);
  const within = (d: number) =>
    median - sortedQuantile(sorted, 0.5 - d)! <= limit &&
    sortedQuantile(sorted, 0.5 + d)! - median <= limit;
  let lo = 0, hi = 0.5;
  if (within(hi)) lo = hi;
  else {
    // `within` holds at 0 and fails at hi; the quantile function is monotone, so bisect.
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (within(mid)) lo = mid;
      else hi = mid;
    }
  }
  return Math.max(MIN_SAMPLES, Math.ceil((HALF_SPAN / lo) ** 2));
}

/**
 * Per experiment, workload, runtime and level: `n`, `runs`, `median_ms` with its interval
 * `median_lo_ms`..`median_hi_ms` (Le Boudec's ranks, as the comparison), `half_width_pct`
 * (the larger distance of a bound from the median, in % of it), `within_5pct`, and the
 * estimated `n_needed` and `runs_needed` (equal to n and runs where already within, never
 * fewer). Below 6 samples no interval exists: the half-width is null, the cell is not within,
 * and the estimate is at least the 6 samples an interval needs. A median of 0 has no relative
 * width (null).
 * One row a cell of `cells` (`levelSamples`), in their order.
 */
export function repetitionsTable(cells: LevelSample[]): pl.DataFrame {
  const rows = cells.map(
    ({ experiment, workload, runtime, level, runs, sorted }) => {
      const n = sorted.length;
      const median = sortedMedian(sorted)!;
      const ci = medianCi(sorted);
      const halfWidth = ci && median !== 0
        ? Math.max(median - ci[0], ci[1] - median) / Math.abs(median)
        : null;
      const within = halfWidth !== null && halfWidth <= REPETITION_TARGET;
      const factor = within ? 1 : median === 0 ? null : samplesForMedianWithin(sorted, median) / n;
      return {
        experiment,
        workload,
        runtime,
        level,
        n,
        runs,
        median_ms: median,
        median_lo_ms: ci?.[0] ?? null,
        median_hi_ms: ci?.[1] ?? null,
        half_width_pct: halfWidth === null ? null : halfWidth * 100,
        within_5pct: within,
        n_needed: factor === null ? null : Math.max(n, Math.ceil(n * factor)),
        runs_needed: factor === null ? null : Math.max(runs, Math.ceil(runs * factor)),
      };
    },
  );
  const dtype = (c: string) =>
    ["experiment", "workload", "runtime"].includes(c)
      ? pl.Utf8
      : c === "within_5pct"
      ? pl.Bool
      : ["level", "n", "runs", "n_needed", "runs_needed"].includes(c)
      ? pl.Int64
      : pl.Float64;
  const columns = [
    "experiment",
    "workload",
    "runtime",
    "level",
    "n",
    "runs",
    "median_ms",
    "median_lo_ms",
    "median_hi_ms",
    "half_width_pct",
    "within_5pct",
    "n_needed",
    "runs_needed",
  ];
  return pl.DataFrame(
    columns.map((c) =>
      pl.Series(c, rows.map((r) => (r as Record<string, unknown>)[c] ?? null), dtype(c))
    ),
  );
}

/**
 * The cells of a {@linkcode repetitionsTable} whose median is not yet known within 5 %, those
 * needing the most runs first: what the report lists.
 */
export function cellsNeedingRuns(repetitions: pl.DataFrame): pl.DataFrame {
  return repetitions
    .filter(pl.col("within_5pct").not())
    .select(
      "experiment",
      "workload",
      "runtime",
      "level",
      "n",
      "runs",
      "half_width_pct",
      "n_needed",
      "runs_needed",
    )
    .sort(["runs_needed", "experiment", "workload", "runtime", "level"], [
      true,
      false,
      false,
      false,
      false,
    ], true);
}

/**
 * One paragraph on a {@linkcode repetitionsTable}: how many cells have their median within 5 %,
 * and how the runs the others need are estimated. What the report says above the list.
 */
export function repetitionsSummary(repetitions: pl.DataFrame): string {
  const need = repetitions.filter(pl.col("within_5pct").not()).height;
  return `${repetitions.height - need} of ${repetitions.height} cells (experiment, workload, ` +
    `runtime, level) have a median whose 95 % interval lies within ±5 % of it. ` +
    (need === 0
      ? "No cell needs more runs."
      : `These ${need} need more: the samples and runs to get there assume the interval ` +
        `spans the sample's quantiles 1/2 ∓ 0.98/√n (the repetitions table has every cell).`);
}
