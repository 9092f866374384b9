import assert from "node:assert/strict";
import { residentBytes } from "../dataset/native_memory.ts";

Deno.test("residentBytes() counts pages the process touches", () => {
  const before = residentBytes();
  assert.ok(before !== null && before > 0, `resident bytes ${before}`);
  const block = new Uint8Array(64 * 1024 * 1024);
  for (let i = 0; i < block.length; i += 4096) block[i] = 1;
  const after = residentBytes()!;
  assert.ok(after - before >= 48 * 1024 * 1024, `grew by ${after - before} bytes`);
  assert.equal(block[4096], 1);
});
