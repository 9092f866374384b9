/**
 * A large CSV file cut into slices of whole lines, each with the header line, for polars to
 * read one at a time: polars' scan of a whole file held every string column in memory (1.3 GB
 * for 100 MB of SeBS's `result.csv`), one slice at a time keeps an import's memory flat in
 * the file's size. The slices stay in memory (polars reads a buffer as it reads a file), so
 * that the bytes are not written out and read back. A quoted field spanning lines is not
 * written by the tools read here (and is an error of the line reader), so a line break always
 * ends a row.
 */

/** Bytes of data lines per slice. Default of {@linkcode csvSlices}. */
export const SLICE_BYTES = 8 << 20;

const NEWLINE = 0x0a;

/** A line of white space alone (spaces, tabs, a CR), which no reader takes for the header. */
const isBlank = (line: Uint8Array) => line.every((b) => b === 0x20 || b === 0x09 || b === 0x0d);

/**
 * Cuts `chunks` (a CSV file's bytes) into slices, each the header line and whole lines of
 * about `sliceBytes`, and yields each. A file that fits one slice yields one. Lines keep their
 * bytes (CR included). Each slice is a buffer of its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvSlices } from "./csv_slices.ts";
 * const bytes = new TextEncoder().encode("a,b\n1,2\n3,4\n5,6\n");
 * const texts = [];
 * for await (const slice of csvSlices([bytes], 8)) texts.push(new TextDecoder().decode(slice));
 * assert.deepEqual(texts, ["a,b\n1,2\n3,4\n", "a,b\n5,6\n"]);
 * ```
 */
export async function* csvSlices(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  sliceBytes = SLICE_BYTES,
): AsyncGenerator<Uint8Array> {
  let header: Uint8Array | null = null;
  let pending: Uint8Array[] = [], pendingBytes = 0, count = 0;
  const concat = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, at), at += p.length;
    return out;
  };
  for await (const chunk of chunks) {
    let data = chunk;
    if (header === null) {
      pending.push(data);
      pendingBytes += data.length;
      let all = concat(pending);
      // Blank lines before the header are skipped, as the line reader skips them.
      let end: number;
      while ((end = all.indexOf(NEWLINE)) >= 0 && isBlank(all.subarray(0, end))) {
        all = all.subarray(end + 1);
      }
      if (end < 0) {
        pending = [all];
        pendingBytes = all.length;
        continue;
      }
      header = all.slice(0, end + 1);
      data = all.subarray(end + 1);
      pending = [];
      pendingBytes = 0;
    }
    pending.push(data.slice());
    pendingBytes += data.length;
    while (pendingBytes >= sliceBytes) {
      // The header and the lines in one buffer, which the slice is the start of. Cut after the
      // last line break within the slice's size (after the first one past it where a line is
      // longer): the rest starts the next slice.
      const all = concat([header, ...pending]);
      const body = all.subarray(header.length);
      let cut = body.lastIndexOf(NEWLINE, sliceBytes - 1);
      if (cut < 0) cut = body.indexOf(NEWLINE, sliceBytes);
      if (cut < 0) {
        pending = [body];
        break;
      }
      count++;
      yield all.subarray(0, header.length + cut + 1);
      const rest = body.slice(cut + 1);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (header === null) {
    // No line break at all: the header alone (or nothing); the readers say what is wrong.
    header = concat(pending);
    pending = [];
    pendingBytes = 0;
  }
  if (pendingBytes > 0 || count === 0) yield concat([header, ...pending]);
}
