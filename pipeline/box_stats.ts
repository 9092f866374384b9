/**
 * The numbers a box plot draws, computed here rather than left to the renderer: Plotly's
 * default quartiles are not R's, so the thesis's boxes (ggplot2's `geom_boxplot`: R's
 * `quantile` type 7, whiskers to the furthest value within 1.5 IQR of the box, values beyond
 * drawn as outliers) come out only when the figure carries the numbers itself. Outliers are
 * kept once per distinct value: a marker drawn 16 times at one position shows nothing more,
 * and made exported files megabytes large.
 */
import pl from "nodejs-polars";

/** The numbers of one box. */
export interface BoxStats {
  /** Group key (the concurrency level of a latency box plot). */
  level: number;
  /** Values in the group. */
  n: number;
  q1: number;
  median: number;
  q3: number;
  /** Lowest value at or above q1 - 1.5 IQR. */
  lower_whisker: number;
  /** Highest value at or below q3 + 1.5 IQR. */
  upper_whisker: number;
  mean: number;
  max: number;
  /** Distinct values beyond the whiskers, ascending. */
  outliers: number[];
}

/** Options of {@linkcode boxStats}. */
export interface BoxStatsOptions {
  /** Column of the values. Default `"latency_ms"`. */
  value?: string;
  /** Column of the group key. Default `"level"`. */
  by?: string;
}

/**
 * Per group: quartiles by linear interpolation between order statistics (R's type 7, the
 * default of `quantile` and of ggplot2), 1.5 IQR whiskers, mean, maximum and the distinct
 * outliers; null values are ignored. Sorted by the group key.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { boxStats } from "./box_stats.ts";
 * const rows = pl.DataFrame({ level: [1, 1, 1, 1, 1], latency_ms: [1, 2, 3, 4, 100] });
 * const [box] = boxStats(rows);
 * [box.q1, box.median, box.q3, box.upper_whisker, box.outliers]; // [2, 3, 4, 4, [100]]
 * ```
 */
export function boxStats(
  rows: pl.DataFrame,
  { value = "latency_ms", by = "level" }: BoxStatsOptions = {},
): BoxStats[] {
  const v = pl.col("v");
  const values = rows.select(pl.col(by).alias("level"), pl.col(value).cast(pl.Float64).alias("v"))
    .filter(v.isNotNull());
  const quartiles = values.groupBy("level").agg(
    v.count().cast(pl.Int64).alias("n"),
    v.quantile(0.25, "linear").alias("q1"),
    v.quantile(0.5, "linear").alias("median"),
    v.quantile(0.75, "linear").alias("q3"),
    v.mean().alias("mean"),
    v.max().alias("max"),
  );
  const iqr = pl.col("q3").minus(pl.col("q1"));
  const inside = v.gtEq(pl.col("q1").minus(iqr.mul(1.5)))
    .and(v.ltEq(pl.col("q3").plus(iqr.mul(1.5))));
  const marked = values.join(quartiles.select("level", "q1", "q3"), { on: "level" })
    .withColumns(inside.alias("inside"));
  const whiskers = marked.filter(pl.col("inside")).groupBy("level").agg(
    v.min().alias("lower_whisker"),
    v.max().alias("upper_whisker"),
  );
  const outliers = marked.filter(pl.col("inside").not()).select("level", "v").unique()
    .groupBy("level").agg(v.sort().alias("outliers"));
  const out = quartiles
    .join(whiskers, { on: "level" })
    .join(outliers, { on: "level", how: "left" })
    .sort("level")
    .toRecords() as unknown as (BoxStats & { outliers: number[] | null })[];
  return out.map((b) => ({ ...b, outliers: b.outliers ?? [] }));
}
