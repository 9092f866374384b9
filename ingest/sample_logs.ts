/**
 * Parsers of the thesis's derived latency logs: `N: , v1, v2, ...` per level (`2_` concurrency
 * and capacity files, `4_` warm-only files), and `activationId level milliseconds` per line
 * (`2_` cold-start files). Values stay exactly as written; a value that is not a non-negative
 * number is an error naming the file, the line and the value.
 */
import { MAX_LEVEL, MAX_MEASURE } from "../dataset/schema.ts";
import type { Line } from "./lines.ts";

/**
 * WaitTimes of one level line, or of a piece of one: a long line comes in pieces (see
 * {@linkcode readLevelLines}), `end` marks its last.
 */
export interface LevelValues {
  level: number;
  values: number[];
  line: number;
  end: boolean;
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
  if (v > MAX_MEASURE) {
    throw new RangeError(`${where}: ${what} is ${t}, expected a number up to 2^53 - 1`);
  }
  return v;
}

/**
 * Parses `N: , v1, v2, ...` lines as they are read; blank lines are skipped, an empty file is
 * an error. A line read in pieces (`continued` in {@linkcode Line}, cut at commas) is parsed
 * piece by piece, so memory is bounded by a piece, not by a line or a file.
 */
export async function* readLevelLines(
  lines: AsyncIterable<Line>,
  file: string,
): AsyncGenerator<LevelValues> {
  let any = false;
  // The line being read in pieces: its level and how many values it had so far.
  let open: { level: number; count: number } | null = null;
  for await (const { text, line, continued = false } of lines) {
    const where = `${file} line ${line}`;
    let body: string;
    let level: number;
    let count = 0;
    if (open) {
      ({ level, count } = open);
      body = text;
    } else {
      if (!continued && text.trim() === "") continue;
      const m = LEVEL_LINE.exec(text);
      if (!m) {
        throw new SyntaxError(
          `${where}: expected "N: , v1, v2, ..." (a level, a colon, comma-separated waitTimes), found ${
            JSON.stringify(text.slice(0, 40))
          }`,
        );
      }
      level = Number(m[1]);
      if (level < 1 || level > MAX_LEVEL) {
        throw new RangeError(`${where}: level is ${level}, expected 1 to ${MAX_LEVEL}`);
      }
      body = m[2];
    }
    const values: number[] = [];
    for (let start = 0;;) {
      let end = body.indexOf(",", start);
      if (end < 0) end = body.length;
      // The common field, spaces around a whole number of at most 15 digits, is read here
      // without a string a field (exact: below 2^53); any other goes through number().
      let j = start, v = 0;
      while (j < end && body.charCodeAt(j) === 32) j++;
      const from = j;
      for (let c; j < end && (c = body.charCodeAt(j) - 48) >= 0 && c <= 9; j++) v = v * 10 + c;
      const digits = j - from;
      while (j < end && body.charCodeAt(j) === 32) j++;
      if (digits > 0 && digits <= 15 && j === end) values.push(v);
      else {
        const f = body.slice(start, end);
        // The thesis's files start each list with ", " and may end with one: empty fields at
        // either end of the line are separators, an empty field in the middle is an error.
        const atEdge = (start === 0 && !open) || (end === body.length && !continued);
        if (!(f.trim() === "" && atEdge)) {
          values.push(number(f, `value ${count + values.length + 1}`, where));
        }
      }
      if (end === body.length) break;
      start = end + 1;
    }
    any = true;
    open = continued ? { level, count: count + values.length } : null;
    yield { level, values, line, end: !continued };
  }
  if (!any) throw new SyntaxError(`${file}: empty file, expected "N: , v1, ..." lines`);
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
