/**
 * The per-level latency tables: cold start (Tables 3, 4) and warm latency (Tables 5-8 and the
 * ten statistics tables the thesis captions as Figures 10-30), for every runtime, workload and
 * level present in a dataset.
 */
import pl from "nodejs-polars";
import {
  coldStartRowsLazy,
  errorCountsLazy,
  WARM_EXPERIMENT,
  warmRowsLazy,
} from "./latency_rows.ts";
import { momentAggs, withMomentColumns } from "./level_moments.ts";
import { levelStatsLazy, STAT_COLUMNS } from "./stats.ts";

/**
 * `stats` with the count column `name` of `counts` joined on `keys`, 0 where none. A null key
 * (the level of imported records, whose concurrency is unknown) matches a null key: otherwise
 * such a cell's counts would silently be 0.
 */
function withCount(
  stats: pl.LazyDataFrame,
  counts: pl.LazyDataFrame,
  keys: string[],
  name: string,
): pl.LazyDataFrame {
  return stats
    .join(counts, { on: keys, how: "left", nullsEqual: true })
    .withColumns(pl.col(name).fillNull(0).cast(pl.Int64));
}

/**
 * `stats` over every cell of `keys` that has rows in `stats` or (with a level) in any of `counts`: a cell
 * whose activations all failed keeps its row (n = 0, its errors counted) instead of vanishing.
 */
function everyCell(
  stats: pl.LazyDataFrame,
  counts: pl.LazyDataFrame[],
  keys: string[],
): pl.LazyDataFrame {
  // Errors without a level (a run's final error line) make no cell of their own; latencies
  // without one (imported records, whose concurrency is unknown) do.
  const cells = pl.concat([
    stats.select(...keys),
    ...counts.map((f) => f.select(...keys).filter(pl.col("level").isNotNull())),
  ]).unique();
  return cells.join(stats, { on: keys, how: "left", nullsEqual: true }).withColumns(
    pl.col("n").fillNull(0).cast(pl.Int64),
  );
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
  const errors = errorCountsLazy(exp, keys);
  const stats = everyCell(
    levelStatsLazy(coldStartRowsLazy(all), "latency_ms", ["runtime"]),
    [notCold, errors],
    keys,
  );
  const withNotCold = withCount(stats, notCold, keys, "n_not_cold");
  return withCount(withNotCold, errors, keys, "n_errors").sort(keys).collectSync();
}

/**
 * The columns {@linkcode warmLevels} adds for `levelSamples`: each cell's latencies sorted
 * ascending (a list), and its runs (distinct `run`, a null run counted as run 0).
 */
export const WARM_SAMPLE_COLUMNS = { sorted: "latency_sorted", runs: "latency_runs" } as const;

/**
 * Per runtime, workload and level of the concurrency experiment: the warm table's statistics,
 * the comparison's moments (level_moments.ts) and the cells' sorted samples for the
 * percentile and repetition tables ({@linkcode WARM_SAMPLE_COLUMNS}), from one group-by over
 * the warm rows. Pass it to {@linkcode warmTable}, `comparisonMoments` and `levelSamples` to
 * compute all three from one pass (with a group-by of their own, 689 against 452 ms CPU on
 * 1.16 M rows).
 */
export function warmLevels(activations: pl.DataFrame): pl.DataFrame {
  const rows = withMomentColumns(warmRowsLazy(activations.lazy()));
  return levelStatsLazy(rows, "latency_ms", ["runtime", "workload"], [
    ...momentAggs(),
    pl.col("latency_ms").cast(pl.Float64).sort().alias(WARM_SAMPLE_COLUMNS.sorted),
    pl.col("run").fillNull(0).nUnique().cast(pl.Float64).alias(WARM_SAMPLE_COLUMNS.runs),
  ]).collectSync();
}

/**
 * Warm latency (waitTime) per runtime, workload and level of the concurrency experiment;
 * `n_errors` counts the cell's failed invocations.
 */
export function warmTable(
  activations: pl.DataFrame,
  levels: pl.DataFrame = warmLevels(activations),
): pl.DataFrame {
  const keys = ["runtime", "workload", "level"];
  const exp = activations.lazy().filter(pl.col("experiment").eq(pl.lit(WARM_EXPERIMENT)));
  const errors = errorCountsLazy(exp, keys);
  const stats = everyCell(levels.lazy().select(...keys, ...STAT_COLUMNS), [errors], keys);
  return withCount(stats, errors, keys, "n_errors").sort(keys).collectSync();
}
