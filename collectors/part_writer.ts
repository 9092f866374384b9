/**
 * Rows flushed as Parquet parts while an experiment runs: at every level (the experiment calls
 * {@link PartWriter.flush}) and whenever `flushEveryMs` has passed since the last part, each
 * part written atomically by `writePart` (temporary name, then rename). A kill -9 loses at
 * most the rows of the part in flight; a part is never overwritten.
 */
import { join } from "node:path";
import {
  exists,
  FrameBuilder,
  type RowOf,
  type Schema,
  type TableName,
  writePart,
} from "../dataset/mod.ts";
import { type Clock, systemClock } from "./clock.ts";

/** Options of {@link PartWriter}. */
export interface PartWriterOptions {
  /** Clock of the flush interval (default the system clock). */
  clock?: Clock;
  /** Write a part once this long has passed since the last one, ms (default 5 000). */
  flushEveryMs?: number;
}

/** Buffers the rows of one table and writes them as numbered parts `<prefix>.<NNNN>`. */
export class PartWriter<S extends Schema> {
  readonly #dir: string;
  readonly #table: TableName;
  readonly #prefix: string;
  readonly #builder: FrameBuilder<S>;
  readonly #clock: Clock;
  readonly #every: number;
  #seq = 0;
  #last: number;
  #writing: Promise<unknown> = Promise.resolve();
  /** Paths of the parts written so far, and their rows in total. */
  readonly parts: string[] = [];
  rows = 0;

  constructor(
    dir: string,
    table: TableName,
    prefix: string,
    schema: S,
    { clock = systemClock, flushEveryMs = 5_000 }: PartWriterOptions = {},
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
    if (this.#clock.now() - this.#last >= this.#every) void this.flush();
  }

  /**
   * Also flushes on a wall-time timer every `flushEveryMs`, so that rows do not wait for the
   * next push when none comes for a while (a long level). Returns the function that stops it.
   */
  autoFlush(): () => void {
    const id = setInterval(() => {
      if (this.#builder.length > 0 && this.#clock.now() - this.#last >= this.#every) {
        void this.flush();
      }
    }, Math.max(50, this.#every));
    return () => clearInterval(id);
  }

  /** Writes the pending rows as one part (nothing if none), after any part being written. */
  flush(): Promise<unknown> {
    this.#last = this.#clock.now();
    if (this.#builder.length === 0) return this.#writing;
    const n = this.#builder.length;
    const frame = this.#builder.toFrame();
    this.#writing = this.#writing.then(async () => {
      let name: string;
      do {
        name = `${this.#prefix}.${String(++this.#seq).padStart(4, "0")}`;
      } while (await exists(join(this.#dir, this.#table, `${name}.parquet`)));
      this.parts.push(await writePart(this.#dir, this.#table, name, frame));
      this.rows += n;
    });
    return this.#writing;
  }
}
