/**
 * Line-by-line reading of a byte stream, for the thesis's line-oriented logs: memory stays
 * bounded by the longest line, and every line keeps its number for error messages.
 */

/** One line of a file, without its line break. */
export interface Line {
  text: string;
  /** 1-based line number. */
  line: number;
}

/** Yields the lines of a stream (the last one even without a final newline). */
export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Line> {
  const decoder = new TextDecoder();
  let pending = "";
  let line = 0;
  for await (const chunk of chunks) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield { text: pending.slice(0, nl).replace(/\r$/, ""), line: ++line };
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending !== "") yield { text: pending.replace(/\r$/, ""), line: ++line };
}

/** The lines of a string, as a stream would give them (for tests and small inputs). */
export async function* linesOf(text: string): AsyncGenerator<Line> {
  yield* readLines([new TextEncoder().encode(text)] as unknown as AsyncIterable<Uint8Array>);
}
