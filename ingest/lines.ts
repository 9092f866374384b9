/**
 * Line-by-line reading of a byte stream, for the thesis's line-oriented logs: memory stays
 * bounded by the longest line, and every line keeps its number for error messages.
 */
import { invalidUtf8At } from "./utf8.ts";

/** One line of a file, without its line break. */
export interface Line {
  text: string;
  /** 1-based line number. */
  line: number;
  /**
   * True when the line goes on in the next item: a line longer than `maxChars` is cut at
   * `splitAt` separators (dropped) into pieces of at most `maxChars`, so a reader of very long
   * lines holds a piece of one.
   */
  continued?: boolean;
}

/** Options of {@linkcode readLines}. */
export interface ReadLinesOptions {
  /**
   * Cut a line longer than this at `splitAt`s into pieces no longer (the thesis's level lines
   * are one line a level: a gigabyte of them makes lines of tens of megabytes). A piece without
   * a separator is not cut. Default: never cut.
   */
  maxChars?: number;
  /** The separator a long line is cut at, dropped from the text. Default ",". */
  splitAt?: string;
}

/**
 * Yields the lines of a stream (the last one even without a final newline). Bytes that are not
 * UTF-8 are a SyntaxError naming `file`, the byte offset and the line, never replaced.
 */
export async function* readLines(
  chunks: AsyncIterable<Uint8Array>,
  file = "input",
  { maxChars = Infinity, splitAt = "," }: ReadLinesOptions = {},
): AsyncGenerator<Line> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let pending = "";
  let line = 0;
  let offset = 0; // of the first byte of the chunk being decoded
  let carry = new Uint8Array(0); // the end of the previous chunk: a sequence may straddle two
  let cut = false; // the line being read was yielded in part already
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (cause) {
      const bytes = new Uint8Array(carry.length + (chunk?.length ?? 0));
      bytes.set(carry);
      if (chunk) bytes.set(chunk, carry.length);
      const k = Math.max(0, invalidUtf8At(bytes));
      const before = bytes.subarray(carry.length, Math.max(carry.length, k));
      const at = line + 1 + (pending.match(/\n/g)?.length ?? 0) +
        before.filter((b) => b === 0x0a).length;
      throw new SyntaxError(
        `${file} byte ${offset - carry.length + k} (line ${at}): invalid UTF-8: byte 0x${
          (bytes[k] ?? 0).toString(16).padStart(2, "0")
        } is not part of a well-formed UTF-8 sequence`,
        { cause },
      );
    }
  };
  for await (const chunk of chunks) {
    pending += decode(chunk);
    // The last three bytes read: they hold the lead of any sequence a later chunk ends (a
    // sequence may span three chunks), less bytes that continue one begun before them.
    const tail = chunk.length >= 3
      ? chunk.slice(-3)
      : new Uint8Array([...carry, ...chunk]).slice(-3);
    let from = 0;
    while (from < tail.length && (tail[from] & 0xc0) === 0x80) from++;
    carry = tail.slice(from);
    offset += chunk.length;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield { text: pending.slice(0, nl).replace(/\r$/, ""), line: ++line };
      pending = pending.slice(nl + 1);
      cut = false;
    }
    while (pending.length > maxChars) {
      const at = pending.lastIndexOf(splitAt, maxChars);
      if (at < 0) break;
      yield { text: pending.slice(0, at), line: line + 1, continued: true };
      pending = pending.slice(at + splitAt.length);
      cut = true;
    }
  }
  pending += decode();
  if (pending !== "" || cut) yield { text: pending.replace(/\r$/, ""), line: ++line };
}

/** The lines of a string, as a stream would give them (for tests and small inputs). */
export async function* linesOf(text: string): AsyncGenerator<Line> {
  yield* readLines([new TextEncoder().encode(text)] as unknown as AsyncIterable<Uint8Array>);
}
