/**
 * The memory limit of an activation record's `limits` annotation, found by pattern in its
 * `record` text (a fifth of the cost of a JSON path per record): key before value as
 * OpenWhisk writes it, or value before key; a limits object holds no nested object. Quotes
 * inside JSON strings are escaped, so text in a log line or a result cannot pass for the
 * annotation.
 *
 * Two forms of the one pattern: a polars expression over a `record` column, and a reader of
 * a compact record's bytes for the importers' fast path, which leaves polars' single writer
 * thread the pattern's cost (a third of its time). On compact JSON (no space between tokens,
 * as JSON.stringify writes it, the only text the fast path takes) every `\s*` of the pattern
 * stands between two tokens and matches nothing, so the first form's match is found by
 * plain comparison, from the places where the record reader, which meets every token, found
 * the pattern's literal text; the byte reader gives the same digits
 * (test/limits_memory_test.ts).
 */
import pl from "nodejs-polars";
import type { LimitsPlaces } from "./_record_reader.ts";

/**
 * The column of the importers' TSV rows that holds the memory read from the bytes, in place of
 * {@linkcode limitsMemory} (dropped when the rows are completed).
 */
export const LIMITS_MEMORY_COLUMN = "limits_memory";

const KEY = String.raw`"key"\s*:\s*"limits"`;
const VALUE = String.raw`"value"\s*:\s*\{[^{}]*?"memory"\s*:\s*(\d+)\s*[,}]`;
/** Key first, as OpenWhisk writes the annotation; group 1 is the memory. */
export const KEY_FIRST = `${KEY}\\s*,\\s*${VALUE}`;
/** Value first; group 1 is the memory. Tried where {@linkcode KEY_FIRST} finds nothing. */
export const VALUE_FIRST = `${VALUE}[^{}]*\\}?\\s*,\\s*${KEY}`;

/**
 * The memory (Int64) that the `limits` annotation of `record` (a column of record texts)
 * states; null where none does, or where it is too large for an Int64.
 */
export function limitsMemory(record: pl.Expr): pl.Expr {
  return record.str.extract(KEY_FIRST, 1)
    .fillNull(record.str.extract(VALUE_FIRST, 1))
    .cast(pl.Int64, false);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MEMORY = encoder.encode('"memory":');
const VALUE_FIRST_REGEX = new RegExp(VALUE_FIRST);
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, COMMA = 0x2c, ZERO = 0x30, NINE = 0x39;
const INT64_MAX = encoder.encode("9223372036854775807");

function startsWith(buf: Uint8Array, at: number, end: number, what: Uint8Array): boolean {
  if (at + what.length > end) return false;
  for (let k = 0; k < what.length; k++) if (buf[at + k] !== what[k]) return false;
  return true;
}

/**
 * Whether the ASCII digits `d[from, to)` are a number an Int64 holds (polars' cast gives null
 * for others).
 */
function fitsInt64(d: ArrayLike<number>, from: number, to: number): boolean {
  while (from < to - 1 && d[from] === ZERO) from++;
  const n = to - from;
  if (n !== INT64_MAX.length) return n < INT64_MAX.length;
  for (let k = 0; k < n; k++) {
    if (d[from + k] !== INT64_MAX[k]) return d[from + k] < INT64_MAX[k];
  }
  return true;
}

/**
 * Writes the memory digits of the `limits` annotation in the compact record text
 * `buf[start, end)`, as {@linkcode limitsMemory} reads them, into `out` at `at` (at most 19
 * bytes); returns the index after them, `at` itself where it gives null. `places`: where the
 * pattern can match, as the record reader noted them when it read the record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeLimitsMemory } from "./limits_memory.ts";
 * import { RecordReader } from "./_record_reader.ts";
 * const text = '{"annotations":[{"key":"limits","value":{"logs":10,"memory":256}}]}';
 * const bytes = new TextEncoder().encode(text), reader = new RecordReader({ limits: true });
 * assert.equal(reader.read(bytes, 0), text.length);
 * const out = new Uint8Array(19);
 * const n = writeLimitsMemory(bytes, 0, text.length, reader.limits!, out, 0);
 * assert.equal(new TextDecoder().decode(out.subarray(0, n)), "256");
 * ```
 */
export function writeLimitsMemory(
  buf: Uint8Array,
  start: number,
  end: number,
  places: LimitsPlaces,
  out: Uint8Array,
  at: number,
): number {
  // Key first: each head, leftmost first; in its object, the first `"memory":` before any
  // brace whose digits end at `,` or `}`.
  const q = MEMORY[0];
  for (const brace of places.heads) {
    for (let j = brace + 1; j < end; j++) {
      const b = buf[j];
      if (b === OPEN_BRACE || b === CLOSE_BRACE) break;
      if (b !== q || !startsWith(buf, j, end, MEMORY)) continue;
      const from = j + MEMORY.length;
      let to = from;
      while (to < end && buf[to] >= ZERO && buf[to] <= NINE) to++;
      if (to > from && to < end && (buf[to] === COMMA || buf[to] === CLOSE_BRACE)) {
        if (!fitsInt64(buf, from, to)) return at;
        for (let d = from; d < to; d++) out[at++] = buf[d];
        return at;
      }
    }
  }
  // Value first: rare (OpenWhisk writes the key first), read by the pattern itself, only
  // where the text holds the key it ends with.
  if (!places.key) return at;
  const m = VALUE_FIRST_REGEX.exec(decoder.decode(buf.subarray(start, end)));
  if (m === null) return at;
  const digits = encoder.encode(m[1]);
  if (!fitsInt64(digits, 0, digits.length)) return at;
  out.set(digits, at);
  return at + digits.length;
}
