/**
 * Rows of one dataset table buffered and written as numbered Parquet parts
 * (`dataset/mod.ts` writePart: atomic), so that a sampler flushes as it goes and a crash loses
 * at most the rows since the last part.
 */
import {
  FrameBuilder,
  type RowOf,
  type Schema,
  type TableName,
  TABLES,
  writePart,
} from "../../dataset/mod.ts";

/** Buffers rows of one table and writes them as parts `<prefix>-00001`, `<prefix>-00002`, ... */
export class PartWriter<T extends TableName> {
  readonly #out: string;
  readonly #table: T;
  readonly #prefix: string;
  readonly #rows: FrameBuilder<Schema>;
  #writing: Promise<unknown> = Promise.resolve();
  /** Paths of the parts written so far. */
  readonly parts: string[] = [];
  /** Rows written so far. */
  written = 0;

  /** Rows of `table` of the dataset `out`, parts named `<prefix>-<n>`. */
  constructor(out: string, table: T, prefix: string) {
    this.#out = out;
    this.#table = table;
    this.#prefix = prefix;
    this.#rows = new FrameBuilder(TABLES[table] as Schema);
  }

  /** Rows waiting for the next part. */
  get pending(): number {
    return this.#rows.length;
  }

  /** Buffers one row. */
  push(row: RowOf<(typeof TABLES)[T]>): void {
    this.#rows.push(row as RowOf<Schema>);
  }

  /** Writes the buffered rows as the next part (nothing if none); one write at a time. */
  flush(): Promise<string | null> {
    const next = this.#writing.then(async () => {
      const n = this.#rows.length;
      if (n === 0) return null;
      const name = `${this.#prefix}-${String(this.parts.length + 1).padStart(5, "0")}`;
      const path = await writePart(this.#out, this.#table, name, this.#rows.toFrame());
      this.parts.push(path);
      this.written += n;
      return path;
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}
