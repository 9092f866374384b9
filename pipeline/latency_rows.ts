/**
 * Which activation rows feed which latency table (DESIGN.md): the selection rules, defined
 * once so that every table, figure and notebook counts the same rows.
 */
import pl from "nodejs-polars";

/**
 * The activation columns the pipeline's tables and figures read: a caller may read only these
 * (`readDataset(dir, { activationColumns: PIPELINE_COLUMNS })`), which leaves the large
 * `record` JSON and the per-record details on disk.
 */
export const PIPELINE_COLUMNS = [
  "experiment",
  "workload",
  "runtime",
  "level",
  "source",
  "wait_ms",
  "init_ms",
  "success",
  "error",
  // The repetition: the percentile and repetition tables count runs.
  "run",
  // A collected dataset's collection of each row (absent from an ingested one).
  "collection",
] as const;

const is = (col: string, value: string) => pl.col(col).eq(pl.lit(value));

/**
 * Rows whose activation did not fail: a failed activation (`success: false`) still has a
 * waitTime, but it is an error of its cell, counted by {@linkcode errorCounts}, never a
 * latency. Unknown success (samples of the thesis's logs) counts as not failed.
 */
export const NOT_FAILED: pl.Expr = pl.col("success").isNull().or(
  pl.col("success").eq(pl.lit(true)),
);

/** The experiment whose rows are warm latencies (mixed loads included). */
export const WARM_EXPERIMENT = "concurrency";

/**
 * Cold starts: full records of activations that did not fail and carry an initTime, with
 * `latency_ms` = waitTime + initTime (the cold-start latency of the thesis's Tables 3, 4 and 9).
 */
export function coldStartRows(activations: pl.DataFrame, experiment = "cold_start"): pl.DataFrame {
  return coldStartRowsLazy(activations.lazy(), experiment).collectSync();
}

/** {@linkcode coldStartRows} as a step of a lazy query (one definition of the rule). */
export function coldStartRowsLazy(
  activations: pl.LazyDataFrame,
  experiment = "cold_start",
): pl.LazyDataFrame {
  return activations
    .filter(
      is("experiment", experiment).and(is("source", "record")).and(pl.col("init_ms").isNotNull())
        .and(NOT_FAILED),
    )
    .withColumns(pl.col("wait_ms").add(pl.col("init_ms")).alias("latency_ms"));
}

/**
 * Warm starts of the concurrency experiment (mixed loads included): records without an
 * initTime and samples known to be warm (`warm_samples`), with `latency_ms` = waitTime.
 * Samples of unknown warmth, error rows and failed activations never enter.
 */
export function warmRows(activations: pl.DataFrame): pl.DataFrame {
  return warmRowsLazy(activations.lazy()).collectSync();
}

/** {@linkcode warmRows} as a step of a lazy query (one definition of the rule). */
export function warmRowsLazy(activations: pl.LazyDataFrame): pl.LazyDataFrame {
  const warmRecord = is("source", "record").and(pl.col("init_ms").isNull());
  return activations
    .filter(
      is("experiment", WARM_EXPERIMENT)
        .and(warmRecord.or(is("source", "warm_samples")))
        .and(pl.col("wait_ms").isNotNull())
        .and(NOT_FAILED),
    )
    .withColumns(pl.col("wait_ms").alias("latency_ms"));
}

/** Rows of one experiment that are not latencies: errors, and records that failed. */
export function errorCounts(activations: pl.DataFrame, by: string[]): pl.DataFrame {
  return errorCountsLazy(activations.lazy(), by).collectSync();
}

/** {@linkcode errorCounts} as a step of a lazy query. */
export function errorCountsLazy(activations: pl.LazyDataFrame, by: string[]): pl.LazyDataFrame {
  return activations
    .filter(pl.col("source").eq(pl.lit("error")).or(pl.col("success").eq(pl.lit(false))))
    .groupBy(by)
    .agg(pl.len().cast(pl.Int64).alias("n_errors"));
}
