/**
 * A dataset's latency samples per cell (experiment, workload, runtime, level), every run of a
 * level merged into one sorted sample: what the percentile and repetition tables describe.
 */
import type pl from "nodejs-polars";
import { latencyCells } from "./latency_cells.ts";

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

/**
 * The cells of `activations` in the order of their keys (rows without a level are left out,
 * as in the comparison), restricted to `levels` where given.
 */
export function levelSamples(activations: pl.DataFrame, levels?: number[]): LevelSample[] {
  const out: LevelSample[] = [];
  for (
    const { experiment, workload, runtime, levels: byLevel } of latencyCells(activations).values()
  ) {
    for (const [level, byRun] of byLevel) {
      if (levels && !levels.includes(level)) continue;
      const parts = [...byRun.values()];
      const sorted = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
      let at = 0;
      for (const p of parts) sorted.set(p, at), at += p.length;
      sorted.sort();
      out.push({ experiment, workload, runtime, level, runs: byRun.size, sorted });
    }
  }
  return out;
}
