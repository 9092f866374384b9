/**
 * The experiments of `deno task collect`, in the thesis's order: what each writes (its
 * `experiment` and `workload` columns) and how it runs, on the core (connection, invoke
 * engine, parts, progress, signals). One marked `ready: false` is listed but refuses to run.
 */
import { capacity } from "./capacity.ts";
import type { Clock } from "./clock.ts";
import { coldStart, coldStartActions } from "./cold_start.ts";
import { measureIdleTimeout } from "./idle_timeout.ts";
import { NOT_ALL_COLD } from "./rows.ts";
import { ramp, type RampOptions, workloadParams } from "./concurrency.ts";
import { mixedChooser, mixedWeights } from "./mixed.ts";
import type { CommonParams } from "./flags.ts";
import type { PolicyInvoker } from "./invoke.ts";
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
  /** Runs the calls of the concurrency, mixed and capacity loops (default: in this process). */
  invoker?: PolicyInvoker;
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
  /** The errors are the measurement (the capacity test's final error): exit 0 with them. */
  errorsExpected?: boolean;
}

/** One experiment of the CLI. */
export interface Experiment {
  what: string;
  ready: boolean;
  /** Its `experiment` column. */
  column?: string;
  /** Its `workload` column for the given parameters. */
  workload?: (params: CommonParams) => string;
  /** The actions it invokes with the given parameters (checked before the first invocation). */
  actions?: (params: CommonParams) => string[];
  /** Its loop's calls can go out from invoke workers (`--invoke-workers`). */
  inWorkers?: boolean;
  run?: (ctx: ExperimentContext) => Promise<ExperimentResult>;
}

function invokeOptions(params: CommonParams) {
  return {
    onError: params.on_error,
    retries: params.retries,
    timeoutMs: params.timeout_s * 1000,
    pollDeadlineMs: params.poll_deadline_s * 1000,
  };
}

/**
 * The mixed load's weights: from `--workload mixed_10_90` (a thesis configuration by name),
 * else from `--weights IO:CPU`; both given and different is an error.
 */
export function mixedSpec(params: CommonParams): ReturnType<typeof mixedWeights> {
  const byName = params.workload.startsWith("mixed_") ? mixedWeights(params.workload) : null;
  const byWeights = mixedWeights(params.weights);
  if (byName && params.weights !== "50:50" && byName.workload !== byWeights.workload) {
    throw new RangeError(
      `--workload ${params.workload} and --weights ${params.weights} disagree: give one`,
    );
  }
  return byName ?? byWeights;
}

/** What every experiment hands on from its context: runtime, stop, progress, clock, invoke. */
function handOn({ runtime, params, stopper, progress, clock }: ExperimentContext) {
  return { runtime, stopper, progress, clock, invoke: invokeOptions(params) };
}

/**
 * Runs `once` for the `--reps` runs numbered on from the dataset's next run (until one does
 * not complete), each shown in the progress line, adding up; `k` counts this collection's
 * runs from 0.
 */
async function repeat(
  { params: { reps }, out, progress }: ExperimentContext,
  once: (run: number, k: number) => Promise<ExperimentResult>,
): Promise<ExperimentResult> {
  const first = out.entry.first_run;
  const total: ExperimentResult = { status: "complete", records: 0, errors: 0, notes: [] };
  for (let i = 0; i < reps; i++) {
    progress.update({ run: i + 1 });
    const r = await once(first + i, i);
    Object.assign(total, {
      status: r.status,
      records: total.records + r.records,
      errors: total.errors + r.errors,
      reason: r.reason ?? total.reason,
      notes: [...total.notes, ...r.notes.map((n) => reps > 1 ? `run ${first + i}: ${n}` : n)],
      errorsExpected: r.errorsExpected,
    });
    if (r.status !== "complete") break;
  }
  return total;
}

const warmupNotes = (ws: { action: string; cold: boolean | null; error: string | null }[]) =>
  ws.map((w) => `warm-up ${w.action}: ${w.error ?? (w.cold ? "cold" : "warm")}`);

/**
 * The repetitions of a ramp (concurrency and mixed differ only in what they request):
 * `next(k)` gives the request chooser of the k-th run of this collection, from 0.
 */
function rampRuns(
  ctx: ExperimentContext,
  { workload, next, warmup }: {
    workload: string;
    next: (k: number) => RampOptions["next"];
    warmup: RampOptions["warmup"];
  },
): Promise<ExperimentResult> {
  const { api, out, params } = ctx;
  return repeat(ctx, async (run, k) => {
    const r = await ramp(api, out, {
      ...handOn(ctx),
      workload,
      next: next(k),
      warmup,
      invoker: ctx.invoker,
      levels: params.levels,
      stepMs: params.step_s * 1000,
      run,
    });
    return { ...r, notes: warmupNotes(r.warmups) };
  });
}

/**
 * `--idle-wait auto`: measures the idle timeout with the first cold-start action, records it
 * in the collection's entry, and returns the wait to use: the shortest idle time seen to give
 * a cold start, plus a tenth (OpenWhisk removes idle containers on a timer, not at once);
 * null when stopped meanwhile.
 */
async function idleWaitAuto({ api, out, params, stopper, progress }: ExperimentContext) {
  const action = coldStartActions(params.workload, 1)[0];
  progress.note(`measuring the idle timeout with ${action} (--idle-wait auto)`);
  let found;
  try {
    found = await measureIdleTimeout(api, action, {
      signal: stopper.stop.signal,
      invoke: invokeOptions(params),
      onProbe: (p) => {
        progress.update({ idleWaitS: p.wait_ms / 1000 });
        progress.note(`  idle ${p.wait_ms / 1000} s: ${p.cold ? "cold" : "warm"}`);
      },
    });
  } catch (err) {
    if (stopper.stopping) return null;
    throw err;
  }
  const waitMs = Math.ceil(found.cold_after_ms * 1.1);
  out.entry.idle_wait = { action, ...found, idle_wait_ms: waitMs };
  await out.saveEntry();
  progress.note(
    `idle timeout: warm after ${found.warm_after_ms / 1000} s, cold after ` +
      `${found.cold_after_ms / 1000} s: waiting ${waitMs / 1000} s before each level`,
  );
  return waitMs;
}

/** The experiments by CLI name. */
export const EXPERIMENTS: Record<string, Experiment> = {
  deploy: {
    ready: true,
    what: "create or update the benchmark actions (hello, hello1..N, hash, prime, net, sleep)",
  },
  "cold-start": {
    ready: true,
    what: "levels 1..N: invoke <workload>1..<workload>L at once, cold, R repetitions",
    column: "cold_start",
    workload: (p) => p.workload,
    actions: (p) => coldStartActions(p.workload, p.levels),
    run: async (ctx) => {
      const { api, out, params } = ctx;
      const idleWaitMs = params.idle_wait_s === "auto"
        ? await idleWaitAuto(ctx)
        : params.idle_wait_s * 1000;
      if (idleWaitMs === null) {
        return { status: "interrupted", records: 0, errors: 0, notes: [] };
      }
      const r = await coldStart(api, out, {
        ...handOn(ctx),
        levels: params.levels,
        reps: params.reps,
        idleWaitMs,
        coldRetries: params.cold_retries,
        workload: params.workload,
        firstRun: out.entry.first_run,
      });
      return {
        ...r,
        notes: r.notCold.map((f) =>
          `not all cold: run ${f.run} level ${f.level}: ${f.warm} of ${f.records} warm ` +
          `after ${f.idle_wait_ms / 1000} s (kept as ${NOT_ALL_COLD} rows)`
        ),
      };
    },
  },
  concurrency: {
    ready: true,
    inWorkers: true,
    what: "closed-loop ramp: L in flight, L += 1 every --step s up to N, after a warm-up",
    column: "concurrency",
    workload: (p) => p.workload,
    actions: (p) => [p.workload],
    run: (ctx) => {
      const request = {
        action: ctx.params.workload,
        params: workloadParams(ctx.params.workload, ctx.params),
      };
      return rampRuns(ctx, {
        workload: ctx.params.workload,
        next: () => () => request,
        warmup: [request],
      });
    },
  },
  mixed: {
    ready: true,
    inWorkers: true,
    what: "the ramp, each request net (IO) or prime (CPU) by weights, seeded",
    column: "concurrency",
    workload: (p) => mixedSpec(p).workload,
    actions: () => ["net", "prime"],
    run: (ctx) => {
      const spec = mixedSpec(ctx.params);
      return rampRuns(ctx, {
        workload: spec.workload,
        // One seed per run, so that runs differ and each is reproducible.
        next: (k) => mixedChooser(spec, ctx.params.seed + k),
        warmup: [{ action: "net" }, { action: "prime" }],
      });
    },
  },
  capacity: {
    ready: true,
    inWorkers: true,
    what: "the sleep action L at once, wait for all, L += 1 until the first failure",
    column: "capacity",
    workload: () => "sleep",
    actions: () => ["sleep"],
    run: (ctx) => {
      const { api, out, params } = ctx;
      return repeat(ctx, async (run) => {
        const r = await capacity(api, out, {
          ...handOn(ctx),
          from: params.from,
          increment: params.increment,
          levels: params.levels,
          run,
          invoker: ctx.invoker,
        });
        // Only a test ended by a final error measured the capacity; without one it is a
        // lower bound, and a stopped or interrupted test measured none.
        const note = r.status !== "complete"
          ? []
          : r.finalError
          ? [`capacity: ${r.capacity}`]
          : [`capacity: at least ${r.capacity} (no failure up to level ${params.levels})`];
        return { ...r, notes: note, errorsExpected: r.status === "complete" };
      });
    },
  },
  all: {
    ready: true,
    what: "a whole campaign in the thesis's order (or --plan FILE); reruns skip complete steps",
  },
};

/** The list of experiments for `--help`. */
export function experimentsHelp(): string {
  const list = Object.entries(EXPERIMENTS).map(([name, e]) =>
    `  ${name.padEnd(12)} ${e.what}${e.ready ? "" : " (not yet there)"}`
  );
  return `usage: deno task collect <experiment> [flags]\n\nexperiments:\n${list.join("\n")}\n\n` +
    "deno task collect <experiment> --help lists its flags.";
}
