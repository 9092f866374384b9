/**
 * Parsers of the thesis's derived latency logs: `N: , v1, v2, ...` per level (`2_` concurrency
 * and capacity files, `4_` warm-only files), and `activationId level milliseconds` per line
 * (`2_` cold-start files). Values stay exactly as written; a value that is not a non-negative
 * number is an error naming the file, the line and the value.
 */
import { MAX_LEVEL } from "../dataset/schema.ts";
import type { Line } from "./lines.ts";

/** The waitTimes of one level line. */
export interface LevelLine {
  level: number;
  values: number[];
  line: number;
}

/** One `activationId level milliseconds` line. */
export interface IdLine {
  activation_id: string;
  level: number;
  ms: number;
  line: number;
}

const LEVEL_LINE = /^\s*(\d+)\s*:(.*)$/;

function number(text: string, what: string, where: string): number {
  const t = text.trim();
  const v = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(v)) {
    throw new SyntaxError(`${where}: ${what} is ${JSON.stringify(t)}, expected a number >= 0`);
  }
  return v;
}

/** Parses `N: , v1, v2, ...` lines; blank lines are skipped, an empty file is an error. */
export async function parseLevelLines(
  lines: AsyncIterable<Line>,
  file: string,
): Promise<LevelLine[]> {
  const out: LevelLine[] = [];
  for await (const { text, line } of lines) {
    if (text.trim() === "") continue;
    const where = `${file} line ${line}`;
    const m = LEVEL_LINE.exec(text);
    if (!m) {
      throw new SyntaxError(
        `${where}: expected "N: , v1, v2, ..." (a level, a colon, comma-separated waitTimes), found ${
          JSON.stringify(text.slice(0, 40))
        }`,
      );
    }
    const level = Number(m[1]);
    if (level < 1 || level > MAX_LEVEL) {
      throw new RangeError(`${where}: level is ${level}, expected 1 to ${MAX_LEVEL}`);
    }
    const fields = m[2].split(",");
    const values: number[] = [];
    fields.forEach((f, i) => {
      // The thesis's files start each list with ", " and may end with one: empty fields at
      // either end are separators, an empty field in the middle is an error.
      if (f.trim() === "" && (i === 0 || i === fields.length - 1)) return;
      values.push(number(f, `value ${values.length + 1}`, where));
    });
    out.push({ level, values, line });
  }
  if (out.length === 0) throw new SyntaxError(`${file}: empty file, expected "N: , v1, ..." lines`);
  return out;
}

/** Parses `activationId level milliseconds` lines (the `2_` cold-start files). */
export async function parseIdLines(lines: AsyncIterable<Line>, file: string): Promise<IdLine[]> {
  const out: IdLine[] = [];
  for await (const { text, line } of lines) {
    if (text.trim() === "") continue;
    const where = `${file} line ${line}`;
    const f = text.trim().split(/\s+/);
    if (f.length !== 3) {
      throw new SyntaxError(
        `${where}: expected "activationId level milliseconds", found ${JSON.stringify(text)}`,
      );
    }
    const level = number(f[1], "level", where);
    if (!Number.isInteger(level) || level < 1 || level > MAX_LEVEL) {
      throw new RangeError(
        `${where}: level is ${f[1]}, expected an integer from 1 to ${MAX_LEVEL}`,
      );
    }
    out.push({ activation_id: f[0], level, ms: number(f[2], "milliseconds", where), line });
  }
  if (out.length === 0) {
    throw new SyntaxError(`${file}: empty file, expected "activationId level milliseconds" lines`);
  }
  return out;
}
