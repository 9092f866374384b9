/**
 * The closed-loop concurrency ramp of the thesis: after a warm-up invocation, keep L blocking
 * invocations in flight, issuing a new one whenever one returns; every `stepMs` L grows by
 * one, from 1 to `levels`; then no new request is issued and the ones in flight are awaited.
 * Each record is attributed to the level current when it returned (a request issued at level
 * 3 that returns at level 4 counts at 4; those returning after the last level ends count at
 * the last level, after a `ramp_end` event). Level changes are event rows; the warm-up is an
 * event (its record, cold by design, is not a sample). An invocation without a record is an
 * error row and its slot backs off before re-issuing. The choice of each request is a
 * function, so the mixed loads (mixed.ts) are this ramp with a weighted choice.
 */
import { type Clock, systemClock } from "./clock.ts";
import {
  invoke as invokeOnce,
  invokeWithPolicy,
  isFatal,
  type PolicyInvoker,
  type PolicyOptions,
} from "./invoke.ts";
import type { OpenWhiskApi } from "./openwhisk.ts";
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";
import { outcomeRow } from "./rows.ts";
import { Stopper } from "./signals.ts";

type Json = Record<string, unknown>;

/** One request of the ramp: the action and its parameters. */
export interface Request {
  action: string;
  params?: Json;
}

/** Options of {@link ramp}. */
export interface RampOptions {
  /** Fills the `runtime` column. */
  runtime: string;
  /** Fills the `workload` column (hello, hash, mixed_10_90 ...). */
  workload: string;
  /** The next request to issue (called once per request, in issue order). */
  next: () => Request;
  /** Invoked once each before the ramp so that it measures warm starts (default none). */
  warmup?: Request[];
  /** Highest level (default 15). */
  levels?: number;
  /** Time at each level, ms (default 5 000). */
  stepMs?: number;
  /** The `run` column (default 1). */
  run?: number;
  clock?: Clock;
  stopper?: Stopper;
  progress?: Progress;
  /** Error policy, time-outs and 202 polling of each invocation. */
  invoke?: PolicyOptions;
  /**
   * Runs each call of the loop (default `invokeWithPolicy` in this process; invoke workers at
   * scale). The warm-up always runs here.
   */
  invoker?: PolicyInvoker;
  /**
   * After an invocation without a record, its slot waits before re-issuing: this long after
   * the first failure in a row, doubling with each further one up to 5 s, ms (default 100; 0:
   * re-issue at once). Keeps a refused connection or a run of 429s from becoming a hot loop.
   */
  errorBackoffMs?: number;
}

/** What a ramp did. */
export interface RampResult {
  status: "complete" | "interrupted" | "stopped";
  records: number;
  /** Invocations without a record, and records of failed activations. */
  errors: number;
  reason?: string;
  /** Rows per level (records and errors), index 0 for level 1. */
  perLevel: number[];
  /** The warm-up invocations: action, activation id, whether it started cold, or its error. */
  warmups: {
    action: string;
    activation_id: string | null;
    cold: boolean | null;
    error: string | null;
  }[];
}

/** What the ramp's level loop and its requests share as they run. */
interface LoopState {
  /** The level now. */
  current: number;
  inFlight: number;
  done: number;
  /** The last level ended: no request is issued any more. */
  ending: boolean;
  /** Why a fatal error stopped the ramp. */
  stop?: string;
  /** Invocations without a record in a row, for the backoff. */
  failStreak: number;
}

/** What {@link warmUp} and {@link closedLoop} need of the ramp's options. */
interface LoopContext {
  api: OpenWhiskApi;
  out: Output;
  experiment: string;
  runtime: string;
  workload: string;
  run: number;
  clock: Clock;
  stopper: Stopper;
  invoke: PolicyOptions;
  invoker: PolicyInvoker;
  result: RampResult;
  event: (level: number, what: string) => void;
}

/**
 * Invokes each warm-up request once, recording it as an event; returns the ramp's result where
 * a warm-up ends it (a fatal error, or a stop), else null.
 */
async function warmUp(
  warmup: Request[],
  { api, clock, stopper, invoke, result, event }: LoopContext,
): Promise<RampResult | null> {
  for (const w of warmup) {
    const o = await invokeOnce(api, w.action, {
      ...invoke,
      params: w.params,
      clock,
      signal: stopper.abort.signal,
    });
    const cold = o.record ? hasInit(o.record) : null;
    result.warmups.push({ action: w.action, activation_id: o.activation_id, cold, error: o.error });
    event(0, `warmup ${w.action}: ${o.error ?? `${cold ? "cold" : "warm"} ${o.activation_id}`}`);
    if (isFatal(o)) {
      return { ...result, status: "stopped", reason: `warm-up ${w.action}: ${o.error}` };
    }
    if (stopper.stopping) return { ...result, status: "interrupted" };
  }
  return null;
}

/**
 * The closed loop: `topUp` issues requests until `state.current` are in flight, each returning
 * one re-issuing (after a backoff if it got no record); `cut` aborts at a fatal error, `end`
 * cuts the backoffs short when the ramp ends, `drain` awaits the requests in flight.
 */
function closedLoop(
  state: LoopState,
  next: () => Request,
  errorBackoffMs: number,
  show: () => void,
  { api, out, experiment, runtime, workload, run, clock, stopper, invoke, invoker, result }:
    LoopContext,
): { topUp: () => void; cut: AbortController; end: AbortController; drain: () => Promise<void> } {
  const cut = new AbortController(); // a fatal error ends the level at once
  const end = new AbortController(); // the end of the ramp cuts error backoffs short
  const running = new Set<Promise<void>>();
  const launch = () => {
    const { action, params } = next();
    state.inFlight++;
    const p = (async () => {
      const { attempts, stop: fatal } = await invoker(action, {
        ...invoke,
        params,
        clock,
        signal: stopper.abort.signal,
      });
      const level = state.current; // the level current when it returned
      const context = { experiment, workload, runtime, run, level, collection: out.entry.id };
      attempts.forEach((o, i) => {
        const where = `${api.conn.apihost} ${action} run ${run} level ${level}`;
        const row = outcomeRow(o, context, where, i + 1);
        out.activations.push(row);
        result.perLevel[level - 1]++;
        if (row.source === "record") result.records++;
        if (row.source !== "record" || row.success === false) result.errors++;
        if (fatal && i === attempts.length - 1) state.stop ??= `${action}: ${o.error}`;
      });
      if (state.stop) cut.abort();
      if (attempts.at(-1)!.record) state.failStreak = 0;
      else if (errorBackoffMs > 0 && !state.ending && !state.stop) {
        const wait = Math.min(5_000, errorBackoffMs * 2 ** state.failStreak++);
        await clock.sleep(wait, AbortSignal.any([stopper.stop.signal, end.signal])).catch(
          () => {},
        );
      }
      state.inFlight--;
      state.done++;
      show();
      topUp();
    })();
    running.add(p);
    p.finally(() => running.delete(p));
  };
  const topUp = () => {
    while (!state.ending && !state.stop && !stopper.stopping && state.inFlight < state.current) {
      launch();
    }
  };
  const drain = async () => {
    while (running.size > 0) await Promise.all([...running]);
  };
  return { topUp, cut, end, drain };
}

/** Runs the ramp, writing rows and events into `out` as it goes. */
export async function ramp(
  api: OpenWhiskApi,
  out: Output,
  {
    runtime,
    workload,
    next,
    warmup = [],
    levels = 15,
    stepMs = 5_000,
    run = 1,
    clock = systemClock,
    stopper = new Stopper(),
    progress,
    invoke = {},
    errorBackoffMs = 100,
    invoker = (a, o) => invokeWithPolicy(api, a, o),
  }: RampOptions,
): Promise<RampResult> {
  const experiment = "concurrency";
  const result: RampResult = {
    status: "complete",
    records: 0,
    errors: 0,
    perLevel: Array(levels).fill(0),
    warmups: [],
  };
  const mark = out.eventRecorder(clock, { experiment, runtime, workload });
  const event = (level: number, what: string) => mark(level, what, run);
  const state: LoopState = { current: 0, inFlight: 0, done: 0, ending: false, failStreak: 0 };
  const started = clock.now();
  const show = () =>
    progress?.update({
      level: state.current,
      inFlight: state.inFlight,
      done: state.done,
      errors: result.errors,
      fraction: Math.min(1, (clock.now() - started) / Math.max(1, levels * stepMs)),
    });
  const context: LoopContext = {
    api,
    out,
    experiment,
    runtime,
    workload,
    run,
    clock,
    stopper,
    invoke,
    invoker,
    result,
    event,
  };

  const early = await warmUp(warmup, context);
  if (early) return early;

  const loop = closedLoop(state, next, errorBackoffMs, show, context);
  for (let level = 1; level <= levels; level++) {
    state.current = level;
    event(level, "level_start");
    loop.topUp();
    show();
    await out.flush(); // a part at every level: what returned during the last one
    try {
      await clock.sleep(stepMs, AbortSignal.any([stopper.stop.signal, loop.cut.signal]));
    } catch { /* stop requested during the level */ }
    if (stopper.stopping || state.stop) break;
  }
  state.ending = true;
  loop.end.abort();
  event(state.current, "ramp_end");
  await loop.drain();
  show();
  if (state.stop) return { ...result, status: "stopped", reason: state.stop };
  if (stopper.stopping) return { ...result, status: "interrupted" };
  return result;
}

function hasInit(record: Json): boolean {
  const list = Array.isArray(record.annotations) ? record.annotations as Json[] : [];
  return list.some((a) => a?.key === "initTime");
}

/** The parameters a workload's invocations carry (hash: iterations and input). */
export function workloadParams(
  workload: string,
  { iterations = 100_000, input = "whiskbench" }: { iterations?: number; input?: string } = {},
): Json | undefined {
  return workload === "hash" ? { iterations, input } : undefined;
}
