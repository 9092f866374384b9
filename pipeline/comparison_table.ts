/**
 * The comparison tables (Tables 9-16): per experiment, workload and runtime, the mean and CoV
 * of all latency samples pooled over the chosen levels, beside the mean of the per-level means
 * and of the per-level CoVs (what the thesis's text says it computed), and the slowdown of one
 * runtime over another.
 *
 * The thesis's script computed its printed numbers in a way of its own (README of the thesis
 * data): it read every integer of a line of a `4_` file as a sample, so the level label `N:`
 * counted as one more latency, and it read every line, the partial 16th level included.
 * `mode: "thesis"` reproduces that, so the published numbers can be matched; the default,
 * `"corrected"`, pools the samples of levels 1-15 only.
 */
import pl from "nodejs-polars";
import { coldStartRowsLazy, warmRowsLazy } from "./latency_rows.ts";
import { populationSd } from "./stats.ts";

/** Options of {@linkcode comparisonTable}. */
export interface ComparisonOptions {
  /** Levels pooled. Default 1-15, as the thesis's tables. Ignored for `4_` samples in thesis mode. */
  levels?: number[];
  /** `"corrected"` (default) or `"thesis"` (reproduces the thesis script's label slip). */
  mode?: "corrected" | "thesis";
}

/** Levels 1..n. */
export function levelRange(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/**
 * The latency rows the comparison pools: cold starts of the cold-start experiment and warm
 * latencies of the concurrency experiment, as `experiment, workload, runtime, level,
 * latency_ms`.
 */
export function comparisonRows(
  activations: pl.DataFrame,
  options: ComparisonOptions = {},
): pl.DataFrame {
  return comparisonRowsLazy(activations.lazy(), options).collectSync();
}

/** {@linkcode comparisonRows} as a lazy query, so the table is one plan, not many frames. */
function comparisonRowsLazy(
  activations: pl.LazyDataFrame,
  { levels = levelRange(15), mode = "corrected" }: ComparisonOptions = {},
): pl.LazyDataFrame {
  const cols = ["experiment", "workload", "runtime", "level", "latency_ms"];
  const inLevels = pl.col("level").isIn(levels);
  const cold = coldStartRowsLazy(activations).filter(inLevels).select(...cols);
  const warm = warmRowsLazy(activations);
  if (mode === "corrected") return pl.concat([cold, warm.filter(inLevels).select(...cols)]);
  // Thesis mode: `4_` samples of every level, plus each level's label as one more sample.
  const fromFile = pl.col("source").eq(pl.lit("warm_samples"));
  const labels = warm
    .filter(fromFile)
    .select("experiment", "workload", "runtime", "level")
    .unique({ maintainOrder: true })
    .withColumns(pl.col("level").cast(pl.Float64).alias("latency_ms"));
  return pl.concat([
    cold,
    warm.filter(fromFile.or(inLevels)).select(...cols),
    labels.select(...cols),
  ]);
}

/**
 * The comparison table: one row per experiment, workload and runtime with the pooled `n`,
 * `mean`, `cov_pct` (population SD / mean x 100), `mean_of_level_means` and
 * `mean_of_level_cov_pct` (sample SD per level, as the per-level tables).
 */
export function comparisonTable(
  activations: pl.DataFrame,
  options: ComparisonOptions = {},
): pl.DataFrame {
  // The pooled rows are made once, by one lazy plan, and then grouped eagerly: grouping the
  // lazy union of cold and warm rows directly sums a group's values in an order that changes
  // from run to run, and with it the last digit of the level means.
  const rows = comparisonRowsLazy(activations.lazy(), options).collectSync();
  const keys = ["experiment", "workload", "runtime"];
  const v = pl.col("latency_ms");
  const pooled = rows.groupBy(keys).agg(
    v.count().cast(pl.Int64).alias("n"),
    v.mean().alias("mean"),
    populationSd(v).div(v.mean()).mul(100).alias("cov_pct"),
  );
  const perLevel = rows
    .groupBy([...keys, "level"])
    .agg(v.mean().alias("level_mean"), v.std().div(v.mean()).mul(100).alias("level_cov"))
    // Level order fixed before the second mean, for the same reason.
    .sort([...keys, "level"])
    .groupBy(keys)
    .agg(
      pl.col("level_mean").mean().alias("mean_of_level_means"),
      pl.col("level_cov").mean().alias("mean_of_level_cov_pct"),
      pl.col("level").count().cast(pl.Int64).alias("levels"),
    );
  return pooled.join(perLevel, { on: keys }).sort(keys);
}

/** Options of {@linkcode slowdownTable}. */
export interface SlowdownOptions {
  /** Runtime whose latency is divided. Default "docker". */
  numerator?: string;
  /** Runtime it is divided by. Default "wasm". */
  denominator?: string;
}

/**
 * How many times the latency of one runtime is that of another (the thesis's slowdown ratio,
 * Docker over Wasm), per experiment and workload: `ratio` of pooled means, and
 * `ratio_of_level_means` of the means of level means.
 */
export function slowdownTable(
  comparison: pl.DataFrame,
  { numerator = "docker", denominator = "wasm" }: SlowdownOptions = {},
): pl.DataFrame {
  const keys = ["experiment", "workload"];
  const side = (runtime: string, suffix: string) =>
    comparison
      .filter(pl.col("runtime").eq(pl.lit(runtime)))
      .select(
        ...keys,
        pl.col("mean").alias(`mean${suffix}`),
        pl.col("mean_of_level_means").alias(`lm${suffix}`),
      );
  return side(numerator, "_num")
    .join(side(denominator, "_den"), { on: keys })
    .select(
      ...keys,
      pl.lit(numerator).alias("numerator"),
      pl.lit(denominator).alias("denominator"),
      pl.col("mean_num").div(pl.col("mean_den")).alias("ratio"),
      pl.col("lm_num").div(pl.col("lm_den")).alias("ratio_of_level_means"),
    )
    .sort(keys);
}
