/**
 * One invocation as the thesis made it: `POST .../actions/<name>?blocking=true&result=false`.
 * A 200 or a 502 carries the activation record; a 202 carries only its id, and the record is
 * fetched from `GET .../activations/<id>` with backoff until it appears or a deadline passes;
 * so is the record of an answer cut after its headers, or of a 200/500/502 whose body is not
 * a record (an array result), by the id its `x-openwhisk-activation-id` header names.
 * Everything else (401, 404, 429, 503, resets, client time-outs) is an outcome with its error
 * text and HTTP status, never an exception, so that an experiment can keep it as a row.
 */
import { type Clock, systemClock } from "./clock.ts";
import { Deadlines } from "./deadlines.ts";
import { Http1Error } from "./http1.ts";
import { describe, type OpenWhiskApi } from "./openwhisk.ts";

/**
 * The header in which OpenWhisk names the activation of every invoke answer (200, 202, 500,
 * 502), so that an answer whose body is cut short still says which record to fetch.
 */
export const ACTIVATION_ID_HEADER = "x-openwhisk-activation-id";

/**
 * The activation id an answer's {@linkcode ACTIVATION_ID_HEADER} names: its first value. The
 * client joins a header sent twice with ", " (HTTP's rule for repeated fields), and a proxy that
 * repeats it would otherwise make an id no record has; an activation id holds no comma.
 */
export function activationIdOf(headers: Record<string, string>): string | undefined {
  const value = headers[ACTIVATION_ID_HEADER];
  if (value === undefined) return undefined;
  const first = value.split(",")[0].trim();
  return first === "" ? undefined : first;
}

/** How long OpenWhisk's controller waits for a blocking invocation by default, ms. */
export const BLOCKING_WAIT_MS = 60_000;

type Json = Record<string, unknown>;

/** The client time-outs of every invocation, on one timer per length. */
const timeouts = new Deadlines();

/** What one invocation returned. */
export interface Outcome {
  action: string;
  /** The activation record, where one came back. */
  record: Json | null;
  /** HTTP status of the invocation (202 where the record was then fetched), null if none. */
  http_status: number | null;
  /** Why there is no record (null when there is one). */
  error: string | null;
  /** Activation id, where known (also from a 202 whose record never came). */
  activation_id: string | null;
  /** Client send and receive times, epoch ms from the collector's one monotonic clock. */
  sent_ms: number;
  received_ms: number;
  /**
   * The client itself failed (an invoke worker died), so every later call would too, and the
   * call may or may not have reached the API host: the run stops.
   */
  fatal?: boolean;
}

/** Options of {@link invoke}. */
export interface InvokeOptions {
  /** Parameters of the action (default none). */
  params?: Json;
  /** Clock of the send/receive times and of the 202 backoff (default the system clock). */
  clock?: Clock;
  /** Client time-out of the invocation request, wall-time ms (default 120 000). */
  timeoutMs?: number;
  /** After a 202: give up fetching the record after this long, ms (default 300 000). */
  pollDeadlineMs?: number;
  /** After a 202: first and longest wait between fetches, ms (default 100 and 5 000). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Aborts the request (an interrupted run). */
  signal?: AbortSignal;
}

/** The invocation paths of each API client, by action and client time-out. */
const paths = new WeakMap<OpenWhiskApi, Map<string, string>>();

/**
 * The path of an invocation of `action` with a client time-out of `timeoutMs`, built once per
 * API client, action and time-out: a run invokes a few actions many times.
 */
function invokePath(api: OpenWhiskApi, action: string, timeoutMs: number): string {
  let byAction = paths.get(api);
  if (byAction === undefined) paths.set(api, byAction = new Map());
  const key = `${timeoutMs} ${action}`;
  let path = byAction.get(key);
  if (path === undefined) {
    const name = action.split("/").map(encodeURIComponent).join("/"); // package/action
    // A client time-out shorter than OpenWhisk's blocking wait (60 s) is passed on as its
    // `timeout` parameter, a second earlier (half of a short one): the controller then answers
    // 202 with the id in time, and the record is fetched, where the client would otherwise give
    // up without an id.
    const asked = Math.round(Math.max(timeoutMs / 2, timeoutMs - 1000));
    const wait = asked < BLOCKING_WAIT_MS ? `&timeout=${asked}` : "";
    path = api.path(`actions/${name}?blocking=true&result=false${wait}`);
    if (byAction.size < 1024) byAction.set(key, path); // a bound on what a run could make
  }
  return path;
}

/** An outcome with every field, in one shape: what is not in `o` is null. */
function outcome(
  action: string,
  sent_ms: number,
  received_ms: number,
  o: Partial<Outcome>,
): Outcome {
  const out: Outcome = {
    action,
    record: o.record ?? null,
    http_status: o.http_status ?? null,
    error: o.error ?? null,
    activation_id: o.activation_id ?? null,
    sent_ms,
    received_ms,
  };
  if (o.fatal !== undefined) out.fatal = o.fatal;
  return out;
}

/** An activation record (not the `{activationId}` alone of a 202). */
function isRecord(body: unknown): body is Json {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as Json;
  return typeof b.activationId === "string" && ("response" in b || "annotations" in b);
}

/**
 * The record of activation `id`, fetched after an answer of `status` that lacked it; where none
 * comes, `error` (what the answer said) and why the fetch failed.
 */
async function recordById(
  api: OpenWhiskApi,
  id: string,
  poll: Parameters<typeof fetchRecord>[2],
  status: number,
  error: string,
): Promise<Partial<Outcome>> {
  const fetched = await fetchRecord(api, id, poll, status);
  return {
    ...fetched,
    http_status: status,
    error: fetched.record ? null : `${error}; then ${fetched.error}`,
  };
}

/** Invokes `action` once, blocking, and returns its outcome (never throws for HTTP faults). */
export async function invoke(
  api: OpenWhiskApi,
  action: string,
  {
    params = {},
    clock = systemClock,
    timeoutMs = 120_000,
    pollDeadlineMs = 300_000,
    pollMinMs = 100,
    pollMaxMs = 5_000,
    signal,
  }: InvokeOptions = {},
): Promise<Outcome> {
  const sent_ms = clock.now();
  const done = (o: Partial<Outcome>): Outcome => outcome(action, sent_ms, clock.now(), o);
  // Made only where an answer lacks its record (not on the common path).
  const poll = () => ({ clock, pollDeadlineMs, pollMinMs, pollMaxMs, signal });
  const path = invokePath(api, action, timeoutMs);
  const deadline = timeouts.start(timeoutMs, signal);
  let answer;
  try {
    answer = await api.request("POST", path, { body: params, deadline });
  } catch (err) {
    const timedOut = deadline.aborted && !signal?.aborted;
    deadline.done();
    const error = signal?.aborted
      ? "interrupted before the answer came"
      : timedOut
      ? `client time-out after ${timeoutMs} ms`
      : `connection failed: ${describe(err)}`;
    // An answer cut after its headers still names its activation: fetch the record by id.
    const head = err instanceof Http1Error ? err.head : null;
    const id = head ? activationIdOf(head.headers) : undefined;
    if (head && id && !signal?.aborted) {
      return done(await recordById(api, id, poll(), head.status, api.redact(error)));
    }
    return done({ error: api.redact(error), activation_id: id ?? null });
  }
  deadline.done();
  const { status, body, headers } = answer;
  const headerId = activationIdOf(headers) ?? null;
  if (status === 202 && typeof (body as Json)?.activationId === "string") {
    const id = (body as Json).activationId as string;
    return done(await fetchRecord(api, id, poll()));
  }
  // 200; 502 for a failed action; any other status that still carries a record (say a 500
  // for an internal error) keeps it, with its status.
  if (isRecord(body)) {
    return done({ record: body, http_status: status, activation_id: body.activationId as string });
  }
  // An activation's answer without its record: OpenWhisk 2 answers an array result alone,
  // even with `result=false`, and a proxy may rewrite a body (or drop a 202's); the header
  // still names the activation, whose record is fetched by id (as after a 202).
  if (headerId && (status === 200 || status === 202 || status === 500 || status === 502)) {
    return done(await recordById(api, headerId, poll(), status, api.errorText(answer)));
  }
  return done({ http_status: status, error: api.errorText(answer), activation_id: headerId });
}

/** After a 202: fetches the record with exponential backoff until it appears or time is up. */
async function fetchRecord(
  api: OpenWhiskApi,
  id: string,
  { clock, pollDeadlineMs, pollMinMs, pollMaxMs, signal }:
    & Required<
      Pick<InvokeOptions, "clock" | "pollDeadlineMs" | "pollMinMs" | "pollMaxMs">
    >
    & { signal?: AbortSignal },
  /** The status of the answer that lacked the record, as the errors say it. */
  after = 202,
): Promise<Partial<Outcome>> {
  const base = { http_status: 202, activation_id: id };
  const deadline = clock.now() + pollDeadlineMs;
  let wait = pollMinMs, last = "no answer yet";
  while (true) {
    try {
      await clock.sleep(Math.min(wait, Math.max(0, deadline - clock.now())), signal);
    } catch {
      return { ...base, error: `interrupted while waiting for activation ${id} after ${after}` };
    }
    try {
      const a = await api.request("GET", api.activationPath(id), {
        signal: AbortSignal.timeout(30_000),
      });
      if (a.status === 200 && isRecord(a.body)) return { ...base, record: a.body };
      last = a.status === 404 ? "not there yet (404)" : api.errorText(a);
    } catch (err) {
      last = api.redact(`connection failed: ${describe(err)}`);
    }
    if (clock.now() >= deadline) {
      return {
        ...base,
        error:
          `no record for activation ${id} within ${pollDeadlineMs} ms after ${after} (last: ${last})`,
      };
    }
    wait = Math.min(wait * 2, pollMaxMs);
  }
}

/** What an experiment does on an invocation without a record. */
export type ErrorPolicy = "continue" | "retry" | "stop";

/**
 * True where every later call would fail the same way: the request itself refused (400: say
 * a `timeout` above the controller's blocking wait, which a deployment may set below 60 s, or
 * a parameter the action fixes), key rejected, action missing, the client's invoke worker
 * failed.
 */
export function isFatal(o: Outcome): boolean {
  return o.http_status === 400 || o.http_status === 401 || o.http_status === 403 ||
    o.http_status === 404 || o.fatal === true;
}

/** Options of {@link invokeWithPolicy}. */
export interface PolicyOptions extends InvokeOptions {
  /** On an invocation without a record (default `continue`: keep its row, go on). */
  onError?: ErrorPolicy;
  /** With `retry`: attempts after the first (default 3), waiting 1 s, 2 s, 4 s ... between. */
  retries?: number;
  retryBaseMs?: number;
}

/**
 * Runs {@link invokeWithPolicy} for one call of an experiment: in this process (the default),
 * or in invoke workers (collectors/invoke_workers.ts) where many are in flight.
 */
export type PolicyInvoker = (
  action: string,
  options: PolicyOptions,
) => Promise<{ attempts: Outcome[]; stop: boolean }>;

/**
 * Invokes with an error policy and returns every attempt (each becomes a row). `stop` in the
 * result says the experiment should end: the policy is `stop` and the call failed, or the
 * failure is fatal (400, 401, 403, 404) whatever the policy.
 */
export async function invokeWithPolicy(
  api: OpenWhiskApi,
  action: string,
  { onError = "continue", retries = 3, retryBaseMs = 1000, ...options }: PolicyOptions = {},
): Promise<{ attempts: Outcome[]; stop: boolean }> {
  const clock = options.clock ?? systemClock;
  const attempts: Outcome[] = [];
  for (let i = 0;; i++) {
    const o = await invoke(api, action, options);
    attempts.push(o);
    if (o.record) return { attempts, stop: false };
    if (isFatal(o) || onError === "stop") return { attempts, stop: true };
    if (onError !== "retry" || i >= retries || options.signal?.aborted) {
      return { attempts, stop: false };
    }
    try {
      await clock.sleep(retryBaseMs * 2 ** i, options.signal);
    } catch {
      return { attempts, stop: false };
    }
  }
}
