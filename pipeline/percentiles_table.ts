/**
 * Tail percentiles with confidence intervals per cell: what a mean and an SD hide in skewed,
 * heavy-tailed latencies. Each percentile is the type-7 quantile the per-level tables print,
 * with the exact distribution-free interval of quantile_ci.ts; `p99_tail_n` and its siblings
 * say how many samples lie above each estimate, that is how many the tail rests on.
 */
import pl from "nodejs-polars";
import { sortedQuantile } from "./compare_stats.ts";
import type { LevelSample } from "./level_samples.ts";
import { quantileCi } from "./quantile_ci.ts";

/** The percentiles of the table, in percent. */
export const PERCENTILES = [50, 90, 95, 99] as const;

/** The samples of a sorted array strictly above `value`. */
function countAbove(sorted: Float64Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/**
 * Per experiment, workload, runtime and level (cold-start and warm latencies, as the
 * per-level tables select them): `n`, `runs`, and for each of p50, p90, p95, p99 the estimate
 * `pXX_ms`, its 95 % interval `pXX_lo_ms`..`pXX_hi_ms` (null where n is too small for one,
 * see `quantileCiRanks`) and `pXX_tail_n`, the samples above the estimate.
 * One row a cell of `cells` (`levelSamples`), in their order.
 */
export function percentilesTable(cells: LevelSample[]): pl.DataFrame {
  const columns: Record<string, (string | number | null)[]> = {
    experiment: [],
    workload: [],
    runtime: [],
    level: [],
    n: [],
    runs: [],
  };
  for (const p of PERCENTILES) {
    for (const c of ["ms", "lo_ms", "hi_ms", "tail_n"]) columns[`p${p}_${c}`] = [];
  }
  for (const { experiment, workload, runtime, level, runs, sorted } of cells) {
    columns.experiment.push(experiment);
    columns.workload.push(workload);
    columns.runtime.push(runtime);
    columns.level.push(level);
    columns.n.push(sorted.length);
    columns.runs.push(runs);
    for (const p of PERCENTILES) {
      const value = sortedQuantile(sorted, p / 100)!;
      const ci = quantileCi(sorted, p / 100);
      columns[`p${p}_ms`].push(value);
      columns[`p${p}_lo_ms`].push(ci?.[0] ?? null);
      columns[`p${p}_hi_ms`].push(ci?.[1] ?? null);
      columns[`p${p}_tail_n`].push(countAbove(sorted, value));
    }
  }
  return pl.DataFrame(
    Object.entries(columns).map(([name, values]) => {
      const dtype = ["experiment", "workload", "runtime"].includes(name)
        ? pl.Utf8
        : name === "level" || name === "n" || name === "runs" || name.endsWith("_tail_n")
        ? pl.Int64
        : pl.Float64;
      return pl.Series(name, values, dtype);
    }),
  );
}
