/**
 * The capacity test of the thesis: invoke the 5 s `sleep` action L times at once, wait for
 * all, then L += `increment`, until the first failure (an invocation without a record, or a
 * failed activation), which ends the test and is recorded as the thesis's `Final Error` line
 * was: the level and the error.
 *
 * The capacity is the highest level at which every invocation succeeded (the pipeline's
 * capacity table: highest level with a latency). So a failed level contributes no latency
 * rows: its failures are error rows (a failed record keeps its JSON in `record`), the first
 * failure first, and the records that did come back at that level are listed by id in the
 * collection's `final_error` entry of dataset.json (OpenWhisk keeps them under those ids).
 *
 * A rejected key or a missing action (401, 403, 404) is not the host's limit but a wrong
 * setup: the test stops there (status `stopped`, no final error, no capacity), so that it
 * never reads as a capacity of 0.
 */
import { type Clock, systemClock } from "./clock.ts";
import {
  invokeWithPolicy,
  isFatal,
  type Outcome,
  type PolicyInvoker,
  type PolicyOptions,
} from "./invoke.ts";
import type { OpenWhiskApi } from "./openwhisk.ts";
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";
import { type CollectedRow, outcomeRow } from "./rows.ts";
import { Stopper } from "./signals.ts";

/** Options of {@link capacity}. */
export interface CapacityOptions {
  runtime: string;
  /** The action (default sleep). */
  action?: string;
  /** First level (default 1), added after each level (default 1), highest (default 2 000). */
  from?: number;
  increment?: number;
  levels?: number;
  /** The `run` column (default 1). */
  run?: number;
  clock?: Clock;
  stopper?: Stopper;
  progress?: Progress;
  invoke?: PolicyOptions;
  /** Runs each call (default `invokeWithPolicy` in this process; invoke workers at scale). */
  invoker?: PolicyInvoker;
}

/** The failure that ended a capacity test. */
export interface FinalError {
  level: number;
  error: string;
  http_status: number | null;
  failed: number;
  succeeded: number;
  /** Ids of the records that came back at the failed level. */
  succeeded_ids: string[];
}

/** What a capacity test did. */
export interface CapacityResult {
  status: "complete" | "interrupted" | "stopped";
  records: number;
  errors: number;
  /** Highest level at which every invocation succeeded (0 if none). */
  capacity: number;
  finalError?: FinalError;
  reason?: string;
}

/**
 * The rows and the Final Error of a level where some invocation failed: the failures as error
 * rows, the first to return first (its error is the level's), and the ids of those that
 * succeeded (the thesis's `1_` logs list them).
 */
function failedLevel(
  calls: { attempts: Outcome[] }[],
  failed: (o: Outcome) => boolean,
  context: Parameters<typeof outcomeRow>[1] & { level: number },
  where: string,
): { rows: CollectedRow[]; finalError: FinalError } {
  const rows: CollectedRow[] = [];
  const ids: string[] = [];
  for (const { attempts } of calls) {
    attempts.forEach((o, i) => {
      if (!failed(o)) return ids.push(o.activation_id!);
      const row = outcomeRow(o, context, where, i + 1);
      rows.push(row.source === "record" ? asError(row) : row);
    });
  }
  rows.sort((a, b) => a.client_receive_ms! - b.client_receive_ms!);
  const first = rows[0], failures = calls.filter((c) => failed(c.attempts.at(-1)!)).length;
  return {
    rows,
    finalError: {
      level: context.level,
      error: first.error ?? "failed",
      http_status: first.http_status,
      failed: failures,
      succeeded: context.level - failures,
      succeeded_ids: ids,
    },
  };
}

/** Runs the capacity test, writing rows and events into `out` as it goes. */
export async function capacity(
  api: OpenWhiskApi,
  out: Output,
  {
    runtime,
    action = "sleep",
    from = 1,
    increment = 1,
    levels = 2_000,
    run = 1,
    clock = systemClock,
    stopper = new Stopper(),
    progress,
    invoke = {},
    invoker = (a, o) => invokeWithPolicy(api, a, o),
  }: CapacityOptions,
): Promise<CapacityResult> {
  const experiment = "capacity";
  const result: CapacityResult = { status: "complete", records: 0, errors: 0, capacity: 0 };
  const mark = out.eventRecorder(clock, { experiment, runtime, workload: action });
  const event = (level: number, what: string) => mark(level, what, run);
  let done = 0, inFlight = 0;
  const show = (change = {}) =>
    progress?.update({ inFlight, done, errors: result.errors, ...change });

  for (let level = from; level <= levels; level += increment) {
    if (stopper.stopping) return { ...result, status: "interrupted" };
    show({ level, fraction: 0 });
    event(level, "level_start");
    inFlight = level;
    const context = { experiment, workload: action, runtime, run, level, collection: out.entry.id };
    const where = `${api.conn.apihost} ${action} run ${run} level ${level}`;
    const calls = await Promise.all(Array.from({ length: level }, async () => {
      const r = await invoker(action, {
        ...invoke,
        clock,
        signal: stopper.abort.signal,
      });
      inFlight--;
      done++;
      show();
      return r;
    }));
    const failed = (o: Outcome) =>
      !o.record || (o.record.response as { success?: boolean })?.success === false;
    const failures = calls.filter((c) => failed(c.attempts.at(-1)!));
    if (failures.length === 0) {
      for (const { attempts } of calls) {
        attempts.forEach((o, i) => {
          const row = outcomeRow(o, context, where, i + 1);
          out.activations.push(row);
          if (row.source === "record") result.records++;
          else result.errors++;
        });
      }
      result.capacity = level;
      event(level, "level_end");
      await out.flush();
      continue;
    }

    const { rows, finalError } = failedLevel(calls, failed, context, where);
    for (const row of rows) out.activations.push(row);
    result.errors += rows.length;
    show();
    const fatal = calls.map((c) => c.attempts.at(-1)!).find(isFatal);
    if (fatal) {
      event(level, `stopped: ${fatal.error}`);
      await out.flush();
      return { ...result, status: "stopped", reason: `${action}: ${fatal.error}` };
    }
    result.finalError = finalError;
    out.entry.final_error = finalError;
    event(level, `Final Error: ${finalError.error} (${failures.length} of ${level} failed)`);
    await out.flush();
    if (stopper.stopping) return { ...result, status: "interrupted" };
    return {
      ...result,
      reason: `Final Error at level ${level}: ${finalError.error} ` +
        `(${failures.length} of ${level} failed); capacity ${result.capacity}`,
    };
  }
  show({ fraction: 1 });
  return {
    ...result,
    reason: `no failure up to level ${levels}; capacity at least ${result.capacity}`,
  };
}

/** A failed activation's row as an error row: no latency, its record kept. */
function asError(row: CollectedRow): CollectedRow {
  return {
    ...row,
    source: "error",
    wait_ms: null,
    init_ms: null,
    start_ms: null,
    end_ms: null,
    duration_ms: null,
    error: row.error ?? row.status ?? "failed activation",
  };
}
