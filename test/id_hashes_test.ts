/**
 * The id check of a table read part by part: hashes held a few at a time, written to
 * temporary files and counted bucket by bucket, find an id repeated across parts, files and
 * buckets, and nothing where every id is once.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { idHashStore } from "../dataset/id_hashes.ts";
import { idHashes } from "../dataset/part_checks.ts";

const ids = (xs: (string | null)[]) => pl.Series("activation_id", xs, pl.Utf8);

Deno.test("idHashStore: a repeated id across parts, files and buckets, and none without one", async () => {
  const parts = [["a", "b", null, "c"], ["d", "e", "f"], ["g", null, "h", "i"], ["j", "k"]];
  for (const atOnce of [2, 3, 5, 1000]) {
    for (const repeated of [null, "a", "k", "f"]) {
      const store = idHashStore(atOnce);
      try {
        for (const [i, part] of parts.entries()) {
          const xs = i === parts.length - 1 && repeated ? [...part, repeated] : part;
          await store.add(idHashes(`part${i}`, ids(xs)));
        }
        assert.equal(
          await store.repeat(),
          repeated !== null,
          `atOnce ${atOnce}, repeated ${repeated}`,
        );
        assert.deepEqual(store.parts, ["part0", "part1", "part2", "part3"]);
      } finally {
        await store.close();
      }
    }
  }
});
