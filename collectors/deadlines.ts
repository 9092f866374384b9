/**
 * The client time-outs of many requests on one timer. A timer per request costs the event loop
 * dearly in Deno: `AbortSignal.timeout` or `setTimeout` with `clearTimeout` take 3-8 µs each,
 * `AbortSignal.any` (to add an interrupt signal) 7 µs more, and `AbortSignal.timeout` keeps
 * each signal and its timer alive until it fires (120 s by default), so at tens of thousands of
 * invocations a second the heap grew with the time-out and the collector spent a good part of
 * its core on timers rather than on answers. Deadlines of one length expire in the order they
 * were started, so a queue per length with one timer at its head serves them all: starting a
 * deadline is a push, ending one clears a field, and only the head's timer is ever armed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Deadlines } from "./deadlines.ts";
 * const deadlines = new Deadlines();
 * const stop = new AbortController();
 * const answered = deadlines.start(120_000, stop.signal);
 * answered.done(); // the answer came: this one never aborts
 * const waiting = deadlines.start(120_000, stop.signal);
 * stop.abort(new Error("interrupted"));
 * assert.deepEqual([answered.signal.aborted, waiting.signal.reason.message], [false, "interrupted"]);
 * ```
 */

/** The longest delay a timer takes as it is. */
const MAX_DELAY = 2 ** 31 - 1;

/** One request's time-out: it aborts when the time is up, unless `done()` came first. */
export interface Deadline {
  /**
   * Aborts with a `TimeoutError` when the time is up, or with the parent's reason. Made when
   * first asked for: a request that only {@link watch}es its deadline costs no AbortSignal.
   */
  readonly signal: AbortSignal;
  /** Whether the time is up (or the parent aborted). */
  readonly aborted: boolean;
  /** Why it aborted (undefined until it does). */
  readonly reason: unknown;
  /**
   * Calls `onAbort` when it aborts (one watcher; null removes it): what a request on a
   * connection needs, for less than an AbortSignal and its listener.
   */
  watch(onAbort: (() => void) | null): void;
  /** The request is over: its time-out no longer aborts anything. Idempotent. */
  done(): void;
}

/** One deadline in its lane's queue; `live` is false once it is done or expired. */
class Entry implements Deadline {
  readonly at: number;
  live = true;
  aborted = false;
  reason: unknown = undefined;
  #controller: AbortController | null = null;
  #onAbort: (() => void) | null = null;
  /** The live deadlines of the same parent signal, this one among them. */
  readonly #siblings: Set<Entry> | null;

  constructor(at: number, siblings: Set<Entry> | null) {
    this.at = at;
    this.#siblings = siblings;
    siblings?.add(this);
  }

  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.aborted) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  watch(onAbort: (() => void) | null): void {
    this.#onAbort = onAbort;
  }

  done(): void {
    if (!this.live) return;
    this.live = false;
    this.#siblings?.delete(this);
  }

  /** Aborts with `reason` (once) and ends the deadline. */
  expire(reason: unknown): void {
    if (!this.live) return;
    this.done();
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    this.#onAbort?.();
  }
}

/** The deadlines of one length, oldest first, with one timer for the oldest that is live. */
class Lane {
  readonly #ms: number;
  #queue: Entry[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(ms: number) {
    this.#ms = ms;
  }

  /** Live (not done, not expired) deadlines and done ones not yet dropped, for tests. */
  get queued(): number {
    return this.#queue.length - this.#head;
  }

  start(siblings: Set<Entry> | null): Entry {
    this.#dropDone();
    const entry = new Entry(performance.now() + this.#ms, siblings);
    this.#queue.push(entry);
    if (this.#timer === undefined) this.#arm();
    return entry;
  }

  /** Drops the ended deadlines at the head, so the queue holds only the oldest live one on. */
  #dropDone(): void {
    const q = this.#queue;
    while (this.#head < q.length && !q[this.#head].live) this.#head++;
    if (this.#head === q.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Arms the timer for the head (none when the queue is empty, or for a deadline that never
   * comes). A timer fires at most 2^31 - 1 ms ahead (a longer delay fires at once): a head
   * further away is looked at again then.
   */
  #arm(): void {
    this.#dropDone();
    if (this.#head === this.#queue.length) return;
    const due = this.#queue[this.#head].at - performance.now();
    if (due === Infinity) return;
    const delay = Math.min(MAX_DELAY, Math.max(0, Math.ceil(due)));
    const timer = this.#timer = setTimeout(() => this.#fire(), delay);
    // A pending time-out does not keep the process alive (as AbortSignal.timeout's).
    Deno.unrefTimer(timer);
  }

  #fire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const q = this.#queue;
    while (this.#head < q.length && q[this.#head].at <= now) {
      const entry = q[this.#head++];
      entry.expire(new DOMException("Signal timed out.", "TimeoutError"));
    }
    this.#arm();
  }
}

/** Time-outs of requests, one timer per length (see the module's documentation). */
export class Deadlines {
  readonly #lanes = new Map<number, Lane>();
  /**
   * The live deadlines of each parent signal, behind one listener per parent: a listener per
   * deadline would make each removal a scan of the parent's listeners (every invocation in
   * flight shares the run's interrupt signal).
   */
  readonly #children = new WeakMap<AbortSignal, Set<Entry>>();

  /**
   * A deadline `ms` from now (monotonic clock; `Infinity`: never). With `parent`, its signal
   * also aborts when `parent` does (an interrupted run), with `parent`'s reason.
   */
  start(ms: number, parent?: AbortSignal): Deadline {
    if (!(ms >= 0)) throw new RangeError(`a time-out of ${ms} ms: expected 0 or more`);
    let lane = this.#lanes.get(ms);
    if (!lane) this.#lanes.set(ms, lane = new Lane(ms));
    if (parent?.aborted) {
      const entry = lane.start(null);
      entry.expire(parent.reason);
      return entry;
    }
    return lane.start(parent ? this.#childrenOf(parent) : null);
  }

  /** Deadlines held in the queue of length `ms` (live ones and ended ones behind them). */
  queued(ms: number): number {
    return this.#lanes.get(ms)?.queued ?? 0;
  }

  #childrenOf(parent: AbortSignal): Set<Entry> {
    let children = this.#children.get(parent);
    if (!children) {
      const set = children = new Set();
      this.#children.set(parent, set);
      parent.addEventListener("abort", () => {
        for (const entry of [...set]) entry.expire(parent.reason);
      }, { once: true });
    }
    return children;
  }
}
