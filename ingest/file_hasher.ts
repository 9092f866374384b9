/**
 * SHA-256 of raw files, computed in a worker while the ingest reads them on the JS thread.
 *
 * Why a worker: hashing a gigabyte costs about 0.6 s of CPU, and ingest is bound by its one
 * JS thread (the record reader); the worker reads the file again from the page cache and
 * hashes it on the second core, where polars' part writer leaves room. Sharing the ingest's
 * own buffers with a worker was tried and was slower (and larger). The hash is of the file
 * as the worker read it; the ingest compares the size it read with the worker's, and a file
 * that changed in between is an error.
 */

/** A file's SHA-256 (hex) and size in bytes. */
export interface FileHash {
  sha256: string;
  bytes: number;
}

/** Hashes files in a worker, one after the other, in the order asked. */
export class FileHasher {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    { resolve: (h: FileHash) => void; reject: (e: Error) => void }
  >();
  #next = 0;

  constructor() {
    this.#worker = new Worker(new URL("./_hash_worker.ts", import.meta.url).href, {
      type: "module",
    });
    this.#worker.onmessage = (
      e: MessageEvent<{ id: number; sha256?: string; bytes?: number; error?: string }>,
    ) => {
      const { id, sha256, bytes, error } = e.data;
      const w = this.#waiting.get(id);
      this.#waiting.delete(id);
      if (!w) return;
      if (error !== undefined) w.reject(new Error(error));
      else w.resolve({ sha256: sha256!, bytes: bytes! });
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      const err = new Error(`the hashing worker failed: ${e.message}`);
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    };
  }

  /** Starts hashing `path`; resolves with its hash once the worker has read it all. */
  hash(path: string): Promise<FileHash> {
    const id = this.#next++;
    const p = new Promise<FileHash>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
    });
    p.catch(() => {}); // a file the ingest never gets to (an earlier error) is not a failure
    this.#worker.postMessage({ id, path });
    return p;
  }

  /** Stops the worker (hashes not yet answered are dropped). */
  close(): void {
    this.#worker.terminate();
    this.#waiting.clear();
  }
}
