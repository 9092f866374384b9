/**
 * What each raw file of the thesis's layout holds, from its name alone:
 * `<stage>_<runtime>_<experiment>[_<workload>].log`, `<runtime>_res.log`,
 * `function_cold_times.log` and `function_times.log` (README of the thesis data).
 */

/** A raw file's role in a dataset. */
export type RawFile =
  | LatencyLog
  | { kind: "resources"; runtime: string; experiment: string }
  | { kind: "timings"; runtime: string; which: "init" | "run" };

/** A latency log: raw activation records (`1_`) or samples derived from them (`2_`, `4_`). */
export interface LatencyLog extends Where {
  kind: "activations" | "samples" | "warm_samples";
  /** `<runtime>_<experiment>_<workload>`: what pairs a derived file with its raw log. */
  key: string;
  stage: number;
}

/** Experiment, workload and runtime of a latency log. */
export interface Where {
  runtime: string;
  experiment: string;
  workload: string;
}

/** The thesis's short mixed-load names, by the contract's names (IO % then CPU %). */
const WORKLOADS: Record<string, string> = {
  hello: "hello",
  hash: "hash",
  sleep: "sleep",
  mixed_1_9: "mixed_10_90",
  mixed_25_75: "mixed_25_75",
  mixed_5_5: "mixed_50_50",
  mixed_75_25: "mixed_75_25",
  mixed_9_1: "mixed_90_10",
};

/** Workload of an experiment whose file name names none. */
const DEFAULT_WORKLOAD: Record<string, string> = { cold_start: "hello", capacity: "sleep" };

const LATENCY = /^([124])_([a-z0-9-]+?)_(cold_start|concurrency|capacity)(?:_([a-z0-9_]+))?\.log$/;

/** The contract's workload name for a file's workload part (`mixed_1_9` is `mixed_10_90`). */
export function workloadName(part: string): string | undefined {
  if (part in WORKLOADS) return WORKLOADS[part];
  return /^mixed_\d+_\d+$/.test(part) ? part : undefined;
}

/** Classifies a raw file by name, or returns null for a name this layout does not know. */
export function classify(name: string): RawFile | null {
  const m = LATENCY.exec(name);
  if (m) {
    const [, stage, runtime, experiment, part] = m;
    const workload = part === undefined ? DEFAULT_WORKLOAD[experiment] : workloadName(part);
    if (workload === undefined) return null;
    const kind = stage === "1" ? "activations" : stage === "2" ? "samples" : "warm_samples";
    if (kind === "warm_samples" && experiment !== "concurrency") return null;
    return {
      kind,
      stage: Number(stage),
      key: `${runtime}_${experiment}_${workload}`,
      runtime,
      experiment,
      workload,
    };
  }
  const res = /^([a-z0-9-]+)_res\.log$/.exec(name);
  if (res) return { kind: "resources", runtime: res[1], experiment: "capacity" };
  if (name === "function_cold_times.log") {
    return { kind: "timings", runtime: "wasm", which: "init" };
  }
  if (name === "function_times.log") return { kind: "timings", runtime: "wasm", which: "run" };
  return null;
}
