/**
 * The concurrency levels a table or figure covers, and the one way to read them from text or
 * JSON: `N` (levels 1..N), `A-B`, or a list of levels and ranges such as `1,3,5-7`. The CLI's
 * `--levels`, the notebooks' parameters (environment or JSON file) and a collector's flags all
 * go through {@linkcode parseLevels}, so `1-10` means the same everywhere and a typo is an error,
 * never an empty selection.
 */

/** Levels 1..n. */
export function levelRange(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** The most levels one parameter may name; a bigger range is a typo, not an experiment. */
export const MAX_LEVELS = 100_000;

/**
 * Reads a levels parameter: a string `N` (1..N), `A-B` or a list `1,3,5-7` (items are levels
 * or ranges), a number `N` (1..N), or an array of levels (as a JSON file holds them). Returns
 * the levels sorted, each once. Throws a RangeError naming `where`, the value and what is
 * expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLevels } from "./levels.ts";
 * assert.deepEqual(parseLevels("3", "--levels"), [1, 2, 3]);
 * assert.deepEqual(parseLevels("1,3,5-7", "--levels"), [1, 3, 5, 6, 7]);
 * assert.throws(() => parseLevels("1-x", "--levels"), /--levels: "1-x", expected/);
 * ```
 */
export function parseLevels(value: unknown, where: string): number[] {
  const fail = (why = "") =>
    new RangeError(
      `Cannot read levels from ${where}: ${JSON.stringify(value)}, expected N (levels 1-N), ` +
        `A-B or a list like 1,3,5-7 of positive integers${why}`,
    );
  const level = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 1) throw fail();
    return n;
  };
  const range = (a: number, b: number) => {
    if (b < a) throw fail(`; ${a}-${b} runs backwards`);
    if (b - a + 1 > MAX_LEVELS) throw fail(`; at most ${MAX_LEVELS} levels`);
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  };
  let levels: number[];
  if (typeof value === "number") {
    levels = range(1, level(value));
  } else if (Array.isArray(value)) {
    if (value.length === 0) throw fail();
    levels = value.map((v) => level(typeof v === "number" ? v : NaN));
  } else if (typeof value === "string" && value.trim() !== "") {
    const text = value.trim();
    if (/^\d+$/.test(text)) {
      levels = range(1, level(Number(text)));
    } else {
      levels = text.split(",").flatMap((item) => {
        const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
        if (!m) throw fail();
        const a = level(Number(m[1]));
        return m[2] === undefined ? [a] : range(a, level(Number(m[2])));
      });
    }
  } else {
    throw fail();
  }
  return [...new Set(levels)].sort((a, b) => a - b);
}

/** Levels as shown to a reader: `1-15` for a run of consecutive levels, else `1, 3, 5`. */
export function shownLevels(levels: number[]): string {
  const run = levels.length > 1 && levels.every((l, i) => i === 0 || l === levels[i - 1] + 1);
  return run ? `${levels[0]}-${levels.at(-1)}` : levels.join(", ");
}
