/**
 * The ingest's SHA-256 worker: the same digest as hashing the bytes in place, files answered
 * in the order asked, and a file that cannot be read an error naming it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { FileHasher } from "../ingest/file_hasher.ts";

Deno.test("FileHasher hashes each file as sha256sum would, and names a file it cannot read", async () => {
  const dir = await Deno.makeTempDir();
  const hasher = new FileHasher();
  try {
    // Sizes around the worker's 4 MiB chunk, and an empty file.
    const sizes = [0, 1, (4 << 20) - 1, 4 << 20, (4 << 20) + 3, 9_000_001];
    const files = sizes.map((n, i) => {
      const bytes = new Uint8Array(n);
      for (let k = 0; k < n; k++) bytes[k] = (k * 31 + i) & 0xff;
      const path = join(dir, `f${i}.log`);
      Deno.writeFileSync(path, bytes);
      return { path, bytes };
    });
    const got = await Promise.all(files.map((f) => hasher.hash(f.path)));
    got.forEach((h, i) => {
      const expected = createHash("sha256").update(files[i].bytes).digest("hex");
      assert.deepEqual(h, { sha256: expected, bytes: sizes[i] }, `file ${i}`);
    });
    const missing = join(dir, "missing.log");
    await assert.rejects(hasher.hash(missing), (e: Error) => e.message.includes("missing.log"));
    // The worker goes on after a failure.
    assert.equal((await hasher.hash(files[1].path)).bytes, 1);
  } finally {
    hasher.close();
    await Deno.remove(dir, { recursive: true });
  }
});
