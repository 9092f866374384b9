/**
 * A file's bytes in large chunks, read ahead into buffers that take turns: what the thesis
 * ingest and the record importers read their files with. Why not the file's ReadableStream:
 * it gives 64 KiB chunks, a new buffer and an async step each, which cost the record
 * importers a tenth of their JS thread's time.
 */

/** Bytes read at a time: large, so that few records or level groups straddle two reads. */
const READ_BYTES = 4 << 20;

/**
 * A stream of a file's bytes, counted in `size`. The next chunk is read while the caller
 * works on this one; three buffers take turns, so a chunk stays valid until the one after the
 * next is handed out (every reader here copies what it keeps by then).
 */
export async function* chunked(path: string, size: { n: number }) {
  using file = await Deno.open(path);
  const buffers: Uint8Array[] = [];
  const fill = async (turn: number): Promise<Uint8Array> => {
    const chunk = buffers[turn] ??= new Uint8Array(READ_BYTES);
    let n = 0;
    while (n < chunk.length) {
      const got = await file.read(chunk.subarray(n));
      if (got === null) break;
      n += got;
    }
    return chunk.subarray(0, n);
  };
  let next = fill(0);
  try {
    for (let turn = 0;; turn = (turn + 1) % 3) {
      const bytes = await next;
      const n = bytes.length;
      if (n === 0) return;
      const last = n < READ_BYTES;
      if (!last) next = fill((turn + 1) % 3);
      size.n += n;
      yield bytes;
      if (last) return;
    }
  } finally {
    // A reader that stops early (an error) leaves a read in flight: let it end before the file closes.
    await next.catch(() => {});
  }
}
