/**
 * Whether each cell was measured often enough: is the 95 % interval of its median within
 * +/- 5 % of the median, and if not, about how many samples and runs would make it so.
 *
 * The estimate assumes the interval's half-width shrinks as 1/sqrt(n), as it does for a
 * median of independent samples (the ranks of `medianCiRanks` are n/2 -/+ 0.98 sqrt(n)): a
 * half-width of h % at n samples needs about n (h / 5)^2 samples, and, at the same samples a
 * run, runs (h / 5)^2 runs (rounded up). It is an estimate to plan the next run from, not a
 * promise: runs that differ from each other shrink the interval more slowly.
 */
import pl from "nodejs-polars";
import { medianCi, sortedMedian } from "./compare_stats.ts";
import type { LevelSample } from "./level_samples.ts";

/** The target: the median's 95 % interval within this fraction of it, either side. */
export const REPETITION_TARGET = 0.05;

/** Fewest samples with a 95 % median interval (`medianCiRanks`). */
const MIN_SAMPLES = 6;

/**
 * Per experiment, workload, runtime and level: `n`, `runs`, `median_ms` with its interval
 * `median_lo_ms`..`median_hi_ms` (Le Boudec's ranks, as the comparison), `half_width_pct`
 * (the larger distance of a bound from the median, in % of it), `within_5pct`, and the
 * estimated `n_needed` and `runs_needed` (equal to n and runs where already within). Below 6
 * samples no interval exists: the half-width is null, the cell is not within, and the
 * estimate is the 6 samples an interval needs. A median of 0 has no relative width (null).
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
      let factor: number | null;
      if (ci === null) factor = MIN_SAMPLES / n;
      else if (halfWidth === null) factor = null;
      else factor = within ? 1 : (halfWidth / REPETITION_TARGET) ** 2;
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
