/**
 * Turning one OpenWhisk activation record into one row of `activations`: the single
 * definition that ingest and the collectors share (DESIGN.md), so that a record means the
 * same thing whichever way it entered a dataset.
 */
import { type ActivationRow, MAX_MEASURE } from "./schema.ts";
import { shownJson } from "./quoted.ts";

/** What a record alone does not say: where it was taken. */
export interface RecordContext {
  experiment: string;
  workload: string;
  runtime: string;
  /** Repetition, from 1. */
  run: number | null;
  /** Concurrent requests when the record was taken. */
  level: number | null;
  /** HTTP status of the invocation that returned the record, where known. */
  http_status?: number | null;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Reads one annotation value of a record (`annotations` is a list of `{key, value}`).
 */
function annotation(record: Json, key: string): unknown {
  const list = record.annotations;
  if (!Array.isArray(list)) return undefined;
  for (const a of list) if (isObject(a) && a.key === key) return a.value;
  return undefined;
}

function time(value: unknown, field: string, where: string, required: boolean): number | null {
  if (value === undefined || value === null) {
    if (required) throw new TypeError(`${where}: ${field} is missing, expected a number`);
    return null;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    // JSON.parse reads 1e999 as Infinity, which JSON.stringify would show as null.
    throw new TypeError(
      typeof value === "number"
        ? `${where}: ${field} is ${value} (out of range), expected a finite number`
        : `${where}: ${field} is ${shownJson(value)}, expected a number`,
    );
  }
  if (value < 0) {
    throw new RangeError(`${where}: ${field} is ${value}, expected a number >= 0`);
  }
  if (value > MAX_MEASURE) {
    throw new RangeError(`${where}: ${field} is ${value}, expected a number up to 2^53 - 1`);
  }
  // JSON's -0 is 0 here: as -0 it would sort before 0 and print as "-0.0" in the tables.
  return value === 0 ? 0 : value;
}

/**
 * OpenWhisk's status message of each activation status code (ActivationResponse's
 * messageForCode): 0 success, 1 an error the action returned, 2 an action that failed (or
 * failed to initialize), 3 a system error.
 */
const STATUS_MESSAGES = [
  "success",
  "application error",
  "action developer error",
  "whisk internal error",
];

/** An activation status code (an integer 0-3), or null. */
function statusCode(value: unknown): number | null {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 &&
      value < STATUS_MESSAGES.length
    ? value
    : null;
}

/**
 * Why a record of a sequence or composition has no waitTime: OpenWhisk measured waitTime from
 * the start of the request's transaction, which for a sequence's components is the sequence's,
 * so before apache/openwhisk#4819 (June 2020) it wrote none for them, nor for the sequence or
 * the conductor action itself. Such a record carries no latency to import.
 */
const NO_COMPOSITION_WAIT = "OpenWhisk before June 2020 recorded none for a sequence, a " +
  "conductor action or their components, apache/openwhisk#4819: leave such records out";

/**
 * Whether a record is a sequence's or a composition's (kind `sequence`, which OpenWhisk gives
 * both) or one of their components' (a `causedBy` annotation).
 */
function inComposition(record: Json, kind: unknown): boolean {
  return kind === "sequence" || annotation(record, "causedBy") !== undefined;
}

/** The columns a row takes from its context. */
function contextColumns({ experiment, workload, runtime, run, level }: RecordContext) {
  return { experiment, workload, runtime, run, level };
}

/**
 * The row of one activation record, or a clear error naming `where` (file and place) and the
 * field. waitTime is required, except in a failed record, where a missing or negative one is
 * an `error` row that keeps the record; initTime is present only for a cold start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activationRow } from "./activation_row.ts";
 * const row = activationRow(
 *   { activationId: "a1", name: "hello1", start: 10, end: 12, duration: 2,
 *     annotations: [{ key: "waitTime", value: 5 }, { key: "initTime", value: 40 }],
 *     response: { status: "success", success: true } },
 *   { experiment: "cold_start", workload: "hello", runtime: "wasm", run: 1, level: 1 },
 *   "example.log byte 0",
 * );
 * assert.equal(row.wait_ms! + row.init_ms!, 45); // the cold-start latency
 * ```
 */
export function activationRow(
  record: unknown,
  context: RecordContext,
  where: string,
): ActivationRow {
  if (!isObject(record)) {
    throw new TypeError(`${where}: activation record is ${typeof record}, expected an object`);
  }
  const id = record.activationId;
  const at = typeof id === "string" ? `${where} (activation ${id})` : where;
  if (typeof id !== "string" || id === "") {
    throw new TypeError(`${at}: activationId is ${shownJson(id)}, expected a string`);
  }
  const response = isObject(record.response) ? record.response : {};
  // The API's records say `success` and `status`; a list's summary (no response) and a stored
  // activation document (CouchDB's, its response not extended) say only the status code.
  const code = statusCode(response.statusCode ?? record.statusCode);
  const success = typeof response.success === "boolean"
    ? response.success
    : code === null
    ? null
    : code === 0;
  const status = typeof response.status === "string"
    ? response.status
    : code === null
    ? null
    : STATUS_MESSAGES[code];
  let error: string | null = null;
  if (success === false) {
    const result = response.result;
    const e = isObject(result) && "error" in result ? result.error : result;
    error = typeof e === "string" ? e : JSON.stringify(e ?? status);
  }
  const kind = annotation(record, "kind");
  const wait = annotation(record, "waitTime");
  // A failed activation that reached no container has no usable waitTime: OpenWhisk's invoker
  // writes none (kind "unknown") when it cannot fetch the action, the action was removed or
  // its limits are refused, and a negative one (its start is 0) when the container could not
  // be started. It is an error of its cell, kept with its record.
  const unplaced = success === false &&
    (wait === undefined || wait === null || (typeof wait === "number" && wait < 0));
  if (!unplaced && (wait === undefined || wait === null) && inComposition(record, kind)) {
    throw new TypeError(`${at}: waitTime is missing, expected a number (${NO_COMPOSITION_WAIT})`);
  }
  return {
    ...contextColumns(context),
    activation_id: id,
    action: typeof record.name === "string" ? record.name : null,
    kind: typeof kind === "string" ? kind : null,
    start_ms: time(record.start, "start", at, false),
    end_ms: time(record.end, "end", at, false),
    duration_ms: time(record.duration, "duration", at, false),
    wait_ms: unplaced ? null : time(wait, "waitTime", at, true),
    init_ms: time(annotation(record, "initTime"), "initTime", at, false),
    status,
    success,
    error: unplaced
      ? `${error} (the activation reached no container: waitTime ${wait ?? "missing"})`
      : error,
    source: unplaced ? "error" : "record",
    http_status: context.http_status ?? null,
    record: JSON.stringify(record),
  };
}

/**
 * The row of an invocation that returned no activation record (a 429, a reset, a client
 * time-out, or a run's final error line): kept, so that a table can report its cell's errors.
 */
export function errorRow(context: RecordContext, error: string): ActivationRow {
  return {
    ...contextColumns(context),
    activation_id: null,
    action: null,
    kind: null,
    start_ms: null,
    end_ms: null,
    duration_ms: null,
    wait_ms: null,
    init_ms: null,
    status: null,
    success: false,
    error,
    source: "error",
    http_status: context.http_status ?? null,
    record: null,
  };
}

/** The row of one latency sample from the thesis's per-level files (`2_`, `4_`). */
export function sampleRow(
  context: RecordContext,
  source: "samples" | "warm_samples",
  wait_ms: number,
): ActivationRow {
  return {
    ...errorRow(context, ""),
    success: null,
    error: null,
    wait_ms,
    source,
  };
}
