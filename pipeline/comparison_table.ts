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
import { coldStartRowsLazy, WARM_EXPERIMENT, warmRowsLazy } from "./latency_rows.ts";
import { warmLevels } from "./latency_tables.ts";
import { levelRange } from "./levels.ts";
import { momentAggs, momentsLong, withMomentColumns } from "./level_moments.ts";
import { aggregateBy } from "./stats.ts";

/** Options of {@linkcode comparisonTable}. */
export interface ComparisonOptions {
  /** Levels pooled. Default 1-15, as the thesis's tables. Ignored for `4_` samples in thesis mode. */
  levels?: number[];
  /** `"corrected"` (default) or `"thesis"` (reproduces the thesis script's label slip). */
  mode?: "corrected" | "thesis";
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

const KEYS = ["experiment", "workload", "runtime"];

/**
 * The moments of the rows a comparison can pool, per experiment, workload, runtime, level and
 * `from_file` (the rows are `4_` samples): `n`, `mean` and `m2` (the sum of squared deviations
 * from the mean). Both comparison modes are computed from these few rows. The warm part comes
 * from `warm` ({@linkcode warmLevels}: pass the warm table's to share its pass over the
 * activations); the cold part is one group-by over the cold starts.
 */
export function comparisonMoments(
  activations: pl.DataFrame,
  warm: pl.DataFrame = warmLevels(activations),
): pl.DataFrame {
  const keys = [...KEYS, "level"];
  const cold = aggregateBy(withMomentColumns(coldStartRowsLazy(activations.lazy())), KEYS, [
    "level",
  ], momentAggs()).collectSync();
  const warmKeyed = warm.withColumns(pl.lit(WARM_EXPERIMENT).alias("experiment"));
  return pl.concat([momentsLong(cold, keys), momentsLong(warmKeyed, keys)])
    .sort([...keys, "from_file"]);
}

/**
 * Combines moment rows per `by` with the parallel-variance formula (Chan et al.): pooled n,
 * mean and m2, exact up to rounding. Rows are summed in the order given (sorted by the caller),
 * so the last digit is the same on every run.
 */
function pool(moments: pl.DataFrame, by: string[]): pl.LazyDataFrame {
  const n = pl.col("n"), mean = pl.col("mean");
  const total = n.sum();
  const pooledMean = n.mul(mean).sum().div(total);
  return moments.lazy().groupBy(by, { maintainOrder: true }).agg(
    total.alias("n"),
    pooledMean.alias("mean"),
    pl.col("m2").sum().add(n.mul(mean.sub(pooledMean).pow(2)).sum()).alias("m2"),
    pl.col("from_file").cast(pl.Int64).max().eq(pl.lit(1)).alias("from_file"),
  );
}

/**
 * The comparison table: one row per experiment, workload and runtime with the pooled `n`,
 * `mean`, `cov_pct` (population SD / mean x 100), `mean_of_level_means` and
 * `mean_of_level_cov_pct` (sample SD per level, as the per-level tables), over the rows
 * {@linkcode comparisonRows} selects.
 *
 * Computed from {@linkcode comparisonMoments} (pass them in to compute both modes from one
 * pass): several times faster than grouping the pooled rows on 10 million rows, and, summing
 * a few rows in level order, the same last digit on every run. In thesis mode each level with
 * `4_` samples gets its label as one more value (Welford's update).
 */
export function comparisonTable(
  activations: pl.DataFrame,
  { levels = levelRange(15), mode = "corrected" }: ComparisonOptions = {},
  moments: pl.DataFrame = comparisonMoments(activations),
): pl.DataFrame {
  const inLevels = pl.col("level").isIn(levels);
  const chosen = moments.filter(mode === "thesis" ? pl.col("from_file").or(inLevels) : inLevels);
  let perLevel = pool(chosen, [...KEYS, "level"]).collectSync();
  if (mode === "thesis") {
    const x = pl.col("level").cast(pl.Float64);
    const f = pl.col("from_file");
    const n1 = pl.col("n").add(pl.lit(1));
    const mean1 = pl.col("mean").add(x.sub(pl.col("mean")).div(n1));
    perLevel = perLevel.select(
      ...KEYS,
      "level",
      pl.when(f).then(n1).otherwise(pl.col("n")).alias("n"),
      pl.when(f).then(mean1).otherwise(pl.col("mean")).alias("mean"),
      pl.when(f).then(pl.col("m2").add(x.sub(pl.col("mean")).mul(x.sub(mean1))))
        .otherwise(pl.col("m2")).alias("m2"),
      f,
    );
  }
  const n = pl.col("n"), mean = pl.col("mean");
  const levelCov = pl.when(n.gt(pl.lit(1)))
    .then(pl.col("m2").div(n.sub(pl.lit(1))).pow(0.5).div(mean).mul(100))
    .otherwise(pl.lit(null));
  const levelStats = perLevel
    .sort([...KEYS, "level"])
    .lazy()
    .groupBy(KEYS, { maintainOrder: true })
    .agg(
      mean.mean().alias("mean_of_level_means"),
      levelCov.mean().alias("mean_of_level_cov_pct"),
      pl.col("level").count().cast(pl.Int64).alias("levels"),
    );
  return pool(perLevel.sort([...KEYS, "level"]), KEYS)
    .select(
      ...KEYS,
      n.cast(pl.Int64).alias("n"),
      mean,
      pl.col("m2").div(n).pow(0.5).div(mean).mul(100).alias("cov_pct"),
    )
    .join(levelStats, { on: KEYS })
    .sort(KEYS)
    .collectSync();
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
