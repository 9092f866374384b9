/**
 * A large CSV file cut into files of whole lines, each with the header line, for polars to
 * read one at a time: polars' scan of a whole file held every string column in memory (1.3 GB
 * for 100 MB of SeBS's `result.csv`), one slice at a time keeps an import's memory flat in
 * the file's size. A quoted field spanning lines is not written by the tools read here (and
 * is an error of the line reader), so a line break always ends a row.
 */
import { join } from "node:path";

/** Bytes of data lines per slice. Default of {@linkcode csvSlices}. */
export const SLICE_BYTES = 8 << 20;

const NEWLINE = 0x0a;

/**
 * Writes `chunks` (a CSV file's bytes) as slices in `dir`, each the header line and whole
 * lines of about `sliceBytes`, and yields each slice's path once written; the caller removes
 * it. A file that fits one slice yields one. Lines keep their bytes (CR included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvSlices } from "./csv_slices.ts";
 * const dir = await Deno.makeTempDir();
 * const bytes = new TextEncoder().encode("a,b\n1,2\n3,4\n5,6\n");
 * const texts = [];
 * for await (const path of csvSlices([bytes], dir, 8)) texts.push(await Deno.readTextFile(path));
 * assert.deepEqual(texts, ["a,b\n1,2\n3,4\n", "a,b\n5,6\n"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function* csvSlices(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  dir: string,
  sliceBytes = SLICE_BYTES,
): AsyncGenerator<string> {
  let header: Uint8Array | null = null;
  let pending: Uint8Array[] = [], pendingBytes = 0, count = 0;
  const concat = (parts: Uint8Array[], n: number) => {
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of parts) out.set(p, at), at += p.length;
    return out;
  };
  const write = async (body: Uint8Array[]) => {
    const path = join(dir, `slice-${String(++count).padStart(6, "0")}.csv`);
    using file = await Deno.open(path, { write: true, createNew: true });
    for (const bytes of [header!, ...body]) {
      for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
    }
    return path;
  };
  for await (const chunk of chunks) {
    let data = chunk;
    if (header === null) {
      pending.push(data);
      pendingBytes += data.length;
      const all = concat(pending, pendingBytes);
      const end = all.indexOf(NEWLINE);
      if (end < 0) {
        pending = [all];
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
      // Cut after the last line break within the slice's size (after the first one past it
      // where a line is longer): the rest starts the next slice.
      const all = concat(pending, pendingBytes);
      let cut = all.lastIndexOf(NEWLINE, sliceBytes - 1);
      if (cut < 0) cut = all.indexOf(NEWLINE, sliceBytes);
      if (cut < 0) {
        pending = [all];
        break;
      }
      yield await write([all.subarray(0, cut + 1)]);
      const rest = all.slice(cut + 1);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (header === null) {
    // No line break at all: the header alone (or nothing); the readers say what is wrong.
    header = concat(pending, pendingBytes);
    pending = [];
  }
  if (pendingBytes > 0 || count === 0) yield await write(pending);
}
