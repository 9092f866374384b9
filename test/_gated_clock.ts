/**
 * A clock for tests of time-driven loops (the ramp): time stands still and a sleep waits until
 * the test moves time past its end with {@link GatedClock.advance}, so a test decides when a
 * level ends and asserts what happened in it, without wall-clock timing.
 */
import type { Clock } from "../collectors/clock.ts";

interface Sleeper {
  until: number;
  resolve: () => void;
}

/** Time that moves only when the test says so. */
export class GatedClock implements Clock {
  #t: number;
  #sleepers: Sleeper[] = [];

  constructor(start = 0) {
    this.#t = start;
  }

  now(): number {
    return this.#t;
  }

  /** Sleeps waiting now. */
  get waiting(): number {
    return this.#sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (ms <= 0) return new Promise((r) => setTimeout(r, 0));
    return new Promise((resolve, reject) => {
      const s: Sleeper = { until: this.#t + ms, resolve };
      this.#sleepers.push(s);
      signal?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((x) => x !== s);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Moves time forward by `ms`, waking the sleeps that end by then. */
  async advance(ms: number): Promise<void> {
    this.#t += ms;
    const due = this.#sleepers.filter((s) => s.until <= this.#t);
    this.#sleepers = this.#sleepers.filter((s) => s.until > this.#t);
    for (const s of due) s.resolve();
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Resolves once `ok()` holds, polling every 5 ms; fails after `ms` of wall time. */
export async function until(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
