/**
 * A dataset's latencies as cells for the comparison (compare.ts): per experiment, workload and
 * runtime, per level and run, sorted once. The latency is the one the per-level tables use
 * (latency_rows.ts): wait + init for cold starts, the warm latency for the concurrency
 * experiment.
 */
import pl from "nodejs-polars";
import type { Runs } from "./bootstrap.ts";
import { coldStartRowsLazy, warmRowsLazy } from "./latency_rows.ts";

/** A group of cells: one experiment, workload and runtime, by level, by run, sorted latencies. */
export interface LatencyGroup {
  experiment: string;
  workload: string;
  runtime: string;
  levels: Map<number, Map<number, Float64Array>>;
}

/**
 * The key of a group of cells. JSON, not a joined string: names come from untrusted datasets,
 * and a workload named "a/b" must not meet experiment "x/a", workload "b".
 */
export function cellKey(experiment: string, workload: string, runtime: string): string {
  return JSON.stringify([experiment, workload, runtime]);
}

/** A dataset's latency samples, grouped: {@linkcode cellKey} -> group. */
export type LatencyCells = Map<string, LatencyGroup>;

const KEYS = ["experiment", "workload", "runtime"] as const;

/**
 * The rows of the latency samples: experiment, workload, runtime, level, run (null as 0) and
 * latency_ms, of the cold-start and concurrency experiments, rows without a level or a
 * latency left out (with `warm` false, of the cold-start experiment only; with `unknownLevel`,
 * rows without a level are kept as level 0). The one selection of {@linkcode latencyCells} and
 * `levelSamples`.
 */
export function latencySampleRows(
  activations: pl.DataFrame,
  { warm = true, unknownLevel = false }: { warm?: boolean; unknownLevel?: boolean } = {},
): pl.LazyDataFrame {
  const cols = [...KEYS, "level", "run", "latency_ms"];
  const lazy = activations.lazy();
  const latency = pl.col("latency_ms").isNotNull();
  return pl.concat([
    coldStartRowsLazy(lazy).select(...cols),
    ...warm ? [warmRowsLazy(lazy).select(...cols)] : [],
  ])
    .filter(unknownLevel ? latency : pl.col("level").isNotNull().and(latency))
    .select(
      ...KEYS,
      pl.col("level").fillNull(0).cast(pl.Float64),
      pl.col("run").fillNull(0).cast(pl.Float64),
      pl.col("latency_ms").cast(pl.Float64),
    );
}

/**
 * The `latency_ms` lists of `groups` (one row a group) as one array of every value, group
 * after group, and each group's length: what the samples are cut from without a copy each.
 */
export function latencyLists(groups: pl.DataFrame): { latency: Float64Array; lengths: number[] } {
  const latency = (groups.height === 0 ? pl.Series("latency_ms", [], pl.Float64) : groups
    .select(pl.col("latency_ms").explode())
    .getColumn("latency_ms")).toTypedArray() as Float64Array;
  const lengths = groups.select(pl.col("latency_ms").lst.lengths()).getColumn("latency_ms")
    .toArray() as number[];
  return { latency, lengths };
}

/**
 * The latency samples of a dataset's cold-start and concurrency experiments as cells (rows
 * without a latency are left out; a null level counts as level 0, a null run as one run, 0),
 * sorted once.
 */
export function latencyCells(activations: pl.DataFrame): LatencyCells {
  // One list of latencies per (cell, run), each sorted within its group: a sort of all rows by
  // the string keys costs several times more time and memory (polars encodes every key of
  // every row), and only the few group rows need sorting by key.
  // Imported records do not say how many requests were in flight: they are compared as one
  // cell of level 0 (not known), so that two imports of a production OpenWhisk compare.
  const groups = latencySampleRows(activations, { unknownLevel: true })
    .groupBy([...KEYS, "level", "run"])
    .agg(pl.col("latency_ms").sort().alias("latency_ms"))
    .sort([...KEYS, "level", "run"])
    .collectSync();
  const { latency, lengths } = latencyLists(groups);
  const keys = groups.select(...KEYS, "level", "run").toRecords() as {
    experiment: string;
    workload: string;
    runtime: string;
    level: number;
    run: number;
  }[];
  const cells: LatencyCells = new Map();
  let start = 0;
  for (const [i, { experiment, workload, runtime, level, run }] of keys.entries()) {
    const len = lengths[i];
    const key = cellKey(experiment, workload, runtime);
    let group = cells.get(key);
    if (!group) cells.set(key, group = { experiment, workload, runtime, levels: new Map() });
    let byRun = group.levels.get(level);
    if (!byRun) group.levels.set(level, byRun = new Map());
    const sample = latency.subarray(start, start += Number(len));
    // Sorted ascending, NaN last: a NaN or an infinity shows at either end.
    const bad = [sample[0], sample[sample.length - 1]].find((v) => !Number.isFinite(v));
    if (bad !== undefined) {
      throw new RangeError(
        `Cannot compare latencies: experiment ${experiment}, workload ${workload}, runtime ` +
          `${runtime}, level ${level}, run ${run} has a latency of ${bad} ms, expected a ` +
          `finite number (from wait_ms and init_ms)`,
      );
    }
    byRun.set(run, sample);
  }
  return cells;
}

/**
 * The samples of `group` at `levels` as the bootstrap resamples them: one entry per run (in
 * run order), holding that run's sample of each level.
 */
export function runsOf(group: LatencyGroup, levels: number[]): Runs {
  const byRun = new Map<number, Float64Array[]>();
  for (const level of levels) {
    for (const [run, sample] of group.levels.get(level) ?? []) {
      if (!byRun.has(run)) byRun.set(run, []);
      byRun.get(run)!.push(sample);
    }
  }
  return [...byRun.keys()].sort((a, b) => a - b).map((run) => byRun.get(run)!);
}

/** Levels present in every group given, ascending. */
export function commonLevels(...groups: LatencyGroup[]): number[] {
  return [...groups[0].levels.keys()]
    .filter((l) => groups.every((g) => g.levels.has(l)))
    .sort((a, b) => a - b);
}

/** The cells to compare: (level label, levels) per level, then `all` pooling them. */
export function levelSets(levels: number[]): [string, number[]][] {
  if (levels.length === 0) return [];
  return [...levels.map((l): [string, number[]] => [String(l), [l]]), ["all", levels]];
}
