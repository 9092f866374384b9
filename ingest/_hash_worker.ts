/**
 * The worker of {@linkcode FileHasher} (file_hasher.ts): reads each file it is sent, by
 * path, and answers its SHA-256 and size. Files are hashed one after the other, in the order
 * sent.
 */
/// <reference lib="deno.worker" />
import { createHash } from "node:crypto";

const CHUNK = 4 << 20;
const buffer = new Uint8Array(CHUNK);
let queue: Promise<void> = Promise.resolve();

self.onmessage = (e: MessageEvent<{ id: number; path: string }>) => {
  const { id, path } = e.data;
  queue = queue.then(async () => {
    try {
      const hash = createHash("sha256");
      let bytes = 0;
      using file = await Deno.open(path);
      for (;;) {
        const n = await file.read(buffer);
        if (n === null) break;
        hash.update(buffer.subarray(0, n));
        bytes += n;
      }
      self.postMessage({ id, sha256: hash.digest("hex"), bytes });
    } catch (err) {
      self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
    }
  });
};
