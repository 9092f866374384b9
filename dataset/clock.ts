/**
 * The one clock of the collectors and the stand-in: epoch milliseconds read from the
 * monotonic clock (`performance.timeOrigin + performance.now()`), so that a client's send and
 * receive times never go backwards, and a sleep. Injectable: tests pass a {@link ManualClock}
 * and assert order and counts, not wall time.
 */

/** A source of time and of waiting. */
export interface Clock {
  /** Epoch milliseconds, monotonic within the process. */
  now(): number;
  /** Resolves after `ms` milliseconds, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(id);
        reject(signal!.reason);
      };
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

/**
 * A clock for tests: time stands still until a sleep advances it by exactly the time slept,
 * so a run that waits 15 s between levels finishes at once and its timestamps are exact.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock(1000);
 * await clock.sleep(250);
 * assert.equal(clock.now(), 1250);
 * assert.deepEqual(clock.slept, [250]);
 * ```
 */
export class ManualClock implements Clock {
  #t: number;
  /** Every sleep asked for, in order. */
  readonly slept: number[] = [];

  constructor(start = 0) {
    this.#t = start;
  }

  now(): number {
    return this.#t;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.#t += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.slept.push(ms);
    this.#t += Math.max(0, ms);
    // Yield to the event loop so that concurrent work interleaves as it would with timers.
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
}
