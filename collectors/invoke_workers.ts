/**
 * The invoke engine spread over Deno workers (`deno task collect --invoke-workers K`): with a
 * thousand busy connections, one Deno process serves some again and again and leaves the
 * others' answers waiting in their receive queues, and K event loops of a K-th of the
 * connections each serve them more evenly, for more CPU per call (BENCHMARKS.md, "The invoke
 * engine at 1,024 and 2,000 in flight": a shorter tail, a longer median, a lower rate; off by
 * default). Each worker has its own thread, event loop, HTTP client and connections, and runs
 * `invokeWithPolicy()` for the calls it is handed (collectors/_invoke_worker.ts).
 *
 * What stays in the collector: when each call goes (the experiment calls
 * {@link InvokeWorkers.invokeWithPolicy} as it would the function), the outcomes (they come
 * back by message, in batches, and the experiment turns them into rows and writes them as
 * before), and the count of calls: each call goes to one worker once and is answered once. A
 * worker that fails answers each of its calls in flight with an error outcome marked fatal, so
 * none is lost, none is sent again, and the experiment stops. The key crosses to the workers
 * inside the connection object and is never part of a message text.
 */
import { type Clock, systemClock } from "./clock.ts";
import { type Connection, redact } from "./config.ts";
import type { FromWorker, ToWorker, WorkerCall, WorkerDone } from "./_invoke_worker.ts";
import type { Outcome, PolicyOptions } from "./invoke.ts";

/** Options of {@link InvokeWorkers.start}. */
export interface InvokeWorkersOptions {
  /** Workers (default 2, the cores of the machine it was measured on). */
  workers?: number;
  /** Keep-alive of each worker's connections, ms (default 2,000, as `OpenWhiskApi`'s). */
  keepAliveMs?: number;
}

/** One worker and the calls it has not answered yet. */
interface Lane {
  worker: Worker;
  pending: Map<number, { action: string; sent_ms: number; resolve: (d: Answer) => void }>;
  /** Calls handed over in this turn, posted together. */
  queue: WorkerCall[];
  prepared: Map<number, { resolve: () => void; reject: (e: Error) => void }>;
  failure: string | null;
}

type Answer = { attempts: Outcome[]; stop: boolean };

/** The invoke engine over K workers; see the module's comment. */
export class InvokeWorkers {
  readonly #lanes: Lane[];
  readonly #signals = new WeakMap<AbortSignal, number>();
  #nextId = 1;

  private constructor(lanes: Lane[]) {
    this.#lanes = lanes;
  }

  /** Starts `workers` workers, each with a client of the API host `conn` names. */
  static start(
    conn: Connection,
    { workers = 2, keepAliveMs = 2000 }: InvokeWorkersOptions = {},
  ): InvokeWorkers {
    if (!Number.isInteger(workers) || workers < 1) {
      throw new RangeError(`invoke workers: ${workers}, expected a whole number from 1`);
    }
    const lanes = Array.from({ length: workers }, (): Lane => {
      const worker = new Worker(new URL("./_invoke_worker.ts", import.meta.url), {
        type: "module",
      });
      return { worker, pending: new Map(), queue: [], prepared: new Map(), failure: null };
    });
    const pool = new InvokeWorkers(lanes);
    for (const lane of lanes) {
      lane.worker.onmessage = (e: MessageEvent<FromWorker>) => pool.#receive(lane, e.data);
      lane.worker.onerror = (e) => {
        e.preventDefault();
        pool.#fail(lane, redact(e.message, conn.auth));
      };
      lane.worker.onmessageerror = () => pool.#fail(lane, "a message could not be read");
      lane.worker.postMessage({ open: conn, keepAliveMs } satisfies ToWorker);
    }
    return pool;
  }

  /** Workers started. */
  get size(): number {
    return this.#lanes.length;
  }

  /**
   * Opens connections in the workers until `n` in all are idle, a share each, so that `n`
   * calls can go out at once without waiting for a connection (as `OpenWhiskApi.prepare`).
   */
  async prepare(n: number): Promise<void> {
    const live = this.#lanes.filter((l) => l.failure === null);
    await Promise.all(live.map((lane, i) => {
      const share = Math.floor(n / live.length) + (i < n % live.length ? 1 : 0);
      const id = this.#nextId++;
      return new Promise<void>((resolve, reject) => {
        lane.prepared.set(id, { resolve, reject });
        lane.worker.postMessage({ prepare: share, id } satisfies ToWorker);
      });
    }));
  }

  /**
   * `invokeWithPolicy()` of collectors/invoke.ts, run in the worker with the fewest calls in
   * flight. The workers keep time by the system clock (the collector's one clock, read in
   * another thread): an injected clock cannot cross to them and is refused.
   */
  invokeWithPolicy(action: string, options: PolicyOptions = {}): Promise<Answer> {
    const { clock = systemClock, signal, ...rest } = options;
    if (clock !== systemClock) {
      throw new TypeError("invoke workers keep time by the system clock: no injected clock");
    }
    const id = this.#nextId++;
    const sent_ms = clock.now();
    const lane = this.#least();
    if (!lane) return Promise.resolve(failed(action, sent_ms, clock, this.#failures()));
    return new Promise<Answer>((resolve) => {
      lane.pending.set(id, { action, sent_ms, resolve });
      if (lane.queue.length === 0) queueMicrotask(() => this.#flush(lane));
      lane.queue.push({
        id,
        action,
        options: rest,
        signal: signal ? this.#signalId(signal) : null,
        aborted: signal?.aborted ?? false,
      });
    });
  }

  /** Stops the workers; calls still in flight are answered as failed. */
  close(): void {
    for (const lane of this.#lanes) {
      this.#fail(lane, "the invoke workers were closed");
      lane.worker.terminate();
    }
  }

  #least(): Lane | undefined {
    let best: Lane | undefined;
    for (const lane of this.#lanes) {
      if (lane.failure !== null) continue;
      const load = lane.pending.size;
      if (!best || load < best.pending.size) best = lane;
    }
    return best;
  }

  #failures(): string {
    return this.#lanes.map((l) => l.failure).filter((f) => f !== null).join("; ");
  }

  /** One number per interrupt signal, with one listener that tells every worker. */
  #signalId(signal: AbortSignal): number {
    let id = this.#signals.get(signal);
    if (id === undefined) {
      const key = id = this.#nextId++;
      this.#signals.set(signal, key);
      signal.addEventListener("abort", () => {
        for (const lane of this.#lanes) {
          if (lane.failure === null) lane.worker.postMessage({ abort: key } satisfies ToWorker);
        }
      }, { once: true });
    }
    return id;
  }

  #flush(lane: Lane): void {
    const calls = lane.queue;
    lane.queue = [];
    if (lane.failure === null && calls.length > 0) {
      lane.worker.postMessage({ calls } satisfies ToWorker);
    }
  }

  #receive(lane: Lane, m: FromWorker): void {
    if ("done" in m) {
      for (const d of m.done as WorkerDone[]) {
        const call = lane.pending.get(d.id);
        if (!call) continue;
        lane.pending.delete(d.id);
        call.resolve({ attempts: d.attempts, stop: d.stop });
      }
    } else if ("prepared" in m) {
      lane.prepared.get(m.prepared)?.resolve();
      lane.prepared.delete(m.prepared);
    } else if ("failed" in m) {
      this.#fail(lane, m.failed);
    }
  }

  /** A worker that failed: its calls in flight become fatal error outcomes, none sent again. */
  #fail(lane: Lane, why: string): void {
    if (lane.failure === null) lane.failure = `invoke worker failed: ${why}`;
    lane.worker.terminate();
    for (const [id, call] of lane.pending) {
      lane.pending.delete(id);
      call.resolve(failed(call.action, call.sent_ms, systemClock, lane.failure));
    }
    lane.queue = [];
    for (const p of lane.prepared.values()) p.reject(new Error(lane.failure));
    lane.prepared.clear();
  }
}

/** The answer of a call that no worker could run or answer: one fatal error outcome. */
function failed(action: string, sent_ms: number, clock: Clock, error: string): Answer {
  return {
    attempts: [{
      action,
      record: null,
      http_status: null,
      error: error || "no invoke worker running",
      activation_id: null,
      sent_ms,
      received_ms: clock.now(),
      fatal: true,
    }],
    stop: true,
  };
}
