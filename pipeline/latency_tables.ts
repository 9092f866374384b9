/**
 * The per-level latency tables: cold start (Tables 3, 4) and warm latency (Tables 5-8 and the
 * ten statistics tables the thesis captions as Figures 10-30), for every runtime, workload and
 * level present in a dataset.
 */
import pl from "nodejs-polars";
import { coldStartRowsLazy, errorCountsLazy, warmRowsLazy } from "./latency_rows.ts";
import { levelStatsLazy } from "./stats.ts";

/** `stats` with the count column `name` of `counts` joined on `keys`, 0 where none. */
function withCount(
  stats: pl.LazyDataFrame,
  counts: pl.LazyDataFrame,
  keys: string[],
  name: string,
): pl.LazyDataFrame {
  return stats
    .join(counts, { on: keys, how: "left" })
    .withColumns(pl.col(name).fillNull(0).cast(pl.Int64));
}

// Each table is one lazy query, collected once: on millions of rows the intermediate frames
// (held until JavaScript's garbage collector frees them) cost more than the statistics.

/**
 * Cold-start latency (waitTime + initTime) per runtime and level, over records with an
 * initTime; `n_not_cold` counts the experiment's records without one (not cold starts, so not
 * in the statistics) and `n_errors` its failed invocations.
 */
export function coldStartTable(activations: pl.DataFrame): pl.DataFrame {
  const keys = ["runtime", "level"];
  const all = activations.lazy();
  const exp = all.filter(pl.col("experiment").eq(pl.lit("cold_start")));
  const notCold = exp
    .filter(pl.col("source").eq(pl.lit("record")).and(pl.col("init_ms").isNull()))
    .groupBy(keys)
    .agg(pl.len().cast(pl.Int64).alias("n_not_cold"));
  const stats = levelStatsLazy(coldStartRowsLazy(all), "latency_ms", ["runtime"]);
  const withNotCold = withCount(stats, notCold, keys, "n_not_cold");
  return withCount(withNotCold, errorCountsLazy(exp, keys), keys, "n_errors").sort(keys)
    .collectSync();
}

/**
 * Warm latency (waitTime) per runtime, workload and level of the concurrency experiment;
 * `n_errors` counts the cell's failed invocations.
 */
export function warmTable(activations: pl.DataFrame): pl.DataFrame {
  const keys = ["runtime", "workload", "level"];
  const all = activations.lazy();
  const exp = all.filter(pl.col("experiment").eq(pl.lit("concurrency")));
  const stats = levelStatsLazy(warmRowsLazy(all), "latency_ms", ["runtime", "workload"]);
  return withCount(stats, errorCountsLazy(exp, keys), keys, "n_errors").sort(keys).collectSync();
}
