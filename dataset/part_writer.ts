/**
 * Rows of one dataset table flushed as Parquet parts while something runs (a collection, a
 * sampler): on demand ({@link PartWriter.flush}), and whenever `flushEveryMs` has passed since
 * the last part. Each part is written by {@linkcode writePart} (temporary name, fsync,
 * rename), numbered `<prefix>.0001`, `<prefix>.0002`, ... and never overwrites one already
 * there (in any partition folder), so a kill -9 loses at most the rows of the part in flight.
 *
 * A part that cannot be written (a full disk) does not crash the process from a timer: the
 * error is kept, its rows counted as lost, and the next awaited `flush()` throws it, naming
 * the part and the cause, so that the caller can end its run as failed with what it has.
 */
import { basename, join } from "node:path";
import type { Clock } from "./clock.ts";
import {
  FrameBuilder,
  partPaths,
  type RowOf,
  type Schema,
  type TableName,
  TABLES,
  writePart,
} from "./mod.ts";

/** Options of {@link PartWriter}. */
export interface PartWriterOptions {
  /** Clock of the flush interval (default the system clock). */
  clock?: Pick<Clock, "now">;
  /** Write a part once this long has passed since the last one, ms (default 5 000). */
  flushEveryMs?: number;
}

const systemNow = { now: () => performance.timeOrigin + performance.now() };

/** Buffers the rows of one table and writes them as numbered parts `<prefix>.<NNNN>`. */
export class PartWriter<S extends Schema> {
  readonly #dir: string;
  readonly #table: TableName;
  readonly #prefix: string;
  readonly #builder: FrameBuilder<S>;
  readonly #clock: Pick<Clock, "now">;
  readonly #every: number;
  #seq = 0;
  /** Names of the table's parts, listed at the first write. */
  #taken: Set<string> | null = null;
  #last: number;
  #writing: Promise<unknown> = Promise.resolve();
  /** Paths of the parts written so far, and their rows in total. */
  readonly parts: string[] = [];
  rows = 0;
  /** Rows of parts that could not be written. */
  lost = 0;
  /** The first write error not yet thrown by an awaited flush. */
  #error: Error | null = null;

  constructor(
    dir: string,
    table: TableName,
    prefix: string,
    schema: S,
    { clock = systemNow, flushEveryMs = 5_000 }: PartWriterOptions = {},
  ) {
    this.#dir = dir;
    this.#table = table;
    this.#prefix = prefix;
    this.#builder = new FrameBuilder(schema);
    this.#clock = clock;
    this.#every = flushEveryMs;
    this.#last = clock.now();
  }

  /** Rows waiting for the next part. */
  get pending(): number {
    return this.#builder.length;
  }

  /** Adds a row; writes a part if the flush interval has passed. */
  push(row: RowOf<S>): void {
    this.#builder.push(row);
    if (this.#clock.now() - this.#last >= this.#every) this.flushSoon();
  }

  /**
   * Also flushes on a wall-time timer every `flushEveryMs`, so that rows do not wait for the
   * next push when none comes for a while (a long level). Returns the function that stops it.
   */
  autoFlush(): () => void {
    const id = setInterval(() => {
      if (this.#builder.length > 0 && this.#clock.now() - this.#last >= this.#every) {
        this.flushSoon();
      }
    }, Math.max(50, this.#every));
    return () => clearInterval(id);
  }

  /** A flush nobody awaits (from a timer): its error is kept for the next awaited flush. */
  flushSoon(): void {
    this.#write().catch((err) => this.#error ??= err);
  }

  /**
   * Writes the pending rows as one part (nothing if none), after any part being written;
   * resolves to its path, the first where its rows fill several partition folders (null if
   * nothing was pending). Throws the first write error since the last awaited flush.
   */
  async flush(): Promise<string | null> {
    const path = await this.#write();
    const error = this.#error;
    this.#error = null;
    if (error) throw error;
    return path;
  }

  #write(): Promise<string | null> {
    this.#last = this.#clock.now();
    if (this.#builder.length === 0) return this.#writing.then(() => null);
    const n = this.#builder.length;
    const frame = this.#builder.toFrame();
    const next = this.#writing.then(async () => {
      // A name no part has in any partition folder: the numbers of a table's parts are one
      // sequence, whatever folders their rows land in. The table is listed once; a part of
      // another writer that takes a name since is never overwritten (landParts refuses).
      this.#taken ??= new Set(
        (await partPaths(join(this.#dir, this.#table))).map((p) => basename(p, ".parquet")),
      );
      let name: string;
      do {
        name = `${this.#prefix}.${String(++this.#seq).padStart(4, "0")}`;
      } while (this.#taken.has(name));
      this.#taken.add(name);
      try {
        const paths = await writePart(this.#dir, this.#table, name, frame);
        this.parts.push(...paths);
        this.rows += n;
        return paths[0];
      } catch (err) {
        this.lost += n;
        throw err;
      }
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}

/** A writer of one table's own columns, flushed only when its owner says so (samplers). */
export function tableWriter<T extends TableName>(
  dir: string,
  table: T,
  prefix: string,
): PartWriter<(typeof TABLES)[T]> {
  return new PartWriter(dir, table, prefix, TABLES[table], { flushEveryMs: Infinity });
}

/** The type of {@linkcode tableWriter}'s writers. */
export type TableWriter<T extends TableName> = PartWriter<(typeof TABLES)[T]>;
