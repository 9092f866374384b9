/**
 * Capacity and resources (Table 17, Figures 31, 32): the highest level each runtime reached in
 * the capacity test, the error that stopped it, and the peak CPU and memory of the host
 * samples taken meanwhile.
 */
import pl from "nodejs-polars";
import { NOT_FAILED } from "./latency_rows.ts";

const MIB = 1024 * 1024;

/**
 * The per-sample totals of the resource samples of one experiment (the series of Figures
 * 31, 32): the `*` row where a sample is already a sum, else CPU summed over targets and
 * memory summed over containers; threads of one process (`ps`) share its memory, so a `ps`
 * sample's memory is one thread's RSS, never a sum over threads (DESIGN.md). Samples of
 * several hosts (`host`, sampled over ssh) are totalled per host, then summed over hosts.
 */
export function resourceSeries(resources: pl.DataFrame, experiment = "capacity"): pl.DataFrame {
  const keys = ["runtime", "sampler", "sample"];
  const rows = resources.filter(pl.col("experiment").eq(pl.lit(experiment)));
  const sums = rows.filter(pl.col("target").eq(pl.lit("*")));
  const perTarget = rows
    .filter(pl.col("target").neq(pl.lit("*")))
    .join(sums.select(...keys).unique(), { on: keys, how: "anti" });
  const isPs = pl.col("sampler").first().eq(pl.lit("ps"));
  // Per host first (a ps sample's memory is one RSS per host's process), then over hosts.
  const hosts = rows.columns.includes("host") && rows.getColumn("host").nullCount() < rows.height;
  const byHost = hosts ? [...keys, "host"] : keys;
  const totals = (frame: pl.DataFrame) =>
    frame.groupBy(byHost).agg(
      pl.col("t_ms").min().alias("t_ms"),
      pl.col("cpu_pct").sum().alias("cpu_pct"),
      pl.when(isPs).then(pl.col("mem_bytes").max()).otherwise(pl.col("mem_bytes").sum())
        .alias("mem_bytes"),
      pl.col("target").count().cast(pl.Int64).alias("targets"),
    );
  const overHosts = (frame: pl.DataFrame) =>
    byHost === keys ? frame : frame.groupBy(keys).agg(
      pl.col("t_ms").min().alias("t_ms"),
      pl.col("cpu_pct").sum().alias("cpu_pct"),
      pl.col("mem_bytes").sum().alias("mem_bytes"),
      pl.col("targets").sum().cast(pl.Int64).alias("targets"),
    );
  return pl.concat([overHosts(totals(sums)), overHosts(totals(perTarget))])
    .withColumns(pl.col("mem_bytes").div(MIB).alias("mem_mib"))
    .sort(keys);
}

/** Options of {@linkcode capacityTable}. */
export interface CapacityTableOptions {
  /**
   * Ids of the collections that measured a capacity (`measuredCapacityIds`): only their rows
   * count; null (default) for a dataset without collections, where every row counts.
   */
  measured?: string[] | null;
}

/**
 * Table 17 per runtime: `capacity` (highest level with a latency in the capacity experiment),
 * `error` (the invocation error that ended it, if recorded), `max_cpu_pct` and `max_mem_mib`
 * (maxima over samples of the per-sample totals). In a collected dataset only the collections
 * that measured a capacity count: a stopped or interrupted test, or one without a failure up
 * to its last level, is a lower bound at most (the collections table shows it).
 */
export function capacityTable(
  activations: pl.DataFrame,
  resources: pl.DataFrame,
  { measured = null }: CapacityTableOptions = {},
): pl.DataFrame {
  const all = activations.filter(pl.col("experiment").eq(pl.lit("capacity")));
  const exp = measured === null
    ? all
    : all.columns.includes("collection")
    ? all.filter(pl.col("collection").isIn(measured))
    : all.head(0);
  const reached = exp
    .filter(pl.col("wait_ms").isNotNull().and(NOT_FAILED))
    .groupBy("runtime")
    .agg(pl.col("level").max().alias("capacity"));
  const errors = exp
    .filter(pl.col("source").eq(pl.lit("error")))
    .groupBy("runtime")
    .agg(pl.col("error").first().alias("error"));
  const peaks = resourceSeries(resources)
    .groupBy("runtime")
    .agg(
      pl.col("cpu_pct").max().alias("max_cpu_pct"),
      pl.col("mem_mib").max().alias("max_mem_mib"),
    );
  const runtimes = pl.concat([
    reached.select("runtime"),
    peaks.select("runtime"),
  ]).unique();
  return runtimes
    .join(reached, { on: "runtime", how: "left" })
    .join(errors, { on: "runtime", how: "left" })
    .join(peaks, { on: "runtime", how: "left" })
    .sort("runtime");
}

/** Options of {@linkcode capacityRatios}. */
export interface CapacityRatioOptions {
  /** The runtime compared against. Default "docker". */
  baseline?: string;
  /** The runtime compared. Default "wasm". */
  other?: string;
}

/**
 * How many times better `other` does than `baseline` on each metric of Table 17 (its
 * "vs. Docker" column): for CPU and memory, lower is better, so baseline / other; for
 * capacity, higher is better, so other / baseline.
 */
export function capacityRatios(
  capacity: pl.DataFrame,
  { baseline = "docker", other = "wasm" }: CapacityRatioOptions = {},
): pl.DataFrame {
  const value = (runtime: string, metric: string) => {
    const row = capacity.filter(pl.col("runtime").eq(pl.lit(runtime)));
    return row.height === 0 ? null : (row.getColumn(metric).get(0) as number | null);
  };
  const metrics: [string, boolean][] = [
    ["max_cpu_pct", false],
    ["max_mem_mib", false],
    ["capacity", true],
  ];
  const rows = metrics.map(([metric, higherIsBetter]) => {
    const b = value(baseline, metric), o = value(other, metric);
    const ratio = b === null || o === null ? null : higherIsBetter ? o / b : b / o;
    return { metric, baseline, other, baseline_value: b, other_value: o, ratio };
  });
  return pl.DataFrame(rows);
}
