/**
 * A dataset's latency samples per cell (experiment, workload, runtime, level), every run of a
 * level merged into one sorted sample: what the percentile and repetition tables describe.
 */
import pl from "nodejs-polars";
import { latencyCells, latencyLists, latencySampleRows } from "./latency_cells.ts";
import { WARM_EXPERIMENT } from "./latency_rows.ts";
import { WARM_SAMPLE_COLUMNS } from "./latency_tables.ts";

/** One cell's latencies, all runs together, ascending. */
export interface LevelSample {
  experiment: string;
  workload: string;
  runtime: string;
  level: number;
  /** How many runs (repetitions) the samples come from. */
  runs: number;
  sorted: Float64Array;
}

const KEYS = ["experiment", "workload", "runtime", "level"] as const;

/**
 * The cells of `activations` in the order of their keys (rows without a level are left out,
 * as in the comparison), restricted to `levels` where given. Each cell is sorted once by
 * polars, all runs together: sorting each run apart and merging them in JavaScript took half
 * as long again (387 against 262 ms on 1.16 M rows). With `warm`, the warm table's group-by
 * of the same activations (`warmLevels`), the concurrency experiment's cells are taken from
 * it instead of a group-by of their own.
 */
export function levelSamples(
  activations: pl.DataFrame,
  levels?: number[],
  warm?: pl.DataFrame,
): LevelSample[] {
  const cells = (rows: pl.LazyDataFrame) =>
    rows.groupBy([...KEYS]).agg(
      pl.col("latency_ms").sort().alias("latency_ms"),
      pl.col("run").nUnique().cast(pl.Float64).alias("runs"),
    );
  const groups = (warm === undefined ? cells(latencySampleRows(activations)) : pl.concat([
    cells(latencySampleRows(activations, { warm: false })),
    warm.lazy().filter(pl.col("level").isNotNull()).select(
      pl.lit(WARM_EXPERIMENT).alias("experiment"),
      "workload",
      "runtime",
      pl.col("level").cast(pl.Float64),
      pl.col(WARM_SAMPLE_COLUMNS.sorted).alias("latency_ms"),
      pl.col(WARM_SAMPLE_COLUMNS.runs).alias("runs"),
    ),
  ]))
    .sort([...KEYS])
    .collectSync();
  const { latency, lengths } = latencyLists(groups);
  const keys = groups.select(...KEYS, "runs").toRecords() as {
    experiment: string;
    workload: string;
    runtime: string;
    level: number;
    runs: number;
  }[];
  const out: LevelSample[] = [];
  let start = 0;
  for (const [i, { experiment, workload, runtime, level, runs }] of keys.entries()) {
    const sorted = latency.subarray(start, start += Number(lengths[i]));
    // Sorted ascending, NaN last: a NaN or an infinity shows at either end, and latencyCells
    // names its cell and run.
    const bad = [sorted[0], sorted[sorted.length - 1]].find((v) => !Number.isFinite(v));
    if (bad !== undefined) {
      latencyCells(activations);
      throw new RangeError(
        `Cannot compare latencies: experiment ${experiment}, workload ${workload}, runtime ` +
          `${runtime}, level ${level} has a latency of ${bad} ms, expected a finite number`,
      );
    }
    if (levels && !levels.includes(level)) continue;
    out.push({ experiment, workload, runtime, level, runs: Number(runs), sorted });
  }
  return out;
}
