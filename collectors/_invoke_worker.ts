/**
 * The worker side of collectors/invoke_workers.ts: its own thread, event loop, HTTP client and
 * connections, running `invokeWithPolicy()` for the calls the collector hands it and posting
 * their outcomes back in batches. It never sends a call again by itself: each call it is given
 * is run once, under the call's own error policy, and answered once.
 *
 * Messages in: `{ open }` (the connection, once), `{ prepare, id }`, `{ calls }`,
 * `{ abort }` (an interrupt signal of the collector aborted). Out: `{ prepared }`, `{ done }`,
 * `{ failed }` (this worker cannot go on).
 */
import { type Connection, redact } from "./config.ts";
import { invokeWithPolicy, type Outcome, type PolicyOptions } from "./invoke.ts";
import { OpenWhiskApi } from "./openwhisk.ts";

/** One call handed to a worker: what the collector's `invokeWithPolicy` was asked. */
export interface WorkerCall {
  id: number;
  action: string;
  /** The options that can cross threads (no clock, no signal). */
  options: Omit<PolicyOptions, "clock" | "signal">;
  /** The collector's interrupt signal as a number (null: none), and whether it has aborted. */
  signal: number | null;
  aborted: boolean;
}

/** One call's answer. */
export interface WorkerDone {
  id: number;
  attempts: Outcome[];
  stop: boolean;
}

/** A message to a worker. */
export type ToWorker =
  | { open: Connection; keepAliveMs: number }
  | { prepare: number; id: number }
  | { calls: WorkerCall[] }
  | { abort: number };

/** A message from a worker. */
export type FromWorker =
  | { prepared: number }
  | { done: WorkerDone[] }
  | { failed: string };

const self = globalThis as unknown as {
  onmessage: (e: MessageEvent<ToWorker>) => void;
  postMessage(m: FromWorker): void;
};
let api: OpenWhiskApi | null = null;
/** The key, only to take it out of an error text. */
let auth = "";
const signals = new Map<number, AbortController>();
let batch: WorkerDone[] = [];

/** The answers of one turn of the event loop go back in one message. */
function answer(done: WorkerDone): void {
  if (batch.length === 0) {
    setTimeout(() => {
      const out = batch;
      batch = [];
      self.postMessage({ done: out });
    }, 0);
  }
  batch.push(done);
}

function signalOf(call: WorkerCall): AbortSignal | undefined {
  if (call.signal === null) return undefined;
  let c = signals.get(call.signal);
  if (!c) signals.set(call.signal, c = new AbortController());
  if (call.aborted) c.abort();
  return c.signal;
}

async function run(call: WorkerCall): Promise<void> {
  const r = await invokeWithPolicy(api!, call.action, { ...call.options, signal: signalOf(call) });
  answer({ id: call.id, ...r });
}

self.onmessage = (e) => {
  const m = e.data;
  try {
    if ("open" in m) {
      auth = m.open.auth;
      api = new OpenWhiskApi(m.open, { keepAliveMs: m.keepAliveMs });
    } else if ("prepare" in m) {
      api!.prepare(m.prepare).then(
        () => self.postMessage({ prepared: m.id }),
        (err) => self.postMessage({ failed: `opening connections: ${redact(String(err), auth)}` }),
      );
    } else if ("calls" in m) {
      // invokeWithPolicy never throws for an HTTP fault; anything else is this worker's end.
      for (const call of m.calls) {
        run(call).catch((err) => self.postMessage({ failed: redact(String(err), auth) }));
      }
    } else if ("abort" in m) {
      let c = signals.get(m.abort);
      if (!c) signals.set(m.abort, c = new AbortController());
      c.abort();
    }
  } catch (err) {
    self.postMessage({ failed: redact(String(err), auth) });
  }
};
