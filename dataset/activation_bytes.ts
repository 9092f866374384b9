/**
 * The fast path of {@linkcode activationRow}: activation records read straight from the bytes
 * of a raw log into rows of tab-separated text that polars' CSV reader turns into the typed
 * `activations` frame, with no JSON.parse, no object per record and no JS string per value.
 *
 * It takes only records it can prove give exactly the row activationRow gives: canonical JSON
 * (see _record_reader.ts), so that the bytes of the record are its `record` column, and values
 * that need no decoding. On anything else it declines (returns -1) and the caller uses the
 * full parser, which gives the same row or the same error.
 */
import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import { dirname, join } from "node:path";
import type { RecordContext } from "./activation_row.ts";
import { FALSE, type Field, NULL, NUMBER, RecordReader, STRING, TRUE } from "./_record_reader.ts";
import { ACTIVATION_COLUMNS, type ActivationRow, FrameBuilder } from "./schema.ts";
import { writePart } from "./mod.ts";
import { partPath } from "./part_path.ts";
import { landParts, placePart } from "./partitions.ts";
import { PART_SINK_OPTIONS } from "./part_compression.ts";
import { LIMITS_MEMORY_COLUMN, writeLimitsMemory } from "./limits_memory.ts";

const TAB = 0x09, NEWLINE = 0x0a, MINUS = 0x2d, PLUS = 0x2b, DOT = 0x2e;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The wait and init times and the id of the rows of the last group, for ingest's checks. */
export interface GroupIndex {
  waits: number[];
  inits: (number | null)[];
  ids: string[];
}

/**
 * Rows of the `activations` table built from the bytes of activation records where the fast
 * path takes them and from {@linkcode ActivationRow} objects where it does not, kept in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ActivationRows } from "./activation_bytes.ts";
 * const rows = new ActivationRows({ experiment: "cold_start", workload: "hello", runtime: "wasm" });
 * const rec = '{"activationId":"a1","annotations":[{"key":"waitTime","value":5}],"name":"hello1"}';
 * rows.begin(1, 1);
 * assert.equal(rows.record(new TextEncoder().encode(rec), 0), rec.length);
 * rows.commit();
 * const frame = rows.toFrame();
 * assert.deepEqual(frame.select("activation_id", "wait_ms", "record").toRecords(),
 *   [{ activation_id: "a1", wait_ms: 5, record: rec }]);
 * ```
 */
export class ActivationRows {
  /** Rows so far (both kinds). */
  length = 0;
  /** With `index`, the wait and init times and ids of the group being read. */
  index: GroupIndex | null;
  readonly #reader: RecordReader;
  /** Finished pieces, in row order: TSV bytes or a builder of row objects. */
  #pieces: (Uint8Array | FrameBuilder<typeof ACTIVATION_COLUMNS>)[] = [];
  #out = new Uint8Array(0);
  #len = 0;
  #mark = 0;
  #markRows = 0;
  /** `run`, tab, `level`, tab of the group being read: its first #prefixLen bytes. */
  readonly #prefix = new Uint8Array(48);
  #prefixLen = 0;
  #objects: FrameBuilder<typeof ACTIVATION_COLUMNS> | null = null;
  readonly #contextBytes: Uint8Array;
  /** The partition folder of every row (all have the context's experiment and runtime). */
  readonly #folder: Record<string, string>;
  readonly #limitsMemory: boolean;

  /**
   * `index`: keep {@linkcode GroupIndex} (default false); `reader`: the record reader, where
   * the caller reads a record before it chooses the builder to {@linkcode append} it to
   * (default one of its own); `limitsMemory`: the TSV rows end with a column
   * {@linkcode LIMITS_MEMORY_COLUMN}, the memory of the record's `limits` annotation, for the
   * importers (default false; the reader must then note the `limits` places).
   */
  constructor(
    context: Pick<RecordContext, "experiment" | "workload" | "runtime">,
    { index = false, limitsMemory = false, reader = new RecordReader({ limits: limitsMemory }) }: {
      index?: boolean;
      reader?: RecordReader;
      limitsMemory?: boolean;
    } = {},
  ) {
    if (limitsMemory && reader.limits === null) {
      throw new TypeError("ActivationRows: limitsMemory needs a RecordReader made with limits");
    }
    this.#reader = reader;
    this.#limitsMemory = limitsMemory;
    this.index = index ? { waits: [], inits: [], ids: [] } : null;
    const { experiment, workload, runtime } = context;
    this.#folder = { experiment, runtime };
    const plain = [experiment, workload, runtime].every((s) => s !== "" && !/[\t\n\r]/.test(s));
    // Context values that TSV cannot carry send every row down the object path.
    this.#contextBytes = plain
      ? encoder.encode(`${experiment}\t${workload}\t${runtime}\t`)
      : new Uint8Array(0);
  }

  /** Appends a row built by activationRow (or errorRow, sampleRow). */
  push(row: ActivationRow): void {
    this.#flushBytes();
    if (!this.#objects) this.#objects = new FrameBuilder(ACTIVATION_COLUMNS);
    this.#objects.push(row);
    this.length++;
  }

  /**
   * Starts a level group of repetition `run` at `level` (null where unknown, as for imported
   * records): its records commit or roll back together.
   */
  begin(run: number | null, level: number | null): void {
    this.#flushObjects();
    // Rows go into buffers of a few MB, never copied to grow: a full one becomes a piece.
    if (this.#out.length - this.#len < BUFFER_BYTES / 4) {
      this.#flushBytes();
      this.#out = FREE_BUFFERS.pop() ?? new Uint8Array(BUFFER_BYTES);
    }
    this.#mark = this.#len;
    this.#markRows = this.length;
    // `${run}\t${level}\t` in bytes, without a string or an encoder call per group.
    const prefix = this.#prefix;
    let len = run === null ? 0 : digits(prefix, 0, run); // an empty field is null
    prefix[len++] = TAB;
    len = level === null ? len : digits(prefix, len, level);
    prefix[len++] = TAB;
    this.#prefixLen = len;
    if (this.index) this.index = { waits: [], inits: [], ids: [] };
  }

  /**
   * Keeps the records read since {@linkcode begin}; returns their wait and init times and ids
   * if the builder keeps an index, else null.
   */
  commit(): GroupIndex | null {
    this.#mark = this.#len;
    this.#markRows = this.length;
    return this.index;
  }

  /** Drops the records read since {@linkcode begin}. */
  rollback(): void {
    this.#len = this.#mark;
    this.length = this.#markRows;
  }

  #flushBytes(): void {
    if (this.#len > 0) {
      this.#pieces.push(this.#out.subarray(0, this.#len));
      this.#out = new Uint8Array(0);
      this.#len = this.#mark = 0;
      this.#markRows = this.length;
    }
  }

  #flushObjects(): void {
    if (this.#objects) {
      this.#pieces.push(this.#objects);
      this.#objects = null;
    }
  }

  #copy(buf: Uint8Array, start: number, end: number): void {
    const out = this.#out;
    let len = this.#len;
    if (end - start < 48) {
      for (let k = start; k < end; k++) out[len++] = buf[k];
    } else {
      out.set(buf.subarray(start, end), len);
      len += end - start;
    }
    this.#len = len;
  }

  #bytes(bytes: Uint8Array): void {
    const out = this.#out;
    let len = this.#len;
    for (let k = 0; k < bytes.length; k++) out[len++] = bytes[k];
    this.#len = len;
  }

  /** A string field's value (between the quotes), or nothing for a non-string; then a tab. */
  #text(buf: Uint8Array, f: Field): void {
    if (f.start >= 0 && f.kind === STRING) this.#copy(buf, f.start + 1, f.end - 1);
    this.#out[this.#len++] = TAB;
  }

  /**
   * A time field (start, end, duration, waitTime, initTime) and a tab; false where
   * activationRow would throw (not a number, negative or above MAX_MEASURE; absent if
   * `required`), or might: a number of more than 15 digits before its point. The reader's
   * numbers are JSON.stringify's, which writes one of 1e21 or more with an exponent `e+NN` or
   * `e+NNN`.
   */
  #time(buf: Uint8Array, f: Field, required: boolean): boolean {
    if (f.start < 0 || f.kind === NULL) {
      if (required) return false;
    } else {
      if (f.kind !== NUMBER || buf[f.start] === MINUS) return false;
      if (buf[f.end - 3] === PLUS || buf[f.end - 4] === PLUS) return false;
      if (f.end - f.start > 15) {
        let i = f.start;
        while (i < f.start + 16 && buf[i] !== DOT) i++;
        if (i === f.start + 16) return false;
      }
      this.#copy(buf, f.start, f.end);
    }
    this.#out[this.#len++] = TAB;
    return true;
  }

  /**
   * Reads the activation record whose `{` is at `p` of `buf` and appends its row; returns the
   * index after the record, or -1 (nothing appended) if the fast path cannot take it.
   */
  record(buf: Uint8Array, p: number): number {
    if (this.#contextBytes.length === 0) return -1;
    const end = this.#reader.read(buf, p);
    return end < 0 ? -1 : this.append(buf, p, end);
  }

  /**
   * Appends the row of the record that this builder's reader has just read from `buf`
   * (`[p, end)`, as {@linkcode record} does after reading it); returns `end`, or -1 (nothing
   * appended) if the fast path cannot take it.
   */
  append(buf: Uint8Array, p: number, end: number): number {
    if (this.#contextBytes.length === 0) return -1;
    const r = this.#reader;
    if (!this.#acceptable()) return -1;
    if (this.#len + 2 * (end - p) + 288 > this.#out.length) {
      const grown = new Uint8Array(Math.max(this.#out.length * 2, this.#len + 2 * (end - p) + 288));
      grown.set(this.#out.subarray(0, this.#len));
      this.#out = grown;
    }
    const mark = this.#len;
    this.#bytes(this.#contextBytes);
    const prefix = this.#prefix, out = this.#out;
    let len = this.#len;
    for (let k = 0; k < this.#prefixLen; k++) out[len++] = prefix[k];
    this.#len = len;
    this.#text(buf, r.id);
    this.#text(buf, r.name);
    this.#text(buf, r.kind);
    if (
      !this.#time(buf, r.start, false) || !this.#time(buf, r.end, false) ||
      !this.#time(buf, r.duration, false) || !this.#time(buf, r.wait, true) ||
      !this.#time(buf, r.init, false)
    ) {
      this.#len = mark;
      return -1;
    }
    this.#text(buf, r.status);
    const success = r.success.start < 0
      ? null
      : r.success.kind === TRUE
      ? true
      : r.success.kind === FALSE
      ? false
      : null;
    if (success !== null) this.#bytes(success ? TRUE_TEXT : FALSE_TEXT);
    this.#out[this.#len++] = TAB;
    if (success === false && !this.#errorText(buf)) {
      this.#len = mark;
      return -1;
    }
    this.#out[this.#len++] = TAB;
    this.#bytes(SOURCE_AND_HTTP); // source "record", http_status unknown in a raw log
    this.#copy(buf, p, end);
    if (this.#limitsMemory) {
      this.#out[this.#len++] = TAB;
      this.#len = writeLimitsMemory(buf, p, end, r.limits!, this.#out, this.#len);
    }
    this.#out[this.#len++] = NEWLINE;
    this.length++;
    if (this.index) {
      const number = (f: Field) => Number(decoder.decode(buf.subarray(f.start, f.end)));
      this.index.waits.push(number(r.wait));
      this.index.inits.push(r.init.start >= 0 && r.init.kind === NUMBER ? number(r.init) : null);
      this.index.ids.push(decoder.decode(buf.subarray(r.id.start + 1, r.id.end - 1)));
    }
    return end;
  }

  /** Whether the strings the row takes need no decoding and are not empty (TSV's null). */
  #acceptable(): boolean {
    const r = this.#reader;
    // activationRow throws for a missing or empty id: the full parser reports it.
    if (r.id.start < 0 || r.id.kind !== STRING || !r.id.plain || r.id.end - r.id.start <= 2) {
      return false;
    }
    if (!r.annotations) return false;
    return plainOrOther(r.name) && plainOrOther(r.kind) && plainOrOther(r.status);
  }

  /** The error column of a failed invocation, as activationRow words it; false to decline. */
  #errorText(buf: Uint8Array): boolean {
    // e = result.error if result is an object holding an error, else result; then
    // typeof e === "string" ? e : JSON.stringify(e ?? status).
    const r = this.#reader;
    const e = r.error.start >= 0 ? r.error : r.result;
    if (e.start >= 0 && e.kind === STRING) {
      if (!e.plain || e.end - e.start <= 2) return false;
      this.#copy(buf, e.start + 1, e.end - 1);
    } else if (e.start >= 0 && e.kind !== NULL) {
      this.#copy(buf, e.start, e.end);
    } else if (r.status.start >= 0 && r.status.kind === STRING) {
      this.#copy(buf, r.status.start, r.status.end); // JSON.stringify(status): quoted
    } else {
      this.#bytes(NULL_TEXT);
    }
    return true;
  }

  /**
   * Writes the rows as Parquet part `part` of `dir`'s activations and clears the builder:
   * through `writer` (off this thread) where they are all TSV, else here; `complete` turns
   * the activation columns into the part's (the importers' extra columns), in the same run.
   */
  async writePart(
    dir: string,
    part: string,
    writer?: TsvPartWriter,
    complete?: (rows: pl.LazyDataFrame) => pl.LazyDataFrame,
  ): Promise<void> {
    const pieces = writer ? this.tsvPieces() : null;
    if (writer && pieces) {
      // `complete` may change any column: its rows' folder is then read from the part.
      if (complete) await writer.write(dir, part, pieces, { columns: this.tsvSchema, complete });
      else await writer.write(dir, part, pieces, undefined, this.#folder);
    } else {
      const frame = this.toFrame();
      await writePart(
        dir,
        "activations",
        part,
        complete ? complete(frame.lazy()).collectSync() : frame,
      );
    }
  }

  /** The columns of the TSV rows and their types. */
  get tsvSchema(): Record<string, pl.DataType> {
    return this.#limitsMemory ? MEMORY_TSV_SCHEMA : TSV_SCHEMA;
  }

  /** Whether every row is TSV (none built from an object). */
  get allTsv(): boolean {
    return this.#objects === null && this.#pieces.every((p) => p instanceof Uint8Array);
  }

  /**
   * The rows as TSV pieces (in order) for {@linkcode TsvPartWriter}, clearing the builder, if
   * every row is TSV; else null, the builder unchanged.
   */
  tsvPieces(): Uint8Array[] | null {
    this.#flushBytes();
    this.#flushObjects();
    const pieces = this.#pieces;
    if (!pieces.every((p) => p instanceof Uint8Array)) return null;
    this.#pieces = [];
    this.length = 0;
    this.#mark = this.#markRows = 0;
    return pieces as Uint8Array[];
  }

  /** The rows as a frame with the schema's types, and clears the builder. */
  toFrame(): pl.DataFrame {
    this.#flushBytes();
    this.#flushObjects();
    const frames = this.#pieces.map((piece) =>
      piece instanceof Uint8Array
        ? this.#limitsMemory
          ? tsvFrame(piece, MEMORY_TSV_SCHEMA).drop(LIMITS_MEMORY_COLUMN)
          : tsvFrame(piece)
        : piece.toFrame()
    );
    this.#pieces = [];
    this.length = 0;
    this.#mark = this.#markRows = 0;
    if (frames.length === 0) return new FrameBuilder(ACTIVATION_COLUMNS).toFrame();
    return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "vertical" });
  }
}

/**
 * Writes the decimal digits of `n` (a safe integer, as `String(n)` gives them) into `out` at
 * `at`; returns the index after them.
 */
function digits(out: Uint8Array, at: number, n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${n}`);
  if (n < 0) {
    out[at++] = MINUS;
    n = -n;
  }
  let end = at;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) end++;
  for (let k = end; k >= at; k--) {
    out[k] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end + 1;
}

/** A string value is usable if plain and not empty; any other kind becomes null. */
function plainOrOther(f: Field): boolean {
  return f.start < 0 || f.kind !== STRING || (f.plain && f.end - f.start > 2);
}

/** Bytes of one row buffer. */
const BUFFER_BYTES = 8 << 20;

/**
 * Row buffers written out and free again: taken before allocating a new one, so that the
 * pages of a buffer are faulted in (and zeroed by the kernel) once, not once a part.
 */
const FREE_BUFFERS: Uint8Array<ArrayBuffer>[] = [];
/** How many free buffers are kept: a part's worth and a little more. */
const MAX_FREE_BUFFERS = 8;

/** Gives back the buffers of `pieces` (no longer used by anyone) for new rows. */
function release(pieces: Uint8Array[]): void {
  for (const piece of pieces) {
    if (piece.byteOffset !== 0 || piece.buffer.byteLength !== BUFFER_BYTES) continue;
    if (FREE_BUFFERS.length < MAX_FREE_BUFFERS) {
      FREE_BUFFERS.push(new Uint8Array(piece.buffer as ArrayBuffer));
    }
  }
}

const TRUE_TEXT = encoder.encode("true"), FALSE_TEXT = encoder.encode("false");
const NULL_TEXT = encoder.encode("null"), SOURCE_AND_HTTP = encoder.encode("record\t\t");

const DTYPES = { str: pl.Utf8, i64: pl.Int64, f64: pl.Float64, bool: pl.Bool } as const;
const TSV_SCHEMA = Object.fromEntries(
  Object.entries(ACTIVATION_COLUMNS).map(([name, type]) => [name, DTYPES[type]]),
);

/** {@linkcode TSV_SCHEMA} and the `limits` annotation's memory, last. */
const MEMORY_TSV_SCHEMA = { ...TSV_SCHEMA, [LIMITS_MEMORY_COLUMN]: pl.Int64 };

/**
 * How polars reads the TSV rows of {@linkcode ActivationRows}: no header, the schema's types,
 * no quoting (no field holds a raw control character, so none starts with one), empty = null.
 */
const TSV_OPTIONS = { hasHeader: false, sep: "\t", schema: TSV_SCHEMA };

/** The frame of TSV rows written by {@linkcode ActivationRows} (of the columns `schema`). */
export function tsvFrame(
  bytes: Uint8Array,
  schema: Record<string, pl.DataType> = TSV_SCHEMA,
): pl.DataFrame {
  return pl.readCSV(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), {
    ...TSV_OPTIONS,
    schema,
    quoteChar: "",
    rechunk: true,
  });
}

/** TSV of other columns than the activation columns, and how they become those. */
export interface TsvShape {
  columns: Record<string, pl.DataType>;
  complete: (rows: pl.LazyDataFrame) => pl.LazyDataFrame;
}

/**
 * Writes Parquet parts from TSV rows with polars' streaming engine, off the JS thread: the
 * rows go to a temporary TSV file beside the part, and `scanCSV(...).sinkParquet(...)` runs
 * while the caller reads on; the part is then moved into its partition folders (partitions.ts),
 * or sunk straight into its folder where the caller names it. No frame is held by a JS object
 * (whose native memory would wait for the garbage collector), so memory stays bounded: at most
 * `inFlight` parts (default 1) are written at once, a next one waits for the oldest. `close()`
 * waits for all and reports the first failure.
 */
export class TsvPartWriter {
  #waits: Promise<void>[] = [];
  readonly #inFlight: number;

  constructor({ inFlight = 1 }: { inFlight?: number } = {}) {
    this.#inFlight = inFlight;
  }

  /**
   * Starts writing part `part` of `dir`'s activations (once fewer than `inFlight` are). The
   * rows are {@linkcode ActivationRows}' TSV, or, with `columns`, TSV of those columns that
   * `complete` turns into the activation columns (lazily, in the same streaming run).
   * `folder`: the partition values (experiment and runtime) of every row, where the caller
   * knows them; the part is then written straight into its folder, where otherwise its key
   * columns are read back to find it (partitions.ts), about 35 ms of a 25 MB part.
   */
  async write(
    dir: string,
    part: string,
    pieces: Uint8Array[],
    shape?: TsvShape,
    folder?: Record<string, string | null>,
  ): Promise<void> {
    await this.#write(dir, part, [pieces], shape, folder ? [folder] : undefined);
  }

  /**
   * As {@linkcode write}, for a part whose rows come in groups, each of one partition folder:
   * each group is written as its own file, where rows of several folders written together
   * would be written, read back and written again per folder. With `folders` (each group's
   * experiment and runtime, where the caller knows them) each file is sunk straight into its
   * folder and all land together; else each is placed by its rows' key columns.
   */
  async writeGroups(
    dir: string,
    part: string,
    groups: Uint8Array[][],
    shape?: TsvShape,
    folders?: Record<string, string | null>[],
  ): Promise<void> {
    await this.#write(dir, part, groups, shape, folders);
  }

  async #write(
    dir: string,
    part: string,
    groups: Uint8Array[][],
    shape?: TsvShape,
    folders?: Record<string, string | null>[],
  ): Promise<void> {
    // Parts already being written: wait for the oldest until fewer than inFlight remain.
    while (this.#waits.length >= this.#inFlight) await this.#waits.shift();
    await Deno.mkdir(join(dir, "activations"), { recursive: true });
    const path = partPath(dir, "activations", part);
    const files = groups.map((_, i) => groups.length === 1 ? path : `${path}.${i + 1}`);
    // Written straight into its folder where the caller knows it, else placed by its rows.
    const landed = folders?.map((folder) => partPath(dir, "activations", part, folder)) ?? null;
    // The folders made and every file's sink started below, before the caller reads on: a
    // step after an await would wait until this thread is back at its event loop, which a
    // reader busy with a 4 MB chunk left up to 60 ms later, polars idle meanwhile. The
    // groups' files are sunk at once (polars runs them side by side).
    const tmps = files.map((file, i) => `${landed?.[i] ?? file}.tmp`);
    // Where a failure is said to be: the part and, while its rows are written, their TSV.
    let at = path;
    try {
      for (const [i, pieces] of groups.entries()) {
        const tsv = `${files[i]}.tsv`;
        at = `${landed?.[i] ?? path} (its rows as TSV, ${tsv})`;
        using file = await Deno.open(tsv, { write: true, create: true, truncate: true });
        for (const bytes of pieces) {
          for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
        }
        release(pieces);
      }
      for (const to of landed ?? []) {
        at = to;
        await Deno.mkdir(dirname(to), { recursive: true });
      }
    } catch (cause) {
      // A full disk, most likely: say which part, and leave no temporary file behind.
      for (const file of files) await Deno.remove(`${file}.tsv`).catch(() => {});
      throw new Error(`Cannot write the dataset part ${at}: ${(cause as Error).message}`, {
        cause,
      });
    }
    const sinks = files.map((file, i) => {
      const options = { ...TSV_OPTIONS, quoteChar: "\x01" };
      try {
        const tsv = pl.scanCSV(
          `${file}.tsv`,
          shape ? { ...options, schema: shape.columns } : options,
        );
        const rows = shape ? shape.complete(tsv) : tsv;
        return rows.sinkParquet(tmps[i], PART_SINK_OPTIONS).collect();
      } catch (cause) {
        return Promise.reject(cause);
      }
    });
    const done = (async () => {
      let where = path;
      try {
        const sunk = await Promise.allSettled(sinks);
        const failed = sunk.findIndex((r) => r.status === "rejected");
        if (failed >= 0) {
          where = landed?.[failed] ?? path;
          throw (sunk[failed] as PromiseRejectedResult).reason;
        }
        // Every file of the part written before the first lands; their folders synced once.
        if (landed) {
          await landParts(dir, "activations", landed.map((to, i) => ({ from: tmps[i], to })));
        } else for (const tmp of tmps) await placePart(dir, "activations", part, tmp);
      } catch (cause) {
        for (const tmp of tmps) await Deno.remove(tmp).catch(() => {});
        throw new Error(`Cannot write the dataset part ${where}: ${cause}`, { cause });
      } finally {
        for (const file of files) await Deno.remove(`${file}.tsv`).catch(() => {});
      }
    })();
    done.catch(() => {}); // reported by close()
    this.#waits.push(done);
  }

  /** Waits for every part started; throws the first failure. */
  async close(): Promise<void> {
    const waits = this.#waits;
    this.#waits = [];
    const results = await Promise.allSettled(waits);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
