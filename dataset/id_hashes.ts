/**
 * The activation ids of a table's parts as 64-bit hashes, to tell whether an id occurs twice
 * without holding the ids: 8 bytes a row instead of the id text, and past
 * {@linkcode HASHES_AT_ONCE} held, written to a temporary file, so that a table of any size is
 * checked in flat memory.
 */
import pl from "nodejs-polars";
import type { PartIdHashes } from "./part_checks.ts";
import { releaseNativeMemory } from "./native_memory.ts";
import { makeScratchFile, removeScratch } from "./scratch.ts";

/** At most this many hashes are held, and counted distinct at once (a bucket). */
export const HASHES_AT_ONCE = 8_000_000;

/** The hashes of the ids of the parts read so far ({@linkcode idHashStore}). */
export interface IdHashStore {
  /** Adds the hashes of one part. */
  add(part: PartIdHashes): Promise<void>;
  /** The parts added, in order. */
  parts: string[];
  /**
   * Whether two hashes are equal, that is whether two ids may be (two different ids share a
   * hash once in billions of pairs: the caller then decides on the text). Past
   * {@linkcode HASHES_AT_ONCE} hashes they are counted bucket by bucket (hash modulo the
   * number of buckets), since equal hashes always meet in one bucket.
   */
  repeat(): Promise<boolean>;
  /** Removes the temporary files. */
  close(): Promise<void>;
}

const H = "h";

/** An empty {@linkcode IdHashStore}, holding at most `atOnce` hashes in memory. */
export function idHashStore(atOnce = HASHES_AT_ONCE): IdHashStore {
  let held: pl.Series[] = [];
  let heldCount = 0, total = 0;
  const files: string[] = [];
  const parts: string[] = [];
  const inBucket = (b: number, buckets: number) =>
    pl.col(H).modulo(pl.lit(buckets).cast(pl.UInt64)).eq(pl.lit(b).cast(pl.UInt64));
  return {
    parts,
    async add({ part, hashes }) {
      parts.push(part);
      held.push(hashes);
      heldCount += hashes.len();
      total += hashes.len();
      if (heldCount < atOnce) return;
      const file = await makeScratchFile({ prefix: "whiskbench-ids-", suffix: ".parquet" });
      files.push(file);
      pl.DataFrame([pl.concat(held).alias(H)]).writeParquet(file, { compression: "uncompressed" });
      held = [];
      heldCount = 0;
      await releaseNativeMemory();
    },
    async repeat() {
      if (total < 2) return false;
      const buckets = Math.ceil(total / atOnce);
      for (let b = 0; b < buckets; b++) {
        // Lazily, so a file's other buckets never leave polars (a frame read whole would
        // stay in memory until a garbage collection, which this loop gives no chance to run).
        const pick = (frame: pl.LazyDataFrame) =>
          (buckets === 1 ? frame : frame.filter(inBucket(b, buckets))).collectSync().getColumn(H);
        const all = pl.concat([
          ...files.map((f) => pick(pl.scanParquet(f))),
          ...held.map((h) => pick(pl.DataFrame([h.alias(H)]).lazy())),
        ]);
        if (all.nUnique() !== all.len()) return true;
        // This bucket's hashes, garbage now, leave before the next are read.
        await releaseNativeMemory();
      }
      return false;
    },
    async close() {
      for (const f of files) await removeScratch(f).catch(() => {});
    },
  };
}
