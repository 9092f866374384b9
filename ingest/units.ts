/**
 * Byte quantities as `docker stats` prints them. Binary (KiB, MiB, GiB) and decimal (kB, MB,
 * GB) units are both in use; they differ by up to 7 %, so each is parsed exactly.
 */

const UNITS: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

/**
 * Bytes of a quantity such as `1739.29MiB` or `12.5 kB`; anything else is a SyntaxError
 * naming `where` and the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBytes } from "./units.ts";
 * assert.equal(parseBytes("1.5KiB", "example"), 1536);
 * assert.equal(parseBytes("1.5kB", "example"), 1500);
 * ```
 */
export function parseBytes(text: string, where: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(text);
  if (!m || !(m[2] in UNITS)) {
    throw new SyntaxError(
      `${where}: ${JSON.stringify(text)} is not a byte quantity (a number and one of ${
        Object.keys(UNITS).join(", ")
      })`,
    );
  }
  return Number(m[1]) * UNITS[m[2]];
}
