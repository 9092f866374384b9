/**
 * The moments of the latency samples the comparison tables pool (n, mean and m2, the sum of
 * squared deviations from the mean), per level, kept apart for the `4_` samples
 * (`source = warm_samples`) and the rest: the thesis-mode comparison treats the two
 * differently (comparison_table.ts).
 *
 * Why a module of their own: they ride along the group-by of a latency table (the warm table's
 * is the costliest pass of the pipeline on millions of rows), so the comparison needs no pass
 * of its own over the activations. They are plain aggregations of null-masked columns, which
 * keeps the group-by on polars' fast path.
 */
import pl from "nodejs-polars";

const PARTS = [["_file", true], ["_rest", false]] as const;

/**
 * `rows` (with `latency_ms` and `source`) plus `latency_file` and `latency_rest`: the latency
 * where the row is a `4_` sample, and where it is not; null elsewhere.
 */
export function withMomentColumns(rows: pl.LazyDataFrame): pl.LazyDataFrame {
  const fromFile = pl.col("source").eq(pl.lit("warm_samples"));
  const v = pl.col("latency_ms");
  return rows.withColumns(
    pl.when(fromFile).then(v).otherwise(pl.lit(null)).alias("latency_file"),
    pl.when(fromFile.not()).then(v).otherwise(pl.lit(null)).alias("latency_rest"),
  );
}

/**
 * Aggregations over rows of {@linkcode withMomentColumns}: `n_file`, `mean_file`, `m2_file`,
 * `n_rest`, `mean_rest`, `m2_rest` (n as Float64; m2 is 0 for fewer than two values).
 */
export function momentAggs(): pl.Expr[] {
  return PARTS.flatMap(([suffix]) => {
    const v = pl.col(`latency${suffix}`);
    const n = v.count().cast(pl.Float64);
    return [
      n.alias(`n${suffix}`),
      v.mean().alias(`mean${suffix}`),
      pl.when(n.gt(pl.lit(1))).then(v.std().pow(2).mul(n.sub(pl.lit(1)))).otherwise(pl.lit(0))
        .alias(`m2${suffix}`),
    ];
  });
}

/**
 * The moments of `levels` (keys plus {@linkcode momentAggs} columns) as one row per key and
 * `from_file`, with `n`, `mean`, `m2`; parts without values are left out.
 */
export function momentsLong(levels: pl.DataFrame, keys: string[]): pl.DataFrame {
  const part = ([suffix, fromFile]: readonly [string, boolean]) =>
    levels.lazy()
      .select(
        ...keys,
        pl.lit(fromFile).alias("from_file"),
        pl.col(`n${suffix}`).alias("n"),
        pl.col(`mean${suffix}`).alias("mean"),
        pl.col(`m2${suffix}`).alias("m2"),
      )
      .filter(pl.col("n").gt(pl.lit(0)));
  return pl.concat(PARTS.map(part)).collectSync();
}
