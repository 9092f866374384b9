/**
 * The experiments of `deno task collect`, in the thesis's order: what each writes (its
 * `experiment` and `workload` columns) and how it runs, on the core (connection, invoke
 * engine, parts, progress, signals). Those marked `ready: false` come with the next issue.
 */
import type { Clock } from "./clock.ts";
import { coldStart } from "./cold_start.ts";
import type { CommonParams } from "./flags.ts";
import type { OpenWhiskApi } from "./openwhisk.ts";
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";
import type { Stopper } from "./signals.ts";

/** What an experiment is given. */
export interface ExperimentContext {
  api: OpenWhiskApi;
  out: Output;
  runtime: string;
  params: CommonParams;
  stopper: Stopper;
  progress: Progress;
  clock?: Clock;
}

/** What an experiment did. */
export interface ExperimentResult {
  status: "complete" | "interrupted" | "stopped";
  records: number;
  errors: number;
  /** Why it stopped early. */
  reason?: string;
  /** Lines for the summary (flags such as levels that were not all cold). */
  notes: string[];
}

/** One experiment of the CLI. */
export interface Experiment {
  what: string;
  ready: boolean;
  /** Its `experiment` column. */
  column?: string;
  /** Its `workload` column for the given parameters. */
  workload?: (params: CommonParams) => string;
  run?: (ctx: ExperimentContext) => Promise<ExperimentResult>;
}

/** The experiments by CLI name. */
export const EXPERIMENTS: Record<string, Experiment> = {
  deploy: { ready: false, what: "create or update the benchmark actions" },
  "cold-start": {
    ready: true,
    what: "levels 1..N: invoke <workload>1..<workload>L at once, cold, R repetitions",
    column: "cold_start",
    workload: (p) => p.workload,
    run: async ({ api, out, runtime, params, stopper, progress, clock }) => {
      const r = await coldStart(api, out, {
        runtime,
        levels: params.levels,
        reps: params.reps,
        idleWaitMs: params.idle_wait_s * 1000,
        workload: params.workload,
        firstRun: out.entry.first_run,
        stopper,
        progress,
        clock,
        invoke: {
          onError: params.on_error,
          retries: params.retries,
          timeoutMs: params.timeout_s * 1000,
          pollDeadlineMs: params.poll_deadline_s * 1000,
        },
      });
      return {
        ...r,
        notes: r.notCold.map((f) =>
          `not all cold: run ${f.run} level ${f.level}: ${f.warm} of ${f.records} warm`
        ),
      };
    },
  },
  concurrency: { ready: false, what: "closed-loop ramp of warm invocations" },
  mixed: { ready: false, what: "the ramp with IO and CPU actions mixed by weights" },
  capacity: { ready: false, what: "the sleep action at growing concurrency until it fails" },
};

/** The list of experiments for `--help`. */
export function experimentsHelp(): string {
  const list = Object.entries(EXPERIMENTS).map(([name, e]) =>
    `  ${name.padEnd(12)} ${e.what}${e.ready ? "" : " (not yet there)"}`
  );
  return `usage: deno task collect <experiment> [flags]\n\nexperiments:\n${list.join("\n")}\n\n` +
    "deno task collect <experiment> --help lists its flags.";
}
