/**
 * A dataset's activations read part by part and kept as pieces: the rows of one experiment,
 * runtime, workload, source and level. Those five values are the same in every row of a piece,
 * so a piece holds them once instead of once a row (a text column costs 16 bytes a row in
 * polars, the five keys more than half of what the tables read), and a caller asks for the
 * rows of a few pieces at a time ({@linkcode ActivationPieces.frame}) with the keys put back.
 * Past a number of rows held, the pieces go to temporary Parquet files, so memory stays flat
 * in the size of the dataset.
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { emptyFrame, forEachPart, readSchema } from "./mod.ts";
import { releaseNativeMemory } from "./native_memory.ts";
import { makeScratchDir, removeScratch } from "./scratch.ts";

/** The columns that make a piece, in this order. */
export const PIECE_KEYS = ["experiment", "runtime", "workload", "source", "level"] as const;

/** What the rows of one piece share (level null for rows without one). */
export interface PieceKey {
  experiment: string;
  runtime: string;
  workload: string;
  source: string;
  level: number | null;
  /** Rows of the piece, all parts together. */
  rows: number;
}

/** The activations of a dataset as pieces ({@linkcode readActivationPieces}). */
export interface ActivationPieces {
  /** Every piece, in the order first met. */
  keys: PieceKey[];
  /**
   * The rows of the pieces of bucket `bucket`, in the dataset's order (part by part, row by
   * row), with the columns a read of the whole table gives ({@linkcode forEachPart}), in its
   * order.
   */
  frame(bucket: number): pl.DataFrame;
  /** Removes the temporary files. */
  close(): Promise<void>;
}

/** Options of {@linkcode readActivationPieces}. */
export interface PieceOptions {
  /** Buckets the pieces go to. Default 1. */
  buckets?: number;
  /** The bucket of a piece, from 0 to `buckets - 1`. Default 0. */
  bucketOf?: (key: PieceKey) => number;
  /** Rows held in memory before they go to temporary files. Default {@linkcode SPILL_ROWS}. */
  spillRows?: number;
  /** Where the temporary files go. Default the system's temporary folder. */
  spillDir?: string;
}

/** Rows {@linkcode readActivationPieces} holds in memory before they go to temporary files. */
export const SPILL_ROWS = 4e6;

/** The column of a row's piece: a hash of its keys, below 2^51 (exact as a JavaScript number). */
const PIECE = "__piece";
/** A second hash of the keys, to tell two keys with one {@linkcode PIECE} apart. */
const CHECK = "__check";
/** The column of a row's bucket, while a part is split. */
const BUCKET = "__bucket";

/**
 * `frame` with {@linkcode PIECE} and {@linkcode CHECK}: hashes of a row's piece keys, each the
 * sum of the keys' own hashes (with a seed of its own) cut to 48 bits, in Int64 (no
 * overflow). Three times cheaper in polars than the hash of a struct of the keys. In two
 * steps: polars 0.25 types an operation chained onto a hash as if on the hashed column.
 *
 * A key with one value in the whole part (a partition column, such as the experiment and the
 * runtime of a part in `experiment=.../runtime=...` folders) is hashed once, from the part's
 * first row, and added as a constant: the same sums, and a fraction of the hashing (checking
 * that a column holds one value compares its smallest and largest, which is cheaper than a
 * hash of every row).
 */
function withPieceHashes(frame: pl.DataFrame): pl.DataFrame {
  const seeds = [[PIECE, 17], [CHECK, 31]] as const;
  const hashOf = (k: string, i: number, name: string, seed: number) =>
    pl.col(k).hash(seed, i + 1, 2 * seed + 1, 7).alias(`${name}${i}`);
  const [one] = frame.select(
    ...PIECE_KEYS.map((k) =>
      pl.col(k).nullCount().eq(pl.lit(0)).and(pl.col(k).min().eq(pl.col(k).max())).alias(k)
    ),
  ).toRecords();
  const constant = PIECE_KEYS.map((k) => frame.height > 0 && one[k] === true);
  const hashes = (rows: pl.DataFrame, which: boolean) =>
    rows.withColumns(
      ...seeds.flatMap(([name, seed]) =>
        PIECE_KEYS.flatMap((k, i) => constant[i] === which ? [hashOf(k, i, name, seed)] : [])
      ),
    );
  const [first] = hashes(frame.head(1), true).toRecords();
  const cut = (name: string, i: number) =>
    constant[i]
      ? pl.lit(Number(BigInt(first[`${name}${i}`] as bigint) % 2n ** 48n)).cast(pl.Int64)
      : pl.col(`${name}${i}`).modulo(pl.lit(2 ** 48).cast(pl.UInt64)).cast(pl.Int64);
  return hashes(frame, false).select(
    ...frame.columns,
    ...seeds.map(([name]) =>
      PIECE_KEYS.map((_, i) => cut(name, i)).reduce((sum, h) => sum.add(h)).alias(name)
    ),
  );
}

/**
 * Reads the activations of the dataset `dir` (only `columns`, checked as `readTable` checks
 * them) as pieces by {@linkcode PIECE_KEYS}, sorted into buckets. In a bucket, each part's rows
 * are kept as one frame in their order, the keys replaced by the piece's hash and other text
 * as categories (4 bytes a row): about a third of the memory of the rows read, and no sort
 * needed to give them back in order. Past `spillRows` held, every bucket goes to a file of
 * its own, so that a bucket is read back alone.
 */
export async function readActivationPieces(
  dir: string,
  columns: readonly string[],
  { buckets = 1, bucketOf = () => 0, spillRows = SPILL_ROWS, spillDir }: PieceOptions = {},
): Promise<ActivationPieces> {
  const keys = new Map<number, PieceKey>();
  const bucketOfId = new Map<number, number>();
  const shown = new Map<number, string>();
  // Columns and types in the order a read of the whole table has them (a diagonal concat).
  const types = new Map<string, pl.DataType>();
  const held: pl.DataFrame[][] = Array.from({ length: buckets }, () => []);
  const files: string[][] = Array.from({ length: buckets }, () => []);
  let heldRows = 0, spilled = 0;
  let tmp: string | null = null;
  const spill = async () => {
    tmp ??= await makeScratchDir({ dir: spillDir, prefix: "whiskbench-pieces-" });
    for (const [b, frames] of held.entries()) {
      if (frames.length === 0) continue;
      const file = join(tmp, `${spilled++}.parquet`);
      pl.concat(frames, { how: "diagonal" }).writeParquet(file, { compression: "lz4" });
      files[b].push(file);
      held[b] = [];
    }
    heldRows = 0;
    await releaseNativeMemory();
  };
  const text = new Set<string>();
  try {
    await forEachPart(dir, "activations", columns, async (part) => {
      for (const c of part.columns) {
        if (types.has(c)) continue;
        const dtype = part.getColumn(c).dtype;
        types.set(c, dtype);
        if (dtype.equals(pl.Utf8) && !(PIECE_KEYS as readonly string[]).includes(c)) text.add(c);
      }
      const hashed = withPieceHashes(part);
      const found = hashed.groupBy(PIECE).agg(
        ...PIECE_KEYS.map((k) => pl.col(k).first()),
        pl.len().cast(pl.Float64).alias("rows"),
        pl.col(CHECK).min().eq(pl.col(CHECK).max()).alias("one"),
      ).toRecords();
      const inBucket: number[][] = Array.from({ length: buckets }, () => []);
      for (const r of found) {
        const id = Number(r[PIECE]);
        if (!r.one) throw collision("two keys of one part", "");
        const key = {
          experiment: r.experiment as string,
          runtime: r.runtime as string,
          workload: r.workload as string,
          source: r.source as string,
          level: r.level === null ? null : Number(r.level),
          rows: 0,
        };
        const name = JSON.stringify(PIECE_KEYS.map((k) => key[k]));
        if ((shown.get(id) ?? name) !== name) throw collision(shown.get(id)!, name);
        shown.set(id, name);
        if (!keys.has(id)) {
          const b = bucketOf(key);
          if (!(Number.isInteger(b) && b >= 0 && b < buckets)) {
            throw new RangeError(`bucket ${b} of ${name} is not from 0 to ${buckets - 1}`);
          }
          keys.set(id, key);
          bucketOfId.set(id, b);
        }
        keys.get(id)!.rows += Number(r.rows);
        inBucket[bucketOfId.get(id)!].push(id);
      }
      const compact = hashed.select(
        PIECE,
        ...part.columns.filter((c) => !(PIECE_KEYS as readonly string[]).includes(c)).map((c) =>
          text.has(c) ? pl.col(c).cast(pl.Categorical) : pl.col(c)
        ),
      );
      const used = [...inBucket.keys()].filter((b) => inBucket[b].length > 0);
      if (used.length === 1) held[used[0]].push(compact);
      else {
        // One pass over the part: each row's bucket from its piece, then split by bucket.
        const bucket = pl.col(PIECE).replaceStrict(
          used.flatMap((b) => inBucket[b]),
          used.flatMap((b) => inBucket[b].map(() => b)),
          undefined,
          pl.Int32,
        ).alias(BUCKET);
        for (const rows of compact.withColumns(bucket).partitionBy(BUCKET, true, true)) {
          held[Number(rows.getColumn(BUCKET).get(0))].push(rows.drop(BUCKET));
        }
      }
      heldRows += part.height;
      if (heldRows >= spillRows) await spill();
    }, { releaseEvery: 1e6 });
  } catch (err) {
    if (tmp) await removeScratch(tmp).catch(() => {});
    throw err;
  }
  const order = [...types.keys()];
  return {
    keys: [...keys.values()],
    frame(bucket) {
      if (order.length === 0) return emptyFrame(readSchema("activations", columns));
      const ids = [...bucketOfId].filter(([, b]) => b === bucket).map(([id]) => id);
      const rows = [...files[bucket].map((f) => pl.readParquet(f)), ...held[bucket]];
      const keyFrame = pl.DataFrame([
        pl.Series(PIECE, ids, pl.Int64),
        ...PIECE_KEYS.map((k) =>
          pl.Series(k, ids.map((id) => keys.get(id)![k]), types.get(k) ?? pl.Utf8)
        ),
      ]);
      const all: pl.DataFrame = rows.length === 0
        ? pl.DataFrame([pl.Series(PIECE, [], pl.Int64)])
        : rows.length === 1
        ? rows[0]
        : pl.concat(rows, { how: "diagonal" });
      const whole = all.join(keyFrame, { on: PIECE, how: "left", maintainOrder: "left" });
      // A column some part has is in every row of a whole read (null where a part lacks it).
      return whole.select(
        ...order.map((c) =>
          !whole.columns.includes(c)
            ? pl.lit(null).cast(types.get(c)!).alias(c)
            : text.has(c)
            ? pl.col(c).cast(pl.Utf8)
            : pl.col(c)
        ),
      );
    },
    async close() {
      if (tmp) await removeScratch(tmp);
    },
  };
}

function collision(a: string, b: string): Error {
  return new Error(
    `Cannot read the activations in pieces: two keys share a hash (${a} ${b}); ` +
      `read the dataset whole (readTable) instead`,
  );
}
