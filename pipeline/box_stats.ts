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
  return boxStatsBy(rows, [], { value, by }).get("[]") ?? [];
}

/**
 * {@linkcode boxStats} for every group of the `groups` columns at once (one polars query for
 * all, where a query per figure costs most of a report with thousands of workloads): the boxes
 * of each group, keyed by `JSON.stringify` of its group values in `groups`' order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { boxStatsBy } from "./box_stats.ts";
 * const rows = pl.DataFrame({ runtime: ["a", "a", "b"], level: [1, 1, 1], latency_ms: [1, 3, 5] });
 * const boxes = boxStatsBy(rows, ["runtime"]);
 * assert.deepEqual([...boxes.keys()], ['["a"]', '["b"]']);
 * assert.equal(boxes.get('["a"]')![0].median, 2);
 * ```
 */
export function boxStatsBy(
  rows: pl.DataFrame,
  groups: string[],
  { value = "latency_ms", by = "level" }: BoxStatsOptions = {},
): Map<string, BoxStats[]> {
  const v = pl.col("v");
  const keys = [...groups, "level"];
  const values = rows.select(
    ...groups.map((g) => pl.col(g)),
    pl.col(by).alias("level"),
    pl.col(value).cast(pl.Float64).alias("v"),
  ).filter(v.isNotNull());
  const quartiles = values.groupBy(keys).agg(
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
  const marked = values.join(quartiles.select(...keys, "q1", "q3"), { on: keys })
    .withColumns(inside.alias("inside"));
  const whiskers = marked.filter(pl.col("inside")).groupBy(keys).agg(
    v.min().alias("lower_whisker"),
    v.max().alias("upper_whisker"),
  );
  const outliers = marked.filter(pl.col("inside").not()).select(...keys, "v").unique()
    .groupBy(keys).agg(v.sort().alias("outliers"));
  const out = quartiles
    .join(whiskers, { on: keys })
    .join(outliers, { on: keys, how: "left" })
    .sort(keys)
    .toRecords() as unknown as (BoxStats & { outliers: number[] | null })[];
  const boxes = new Map<string, BoxStats[]>();
  for (const row of out) {
    const record = row as unknown as Record<string, unknown>;
    const key = JSON.stringify(groups.map((g) => record[g]));
    const box = Object.fromEntries(
      Object.entries(record).filter(([k]) => !groups.includes(k) || k === "level"),
    ) as unknown as BoxStats & { outliers: number[] | null };
    const list = boxes.get(key) ?? [];
    list.push({ ...box, outliers: box.outliers ?? [] });
    boxes.set(key, list);
  }
  return boxes;
}
