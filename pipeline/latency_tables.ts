/**
 * The per-level latency tables: cold start (Tables 3, 4) and warm latency (Tables 5-8 and the
 * ten statistics tables the thesis captions as Figures 10-30), for every runtime, workload and
 * level present in a dataset.
 */
import pl from "nodejs-polars";
import { coldStartRows, errorCounts, warmRows } from "./latency_rows.ts";
import { levelStats } from "./stats.ts";

function withCounts(stats: pl.DataFrame, counts: pl.DataFrame, keys: string[]): pl.DataFrame {
  const names = counts.columns.filter((c) => !keys.includes(c));
  return stats
    .join(counts, { on: keys, how: "left" })
    .withColumns(...names.map((c) => pl.col(c).fillNull(0).cast(pl.Int64)));
}

/**
 * Cold-start latency (waitTime + initTime) per runtime and level, over records with an
 * initTime; `n_not_cold` counts the experiment's records without one (not cold starts, so not
 * in the statistics) and `n_errors` its failed invocations.
 */
export function coldStartTable(activations: pl.DataFrame): pl.DataFrame {
  const keys = ["runtime", "level"];
  const exp = activations.filter(pl.col("experiment").eq(pl.lit("cold_start")));
  const notCold = exp
    .filter(pl.col("source").eq(pl.lit("record")).and(pl.col("init_ms").isNull()))
    .groupBy(keys)
    .agg(pl.len().cast(pl.Int64).alias("n_not_cold"));
  const stats = levelStats(coldStartRows(activations), "latency_ms", ["runtime"]);
  return withCounts(withCounts(stats, notCold, keys), errorCounts(exp, keys), keys).sort(keys);
}

/**
 * Warm latency (waitTime) per runtime, workload and level of the concurrency experiment;
 * `n_errors` counts the cell's failed invocations.
 */
export function warmTable(activations: pl.DataFrame): pl.DataFrame {
  const keys = ["runtime", "workload", "level"];
  const exp = activations.filter(pl.col("experiment").eq(pl.lit("concurrency")));
  const stats = levelStats(warmRows(activations), "latency_ms", ["runtime", "workload"]);
  return withCounts(stats, errorCounts(exp, keys), keys).sort(keys);
}
