/**
 * The cold-start experiment as the thesis ran it: for each repetition, levels 1..N; level L
 * invokes `<workload>1`..`<workload>L` at once, blocking, after waiting `idleWaitMs` for
 * OpenWhisk to remove idle containers so that every invocation starts cold. Every record is
 * checked for initTime; a level whose records are not all cold is flagged (an event row, the
 * collection's entry in dataset.json, and a note on screen), its rows kept with source
 * `not_all_cold` (out of every latency table), and run again after twice the wait, up to
 * `coldRetries` times; then the experiment stops: a level that is not cold measured nothing.
 */
import { type Clock, systemClock } from "./clock.ts";
import { invokeWithPolicy, type PolicyOptions } from "./invoke.ts";
import type { OpenWhiskApi } from "./openwhisk.ts";
import type { Output } from "./output.ts";
import type { Progress } from "./progress.ts";
import { type CollectedRow, NOT_ALL_COLD, outcomeRow } from "./rows.ts";
import { Stopper } from "./signals.ts";
import { DEFAULTS } from "./flags.ts";
import type { RecordContext } from "../dataset/mod.ts";

/** A level whose records were not all cold starts. */
export interface NotColdFlag {
  run: number;
  level: number;
  /** Records without initTime, of `records`. */
  warm: number;
  records: number;
  /** The idle wait before the level, ms. */
  idle_wait_ms: number;
}

/** Options of {@link coldStart}. */
export interface ColdStartOptions {
  /** Fills the `runtime` column (docker, wasm, or any name). */
  runtime: string;
  /** Highest level (default 15). */
  levels?: number;
  /** Repetitions (default 10). */
  reps?: number;
  /** Wait before each level for idle containers to go, ms (default 15 000). */
  idleWaitMs?: number;
  /**
   * Times a level whose records are not all cold runs again, each after twice the previous
   * wait, before the experiment stops (default 2).
   */
  coldRetries?: number;
  /** Base name of the actions: level L invokes `<workload>1`..`<workload>L` (default hello). */
  workload?: string;
  /** `run` of the first repetition (default 1; an existing dataset continues its numbers). */
  firstRun?: number;
  clock?: Clock;
  stopper?: Stopper;
  progress?: Progress;
  /** Error policy, time-outs and 202 polling of each invocation. */
  invoke?: PolicyOptions;
}

/** What a cold-start collection did. */
export interface ColdStartResult {
  status: "complete" | "interrupted" | "stopped";
  records: number;
  /** Invocations without a record, and records of failed activations. */
  errors: number;
  /** Records of levels that were not all cold (kept, with source `not_all_cold`). */
  notAllCold: number;
  notCold: NotColdFlag[];
  /** Why it stopped early (a fatal error such as a rejected key or a missing action). */
  reason?: string;
}

/** The actions level `levels` invokes: `<workload>1`..`<workload>N`. */
export function coldStartActions(workload: string, levels: number): string[] {
  return Array.from({ length: levels }, (_, i) => `${workload}${i + 1}`);
}

/** What one attempt at a cold-start level gave: rows not yet written, and what they hold. */
interface LevelAttempt {
  rows: CollectedRow[];
  /** Records without initTime (warm). */
  warm: number;
  records: number;
  errors: number;
  /** Why the experiment must stop (an answer such as 401 or 404), if it must. */
  stop?: string;
}

/**
 * One attempt at a cold-start level: every action invoked at once (the level's parallel cold
 * starts), each outcome a row. Nothing is written: the caller decides whether the level
 * measured cold starts.
 */
async function levelAttempt(
  api: OpenWhiskApi,
  actions: string[],
  { context, invoke, onStart, onDone }: {
    context: RecordContext & { collection: string | null; run: number; level: number };
    invoke: PolicyOptions;
    onStart: (inFlight: number) => void;
    onDone: () => void;
  },
): Promise<LevelAttempt> {
  const a: LevelAttempt = { rows: [], warm: 0, records: 0, errors: 0 };
  onStart(actions.length);
  await Promise.all(actions.map(async (action) => {
    const { attempts, stop: fatal } = await invokeWithPolicy(api, action, invoke);
    attempts.forEach((o, i) => {
      const where = `${api.conn.apihost} ${action} run ${context.run} level ${context.level}`;
      const row = outcomeRow(o, context, where, i + 1);
      a.rows.push(row);
      if (row.source === "record") {
        a.records++;
        if (row.init_ms === null) a.warm++;
      }
      if (row.source !== "record" || row.success === false) a.errors++;
      if (fatal && i === attempts.length - 1) a.stop ??= `${action}: ${o.error}`;
    });
    onDone();
  }));
  return a;
}

/**
 * Keeps the rows of a level that was not all cold, out of the latency tables (source
 * not_all_cold), and flags it in the result and in dataset.json at once (not only at the end).
 */
async function keepNotAllCold(
  out: Output,
  result: ColdStartResult,
  rows: CollectedRow[],
  flag: ColdStartResult["notCold"][number],
): Promise<void> {
  for (const row of rows) {
    out.activations.push(row.source === "record" ? { ...row, source: NOT_ALL_COLD } : row);
  }
  result.notAllCold += flag.records;
  result.notCold.push(flag);
  out.entry.flags = [...(out.entry.flags ?? []), { kind: "not_all_cold", ...flag }];
  await out.saveEntry();
  await out.flush();
}

/** Runs the cold-start experiment, writing rows and events into `out` as it goes. */
export async function coldStart(
  api: OpenWhiskApi,
  out: Output,
  {
    runtime,
    levels = 15,
    reps = 10,
    idleWaitMs = DEFAULTS["idle-wait"] * 1000,
    coldRetries = 2,
    workload = "hello",
    firstRun = 1,
    clock = systemClock,
    stopper = new Stopper(),
    progress,
    invoke = {},
  }: ColdStartOptions,
): Promise<ColdStartResult> {
  const experiment = "cold_start";
  const result: ColdStartResult = {
    status: "complete",
    records: 0,
    errors: 0,
    notAllCold: 0,
    notCold: [],
  };
  const mark = out.eventRecorder(clock, { experiment, runtime, workload });
  const event = (level: number, run: number, what: string) => mark(level, what, run);
  let done = 0, inFlight = 0;
  const show = (change = {}) =>
    progress?.update({ inFlight, done, errors: result.errors, ...change });

  const attempt = (run: number, level: number) =>
    levelAttempt(api, coldStartActions(workload, level), {
      context: { experiment, workload, runtime, run, level, collection: out.entry.id },
      invoke: { ...invoke, clock, signal: stopper.abort.signal },
      onStart: (n) => (inFlight = n, show()),
      onDone: () => (inFlight--, done++, show()),
    });

  for (let rep = 1; rep <= reps; rep++) {
    const run = firstRun + rep - 1;
    for (let level = 1; level <= levels; level++) {
      show({ run: rep, level, fraction: ((rep - 1) * levels + level - 1) / (reps * levels) });
      for (let retry = 0;; retry++) {
        const waitMs = idleWaitMs * 2 ** retry;
        show({ idleWaitS: waitMs / 1000 });
        try {
          await clock.sleep(waitMs, stopper.stop.signal);
        } catch { /* stop requested during the wait */ }
        if (stopper.stopping) return { ...result, status: "interrupted" };

        event(level, run, retry === 0 ? "level_start" : `level_start retry ${retry}`);
        const a = await attempt(run, level);
        result.errors += a.errors;
        if (a.warm === 0 || a.stop) {
          for (const row of a.rows) out.activations.push(row);
          result.records += a.records;
          event(level, run, "level_end");
          await out.flush();
          if (a.stop) return { ...result, status: "stopped", reason: a.stop };
          break;
        }
        // Not all cold: the level did not measure what it should. Its rows are kept, out of
        // the latency tables (source not_all_cold), and it runs again after a longer wait.
        const flag = { run, level, warm: a.warm, records: a.records, idle_wait_ms: waitMs };
        event(level, run, `not_all_cold: ${a.warm} of ${a.records} records without initTime`);
        await keepNotAllCold(out, result, a.rows, flag);
        const what = `run ${run} level ${level}: ${a.warm} of ${a.records} records are not cold ` +
          `(no initTime) after an idle wait of ${waitMs / 1000} s`;
        if (retry < coldRetries) {
          progress?.note(`warning: ${what}; trying the level again after ${waitMs / 500} s`);
          continue;
        }
        return {
          ...result,
          status: "stopped",
          reason: `${what}, attempt ${retry + 1} of ${coldRetries + 1}: OpenWhisk keeps idle ` +
            "containers longer than that (try --idle-wait auto)",
        };
      }
    }
  }
  show({ fraction: 1 });
  return result;
}
