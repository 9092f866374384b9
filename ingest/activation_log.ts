/**
 * A streaming reader of raw activation logs in the thesis's layout: JSON arrays written one
 * after another (one array a repetition), each element `{"no_concurrent_requests": N,
 * "responses": [activation, ...]}`, optionally ending with a non-JSON trailer line such as
 * `Final Error:Curl("...")`.
 *
 * The file is scanned byte by byte for element boundaries and only one element at a time is
 * handed to JSON.parse, so memory stays bounded by the largest level group, not the file.
 *
 * Fast path: given an {@linkcode ActivationRows} builder, each level group in the exact layout
 * OpenWhisk writes (`{"no_concurrent_requests":N,"responses":[...]}`, compact) is read straight
 * into it, record by record, without JSON.parse; a group it declines (anything else, or one
 * cut by the end of a chunk) takes the byte scanner and JSON.parse, so rows and
 * errors are the same either way.
 */
import type { ActivationRows, GroupIndex } from "../dataset/activation_bytes.ts";
import { MAX_LEVEL } from "../dataset/schema.ts";
import { decodeUtf8, invalidUtf8At } from "./utf8.ts";

/** One `{no_concurrent_requests, responses}` element of a log. */
export interface LevelGroup {
  type: "group";
  /** Which JSON array of the file the element came from (1-based): the repetition. */
  run: number;
  level: number;
  responses: unknown[];
  /** Byte offset of the element's `{` in the file. */
  offset: number;
  /** Line of the element's `{` (1-based). */
  line: number;
  /**
   * Set when the fast path read the group: its records are already rows of the builder
   * (`responses` is then empty), and this many.
   */
  fast?: number;
  /** With the fast path and a builder that keeps an index: wait, init and id of each record. */
  index?: GroupIndex | null;
}

/** The trailer line that ends a log, kept as the error of the last run. */
export interface Trailer {
  type: "trailer";
  run: number;
  text: string;
  offset: number;
  line: number;
}

const OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d;
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, NEWLINE = 0x0a;

function isSpace(b: number): boolean {
  return b === 0x20 || b === NEWLINE || b === 0x0d || b === 0x09;
}

/**
 * The deepest nesting of brackets and braces a level group may have. An activation record
 * nests about five deep; the bound stops a crafted log before a parser's recursion does.
 */
export const MAX_DEPTH = 1000;

/** Trailer lines the thesis's tools write; any other text outside the arrays is an error. */
const TRAILER = /^Final Error:/;

/**
 * Bytes of a chunk joined to an element that the last chunk cut: far more than a level group
 * of the thesis's logs takes, and a small copy beside the chunk's 4 MB (copying whole chunks
 * took about 5 % of the reader's time).
 */
const JOIN_BYTES = 64 << 10;

const GROUP_HEAD = new TextEncoder().encode('{"no_concurrent_requests":');
const RESPONSES = new TextEncoder().encode(',"responses":[');

function matches(buf: Uint8Array, p: number, bytes: Uint8Array): boolean {
  if (p + bytes.length > buf.length) return false;
  for (let k = 0; k < bytes.length; k++) if (buf[p + k] !== bytes[k]) return false;
  return true;
}

/**
 * Reads the level group whose `{` is at `p` of `buf` into `rows` if it is in OpenWhisk's exact
 * layout and every record takes the fast path; returns the index after the group and its
 * level, or null (nothing kept) to leave the group to the full parser.
 */
function fastGroup(
  buf: Uint8Array,
  p: number,
  run: number,
  rows: ActivationRows,
): { end: number; level: number; count: number; index: GroupIndex | null } | null {
  if (!matches(buf, p, GROUP_HEAD)) return null;
  p += GROUP_HEAD.length;
  const digits = p;
  let level = 0;
  if (buf[p] === 0x30) return null;
  while (p < buf.length && buf[p] >= 0x30 && buf[p] <= 0x39 && p - digits < 15) {
    level = level * 10 + buf[p++] - 0x30;
  }
  if (p === digits || level > MAX_LEVEL || !matches(buf, p, RESPONSES)) return null;
  p += RESPONSES.length;
  rows.begin(run, level);
  const before = rows.length;
  if (buf[p] === CLOSE_BRACKET) p++;
  else {
    for (;;) {
      p = rows.record(buf, p);
      if (p < 0 || p >= buf.length) break;
      if (buf[p] === COMMA) p++;
      else if (buf[p] === CLOSE_BRACKET) {
        p++;
        break;
      } else {
        p = -1;
        break;
      }
    }
  }
  if (p < 0 || p >= buf.length || buf[p] !== CLOSE_BRACE) {
    rows.rollback();
    return null;
  }
  const count = rows.length - before;
  return { end: p + 1, level, count, index: rows.commit() };
}

/** A SyntaxError naming `file`, the byte offset and the line. */
function fail(file: string, msg: string, at: number, atLine: number): never {
  throw new SyntaxError(`${file} byte ${at} (line ${atLine}): ${msg}`);
}

/** The text of `bytes`, which start at byte `at` (line `atLine`), or a SyntaxError there. */
function utf8(file: string, bytes: Uint8Array, at: number, atLine: number): string {
  const text = decodeUtf8(bytes);
  if (text !== null) return text;
  const k = invalidUtf8At(bytes);
  const lines = bytes.subarray(0, k).filter((b) => b === NEWLINE).length;
  return fail(
    file,
    `invalid UTF-8: byte 0x${bytes[k].toString(16).padStart(2, "0")} is not part of a ` +
      `well-formed UTF-8 sequence`,
    at + k,
    atLine + lines,
  );
}

/** The trailer line `bytes` of run `run`, or a SyntaxError for text that is no trailer. */
function trailerOf(
  file: string,
  bytes: Uint8Array,
  run: number,
  at: number,
  atLine: number,
): Trailer {
  const text = utf8(file, bytes, at, atLine).trim();
  if (!TRAILER.test(text)) {
    fail(
      file,
      `expected '[' or a trailer line "Final Error:...", found ${
        JSON.stringify(text.slice(0, 60))
      }`,
      at,
      atLine,
    );
  }
  return { type: "trailer", run, text, offset: at, line: atLine };
}

/** The level group `bytes` of run `run` through JSON.parse, or a SyntaxError saying where. */
function parseGroup(
  file: string,
  bytes: Uint8Array,
  run: number,
  at: number,
  atLine: number,
): LevelGroup {
  const text = utf8(file, bytes, at, atLine);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    // V8 names no position for many errors ("Unexpected token ... is not valid JSON") and
    // counts characters, not bytes: find the place and what JSON allows there ourselves.
    let err: ReturnType<typeof jsonSyntaxError> = null;
    try {
      err = jsonSyntaxError(text);
    } catch {
      // Too deep for the search (MAX_DEPTH bounds it; this is the last guard): say what V8 says.
    }
    if (!err) throw new SyntaxError(`${file} byte ${at} (line ${atLine}): ${cause}`, { cause });
    const before = text.slice(0, err.pos);
    const near = at + new TextEncoder().encode(before).length;
    const nearLine = atLine + before.split("\n").length - 1;
    throw new SyntaxError(
      `${file} byte ${near} (line ${nearLine}): invalid JSON in the level group at byte ${at} ` +
        `(line ${atLine}): expected ${err.expected}, found ${
          JSON.stringify(text.slice(err.pos, err.pos + 20))
        }`,
      { cause },
    );
  }
  const v = value as Record<string, unknown>;
  const level = v?.no_concurrent_requests;
  if (typeof level !== "number" || !Number.isInteger(level) || level < 1 || level > MAX_LEVEL) {
    fail(
      file,
      `no_concurrent_requests is ${
        JSON.stringify(level)
      }, expected an integer from 1 to ${MAX_LEVEL}`,
      at,
      atLine,
    );
  }
  if (!Array.isArray(v.responses)) {
    fail(file, `responses is ${JSON.stringify(v.responses)}, expected an array`, at, atLine);
  }
  return {
    type: "group",
    run,
    level: level as number,
    responses: v.responses as unknown[],
    offset: at,
    line: atLine,
  };
}

/** A group the fast path read, as the reader hands it out. */
function fastGroupItem(
  fast: { level: number; count: number; index: GroupIndex | null },
  run: number,
  offset: number,
  line: number,
): LevelGroup {
  return {
    type: "group",
    run,
    level: fast.level,
    responses: [],
    offset,
    line,
    fast: fast.count,
    index: fast.index,
  };
}

/**
 * The byte scanner of one log: its state is kept across chunks, `push` takes the next chunk,
 * `scan` reads it into `out`, `finish` checks the end of the file.
 */
class LogScanner {
  state: "between" | "array" | "element" | "trailer" = "between";
  /** Brace/bracket depth inside the current element. */
  depth = 0;
  inString = false;
  escaped = false;
  expectElement = true;
  elements = 0;
  run = 0;
  arrayOffset = 0;
  arrayLine = 0;
  /** Byte offset and line of the first byte of `buf`. */
  offset = 0;
  line = 1;
  /** The current element or trailer in `buf`: its index, byte offset and line. */
  start = -1;
  startOffset = 0;
  startLine = 0;
  trailer: Trailer | null = null;
  buf: Uint8Array = new Uint8Array(0);
  sawAnything = false;
  /** The element being scanned began in an earlier chunk. */
  carried = false;
  /**
   * The chunk whose head `buf` holds after an unfinished element (from index `joinedAt` of
   * `buf`), while the rest of the chunk is still to be scanned; else null.
   */
  tail: { chunk: Uint8Array; joinedAt: number } | null = null;
  readonly out: (LevelGroup | Trailer)[] = [];

  constructor(readonly file: string, readonly rows?: ActivationRows) {}

  /** Takes the next chunk, keeping the unfinished element or trailer; returns where to scan. */
  push(chunk: Uint8Array): number {
    if (this.start >= 0) {
      // Keep the unfinished element or trailer, drop what was already handed out. Only the
      // chunk's first JOIN_BYTES are joined to it: once it ends there, the scan goes on in the
      // chunk itself (resume), not in a copy of it.
      const rest = this.buf.subarray(this.start);
      const head = chunk.length > JOIN_BYTES ? chunk.subarray(0, JOIN_BYTES) : chunk;
      const joined = new Uint8Array(rest.length + head.length);
      joined.set(rest);
      joined.set(head, rest.length);
      this.offset += this.start;
      this.start = 0;
      this.buf = joined;
      this.tail = head === chunk ? null : { chunk, joinedAt: rest.length };
      if (this.state === "element") this.carried = true;
      return rest.length;
    }
    this.offset += this.buf.length;
    this.buf = chunk;
    return 0;
  }

  /** Scans `buf` from `from`, pushing to `out`; returns where it stopped (early after a slow group). */
  scan(from: number): number {
    const buf = this.buf;
    for (let i = from; i < buf.length; i++) {
      const b = buf[i];
      if (this.state === "element") {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === BACKSLASH) this.escaped = true;
          else if (b === QUOTE) this.inString = false;
          else if (b === NEWLINE) this.line++;
          continue;
        }
        if (b === QUOTE) this.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
          if (++this.depth > MAX_DEPTH) {
            fail(
              this.file,
              `nested deeper than ${MAX_DEPTH} levels in the level group at byte ` +
                `${this.startOffset} (line ${this.startLine})`,
              this.offset + i,
              this.line,
            );
          }
        } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          if (--this.depth === 0 && this.endElement(i)) return i + 1;
        } else if (b === NEWLINE) this.line++;
        continue;
      }
      if (this.state === "trailer") {
        if (b === NEWLINE) {
          this.trailer = trailerOf(
            this.file,
            buf.subarray(this.start, i),
            this.run,
            this.startOffset,
            this.startLine,
          );
          this.start = -1;
          this.state = "between";
          this.line++;
        }
        continue;
      }
      if (b === NEWLINE) {
        this.line++;
        continue;
      }
      if (isSpace(b)) continue;
      if (this.state === "between") this.between(b, i);
      else if (this.state === "array") i = this.inArray(b, i);
    }
    return buf.length;
  }

  /**
   * The element that ends at `i`: read by the fast path where it was cut by the end of a chunk
   * (it is whole now), else by JSON.parse. True where the scan must stop to hand the group out
   * before the fast path adds rows behind it.
   */
  endElement(i: number): boolean {
    const { rows, run } = this;
    const fast = rows && this.carried
      ? fastGroup(this.buf.subarray(this.start, i + 1), 0, run, rows)
      : null;
    this.out.push(
      fast ? fastGroupItem(fast, run, this.startOffset, this.startLine) : parseGroup(
        this.file,
        this.buf.subarray(this.start, i + 1),
        run,
        this.startOffset,
        this.startLine,
      ),
    );
    this.start = -1;
    this.state = "array";
    this.expectElement = false;
    this.elements++;
    // Stop after a group the full parser read (the caller takes it before the fast path adds
    // rows behind it), and after the element joined to a chunk's head (to go on in the chunk).
    return (rows !== undefined && !fast) || this.tail !== null;
  }

  /**
   * Where to scan next after `scan` stopped at `from`, or -1 when the chunk is done: in the
   * chunk itself once the element joined to its head has ended (same bytes, no copy); the rest
   * of the chunk as a new one if the element goes on past the head.
   */
  resume(from: number): number {
    const tail = this.tail;
    if (tail === null) return from < this.buf.length ? from : -1;
    if (this.start < 0) {
      this.tail = null;
      this.offset += tail.joinedAt;
      this.buf = tail.chunk;
      from -= tail.joinedAt;
      return from < this.buf.length ? from : -1;
    }
    if (from < this.buf.length) return from;
    this.tail = null;
    return this.push(tail.chunk.subarray(this.buf.length - tail.joinedAt));
  }

  /** A byte other than space between the arrays: the next array, or the trailer line. */
  between(b: number, i: number): void {
    const at = this.offset + i, { file, trailer, line } = this;
    if (b === OPEN_BRACKET) {
      if (trailer) {
        fail(
          file,
          `a JSON array follows the trailer line "${trailer.text}" (line ${trailer.line}); the trailer must be last`,
          at,
          line,
        );
      }
      this.run++;
      this.sawAnything = true;
      this.state = "array";
      this.expectElement = true;
      this.elements = 0;
      this.arrayOffset = at;
      this.arrayLine = line;
    } else if (trailer) {
      fail(file, `unexpected text after the trailer line "${trailer.text}"`, at, line);
    } else if (this.run === 0) {
      fail(
        file,
        `expected '[' (a JSON array of level groups), found ${show(this.buf, i)}`,
        at,
        line,
      );
    } else {
      // A trailer line: checked against TRAILER once it is complete.
      this.state = "trailer";
      this.start = i;
      this.startOffset = at;
      this.startLine = line;
    }
  }

  /**
   * A byte other than space inside an array: a level group (read at once by the fast path
   * where it can), a comma or the array's end. Returns the index of the last byte it took.
   */
  inArray(b: number, i: number): number {
    const at = this.offset + i;
    if (b === OPEN_BRACE && this.expectElement) {
      const fast = this.rows ? fastGroup(this.buf, i, this.run, this.rows) : null;
      if (fast) {
        this.out.push(fastGroupItem(fast, this.run, at, this.line));
        this.expectElement = false;
        this.elements++;
        return fast.end - 1;
      }
      this.carried = false;
      this.state = "element";
      this.depth = 1;
      this.start = i;
      this.startOffset = at;
      this.startLine = this.line;
    } else if (b === COMMA && !this.expectElement) {
      this.expectElement = true;
    } else if (b === CLOSE_BRACKET && (!this.expectElement || this.elements === 0)) {
      this.state = "between";
    } else {
      fail(
        this.file,
        `expected ${this.expectElement ? "'{' (a level group)" : "',' or ']'"}, found ${
          show(this.buf, i)
        }`,
        at,
        this.line,
      );
    }
    return i;
  }

  /** The end of the file: the last trailer, or an error for what never closed or nothing. */
  finish(): Trailer | null {
    const { file, line } = this;
    const end = this.offset + this.buf.length;
    if (this.state === "trailer") {
      this.trailer = trailerOf(
        file,
        this.buf.subarray(this.start),
        this.run,
        this.startOffset,
        this.startLine,
      );
    } else if (this.state === "element") {
      fail(
        file,
        `truncated: the level group opened at byte ${this.startOffset} (line ${this.startLine}) never closes`,
        end,
        line,
      );
    } else if (this.state === "array") {
      fail(
        file,
        `truncated: the array opened at byte ${this.arrayOffset} (line ${this.arrayLine}) never closes`,
        end,
        line,
      );
    }
    if (!this.sawAnything) fail(file, "empty log: no JSON array of level groups", 0, 1);
    return this.trailer;
  }
}

/**
 * Yields the level groups of an activation log in file order, then its trailer if any.
 * Throws a SyntaxError naming `file`, the byte offset and the line for anything that is not
 * this layout: truncated JSON, an empty file, text between arrays, a trailer that is not last.
 */
export async function* readActivationLog(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  rows?: ActivationRows,
): AsyncGenerator<LevelGroup | Trailer> {
  const scanner = new LogScanner(file, rows);
  for await (const chunk of chunks) {
    for (let from = scanner.push(chunk); from >= 0; from = scanner.resume(from)) {
      from = scanner.scan(from);
      // One by one: `yield*` of an array in an async generator wraps it in an async iterator,
      // a promise more for each level group.
      for (const item of scanner.out) yield item;
      scanner.out.length = 0;
    }
  }
  const trailer = scanner.finish();
  if (trailer) yield trailer;
}

// deno-lint-ignore no-control-regex
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Where JSON.parse fails on `text` (a character index) and what JSON allows there, or null if
 * no error is found. Called only after JSON.parse has thrown, to say where and why.
 */
function jsonSyntaxError(text: string): { pos: number; expected: string } | null {
  let i = 0;
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const token = (re: RegExp): boolean => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  // What was expected at `i`, or null once a whole value has been read.
  const value = (): string | null => {
    space();
    if (text[i] !== "{" && text[i] !== "[") {
      return token(JSON_STRING) || token(JSON_LITERAL) ? null : "a JSON value";
    }
    const close = text[i] === "{" ? "}" : "]";
    i++;
    space();
    if (text[i] === close) {
      i++;
      return null;
    }
    for (;;) {
      if (close === "}") {
        space();
        if (!token(JSON_STRING)) return "a property name in double quotes";
        space();
        if (text[i] !== ":") return "':' after a property name";
        i++;
      }
      const err = value();
      if (err) return err;
      space();
      if (text[i] === ",") i++;
      else if (text[i] === close) {
        i++;
        return null;
      } else return `',' or '${close}'`;
    }
  };
  let expected = value();
  space();
  if (expected === null && i < text.length) expected = "the end of the level group";
  return expected === null ? null : { pos: i, expected };
}

function show(buf: Uint8Array, i: number): string {
  return JSON.stringify(new TextDecoder().decode(buf.subarray(i, i + 20)));
}
