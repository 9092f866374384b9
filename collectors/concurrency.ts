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
import { invoke as invokeOnce, invokeWithPolicy, isFatal, type PolicyOptions } from "./invoke.ts";
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
  const event = (level: number, what: string) =>
    out.events.push({
      t_ms: clock.now(),
      experiment,
      level,
      what,
      runtime,
      run,
      workload,
      collection: out.entry.id,
    });
  let current = 0, inFlight = 0, done = 0, ending = false, stop: string | undefined;
  const started = clock.now();
  const show = () =>
    progress?.update({
      level: current,
      inFlight,
      done,
      errors: result.errors,
      fraction: Math.min(1, (clock.now() - started) / Math.max(1, levels * stepMs)),
    });

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

  const cut = new AbortController(); // a fatal error ends the level at once
  const end = new AbortController(); // the end of the ramp cuts error backoffs short
  let failStreak = 0;
  const running = new Set<Promise<void>>();
  const launch = () => {
    const { action, params } = next();
    inFlight++;
    const p = (async () => {
      const { attempts, stop: fatal } = await invokeWithPolicy(api, action, {
        ...invoke,
        params,
        clock,
        signal: stopper.abort.signal,
      });
      const level = current; // the level current when it returned
      const context = { experiment, workload, runtime, run, level, collection: out.entry.id };
      attempts.forEach((o, i) => {
        const where = `${api.conn.apihost} ${action} run ${run} level ${level}`;
        const row = outcomeRow(o, context, where, i + 1);
        out.activations.push(row);
        result.perLevel[level - 1]++;
        if (row.source === "record") result.records++;
        if (row.source !== "record" || row.success === false) result.errors++;
        if (fatal && i === attempts.length - 1) stop ??= `${action}: ${o.error}`;
      });
      if (stop) cut.abort();
      if (attempts.at(-1)!.record) failStreak = 0;
      else if (errorBackoffMs > 0 && !ending && !stop) {
        const wait = Math.min(5_000, errorBackoffMs * 2 ** failStreak++);
        await clock.sleep(wait, AbortSignal.any([stopper.stop.signal, end.signal])).catch(
          () => {},
        );
      }
      inFlight--;
      done++;
      show();
      topUp();
    })();
    running.add(p);
    p.finally(() => running.delete(p));
  };
  const topUp = () => {
    while (!ending && !stop && !stopper.stopping && inFlight < current) launch();
  };

  for (let level = 1; level <= levels; level++) {
    current = level;
    event(level, "level_start");
    topUp();
    show();
    await out.flush(); // a part at every level: what returned during the last one
    try {
      await clock.sleep(stepMs, AbortSignal.any([stopper.stop.signal, cut.signal]));
    } catch { /* stop requested during the level */ }
    if (stopper.stopping || stop) break;
  }
  ending = true;
  end.abort();
  event(current, "ramp_end");
  while (running.size > 0) await Promise.all([...running]);
  show();
  if (stop) return { ...result, status: "stopped", reason: stop };
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
