/**
 * A small seeded pseudo-random generator (mulberry32): the benchmarks' data must be the same
 * bytes for the same seed on every machine, which Math.random cannot promise.
 */

/**
 * A function returning uniform numbers in [0, 1), determined by `seed`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { random } from "./random.ts";
 * const a = random(42), b = random(42);
 * assert.equal(a(), b());
 * ```
 */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
