/**
 * The top-level objects of a JSON array (`[{...}, {...}]`, what OpenWhisk's activation API and
 * `wsk activation list` return) or of JSON lines (one object a line), cut out of a byte stream
 * one by one, so that a gigabyte export is never parsed, or held, as one value.
 *
 * Why not JSON.parse on the whole text: it needs the whole file as one string (V8 caps strings
 * near 512 MB) and all records in memory at once. The splitter only tracks what decides where
 * an object ends (string and escape state, and nesting depth); each object's bytes are then
 * parsed alone, and an error names the byte and line where that object starts.
 */

/** How top-level values are laid out. */
export type JsonLayout = "array" | "lines";

/** One top-level object: its bytes, and where it starts. */
export interface JsonValue {
  /**
   * Its bytes: a view into the chunk it was read from where it lies within one (no copy per
   * record), so valid only until the next value is asked for.
   */
  bytes: Uint8Array;
  /** Byte offset of its `{` in the file. */
  offset: number;
  /** 1-based line of its `{`. */
  line: number;
  /** Whether `take` (see {@linkcode JsonValuesOptions}) has already read it. */
  taken?: boolean;
}

/** Options of {@linkcode jsonValues}. */
export interface JsonValuesOptions {
  /**
   * Offered each object where it starts (`buf[p]` is its `{`): returns the index after the
   * object if it read it whole from `buf`, else -1 (then the splitter finds its end itself).
   * Lets a reader that validates as it goes (the thesis ingest's record reader) spare the
   * splitter's pass over the same bytes. Default none.
   */
  take?: (buf: Uint8Array, p: number) => number;
  /**
   * Asked after each object `take` read: whether to yield it (as `taken`), so that the caller
   * can act between objects (write what it has read). Objects read by `take` and not yielded
   * cost no step of the generator each. Default: yield every one.
   */
  yieldTaken?: () => boolean;
}

const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, NEWLINE = 0x0a;
const SPACE = 0x20, TAB = 0x09, CR = 0x0d;

function isSpace(b: number): boolean {
  return b === SPACE || b === NEWLINE || b === TAB || b === CR;
}

function shown(b: number): string {
  return b >= 0x20 && b < 0x7f
    ? JSON.stringify(String.fromCharCode(b))
    : `byte 0x${b.toString(16)}`;
}

/**
 * Yields each top-level object of `chunks` laid out as `layout`; anything else between them
 * (a number, a missing comma, text after the closing `]`, a cut-off object) is a SyntaxError
 * naming `file`, the byte and the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonValues } from "./json_values.ts";
 * const text = '[{"a":"}"},\n {"b":[1]}]';
 * const found = [];
 * for await (const v of jsonValues([new TextEncoder().encode(text)], "x.json", "array")) {
 *   found.push([new TextDecoder().decode(v.bytes), v.offset, v.line]);
 * }
 * assert.deepEqual(found, [['{"a":"}"}', 1, 1], ['{"b":[1]}', 13, 2]]);
 * ```
 */
export async function* jsonValues(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  file: string,
  layout: JsonLayout,
  { take, yieldTaken }: JsonValuesOptions = {},
): AsyncGenerator<JsonValue> {
  // Between values: "start" (before `[`), "first" (after `[`), "next" (after a value, before
  // `,` or `]`), "comma" (after `,`), "end" (after `]`); in lines layout always "comma"-like.
  let state: "start" | "first" | "next" | "comma" | "end" = layout === "array" ? "start" : "comma";
  let depth = 0, inString = false, escape = false;
  let offset = 0, line = 1;
  let startOffset = 0, startLine = 0;
  let parts: Uint8Array[] = [];
  const at = (o: number, l: number) => `${file} byte ${o} (line ${l})`;
  for await (const chunk of chunks) {
    let from = -1; // start of the value's bytes in this chunk, while inside one
    if (depth > 0) from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (depth > 0) {
        if (inString) {
          if (escape) escape = false;
          else if (b === BACKSLASH) escape = true;
          else if (b === QUOTE) inString = false;
          else if (b === NEWLINE) line++;
        } else if (b === QUOTE) inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          if (--depth === 0) {
            parts.push(chunk.subarray(from, i + 1));
            yield { bytes: concat(parts), offset: startOffset, line: startLine };
            parts = [];
            from = -1;
            state = layout === "array" ? "next" : "comma";
          }
        } else if (b === NEWLINE) line++;
        continue;
      }
      if (b === NEWLINE) {
        line++;
        continue;
      }
      if (isSpace(b)) continue;
      const here = offset + i;
      if (b === OPEN_BRACE && (state === "first" || state === "comma")) {
        let end = -1;
        try {
          if (take) end = take(chunk, i);
        } catch (cause) {
          throw new Error(`${at(here, line)}: ${(cause as Error).message}`, { cause });
        }
        if (end > i) {
          // Read whole by `take`: compact JSON, so no line break inside.
          if (yieldTaken === undefined || yieldTaken()) {
            yield { bytes: chunk.subarray(i, end), offset: here, line, taken: true };
          }
          state = layout === "array" ? "next" : "comma";
          i = end - 1;
          continue;
        }
        depth = 1;
        startOffset = here;
        startLine = line;
        from = i;
      } else if (state === "start" && b === OPEN_BRACKET) state = "first";
      else if (state === "next" && b === COMMA) state = "comma";
      else if ((state === "next" || state === "first") && b === CLOSE_BRACKET) state = "end";
      else {
        const expected = state === "start"
          ? '"[" (a JSON array)'
          : state === "end"
          ? "nothing after the closing ]"
          : state === "next"
          ? '"," or "]"'
          : state === "first"
          ? 'an object "{" or "]"'
          : layout === "array"
          ? 'an object "{"'
          : 'an object "{" (one activation record a line)';
        throw new SyntaxError(`${at(here, line)}: found ${shown(b)}, expected ${expected}`);
      }
    }
    // A value continuing into the next chunk keeps a copy: the reader may reuse the chunk.
    if (depth > 0 && from >= 0) parts.push(chunk.slice(from));
    offset += chunk.length;
  }
  if (depth > 0) {
    throw new SyntaxError(
      `${at(offset, line)}: the file ends inside the object opened at byte ${startOffset} ` +
        `(line ${startLine}): truncated`,
    );
  }
  if (layout === "array" && state !== "end") {
    throw new SyntaxError(
      `${at(offset, line)}: the file ends ${
        state === "start" ? "before any array" : "before the closing ]"
      }: truncated`,
    );
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** The chunks of a file, read as a stream (memory bounded by the chunk size). */
export async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await Deno.open(path);
  // The stream closes the file when it ends or when the reader stops early.
  for await (const chunk of file.readable) yield chunk;
}
