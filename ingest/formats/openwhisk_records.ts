/**
 * OpenWhisk activation records as users export them: a JSON array (what the REST API's
 * `GET /namespaces/{ns}/activations?docs=true` and `wsk activation list --full` give), JSON
 * lines (one record a line), or `wsk activation get`'s output. Each record becomes the row
 * activationRow gives, the same function the thesis ingest and the collectors use: read
 * straight from its bytes where the thesis ingest's fast path takes it (compact JSON,
 * dataset/activation_bytes.ts), else parsed.
 *
 * A production record says nothing of an experiment: the row's `experiment` is `cold_start`
 * for a record with an initTime (a cold start) and `concurrency` for one without (a warm start),
 * so that cold records fill the cold-start table and warm ones the warm table; `level` (the
 * client's concurrency) and `run` are unknown, null; `workload` is the action's name, `runtime`
 * the record's `kind` annotation unless the caller names them. These, and the import's extra
 * columns, are set by {@linkcode recordImportColumns}, once for every source of records.
 */
import pl from "nodejs-polars";
import { TsvPartWriter } from "../../dataset/activation_bytes.ts";
import { type CompleteRows, GroupedActivationRows } from "../../dataset/activation_groups.ts";
import { LIMITS_MEMORY_COLUMN, limitsMemory } from "../../dataset/limits_memory.ts";
import { activationRow, IMPORTED_COLUMNS } from "../../dataset/mod.ts";
import { WSK_HEADER } from "./detect.ts";
import { type JsonLayout, jsonValues } from "./json_values.ts";

/** Options of the record importers. */
export interface RecordImportOptions {
  /** The rows' runtime. Default: the record's `kind` annotation (`nodejs:20`), else `unknown`. */
  runtime?: string;
  /** The rows' workload. Default: the action's name, else `unknown`. */
  workload?: string;
}

/** Format names of the two layouts, as `--format` takes them. */
export const RECORD_FORMATS = { array: "openwhisk-json", lines: "openwhisk-jsonl" } as const;

/** What the `latency` column says of a row read from an activation record. */
export const RECORD_LATENCY = "waitTime+initTime";

/**
 * The partition folder that {@linkcode recordImportColumns} gives a record's row, from whether
 * it has an initTime and from its kind (null where it has none; an empty one names no folder):
 * the importer sinks each part's rows of one folder straight into it.
 */
export function recordFolder(
  cold: boolean,
  kind: string | null,
  { runtime }: RecordImportOptions = {},
): { experiment: string; runtime: string } {
  return {
    experiment: cold ? "cold_start" : "concurrency",
    runtime: runtime ?? (kind === null || kind === "" ? "unknown" : kind),
  };
}

/** The context of a record row before {@linkcode recordImportColumns} sets it. */
export const RECORD_CONTEXT = {
  experiment: "record",
  workload: "record",
  runtime: "record",
  run: null,
  level: null,
} as const;

const decoder = new TextDecoder();

/**
 * Whether a record is an action's activation: a trigger's (and a rule's) carries neither a
 * waitTime nor a kind annotation (Triggers.scala makes it with none); an action's, sequences
 * included, carries both. Such records are counted and left out, not an error; a record with a
 * kind but no waitTime still is one.
 */
export function isActionRecord(record: unknown): boolean {
  if (typeof record !== "object" || record === null) return true; // activationRow says what is wrong
  const list = (record as { annotations?: unknown }).annotations;
  if (!Array.isArray(list)) return true;
  return list.some((a) => a?.key === "waitTime" || a?.key === "kind");
}

/**
 * `activations` rows made from activation records (contract columns) as imported rows: the
 * experiment told by the initTime, workload and runtime as {@link RecordImportOptions} says,
 * `format`, `latency`, `cold`, and `memory_mb` from the record's `limits` annotation; the
 * columns a record does not fill are null. The one definition of an imported record's row.
 */
export function recordImportColumns(
  rows: pl.DataFrame,
  format: string,
  options?: RecordImportOptions,
): pl.DataFrame;
export function recordImportColumns(
  rows: pl.LazyDataFrame,
  format: string,
  options?: RecordImportOptions,
): pl.LazyDataFrame;
export function recordImportColumns(
  rows: pl.DataFrame | pl.LazyDataFrame,
  format: string,
  options: RecordImportOptions = {},
): pl.DataFrame | pl.LazyDataFrame {
  const exprs = recordImportExprs(rows.columns, format, options);
  return rows instanceof pl.DataFrame ? rows.select(...exprs) : rows.select(...exprs);
}

/**
 * {@linkcode recordImportColumns} for every part of one import: the expressions are made once
 * for each set of columns the parts come in (building them took polars' bindings about 7 ms a
 * part), not once a part.
 */
function recordImportCompleter(format: string, options: RecordImportOptions = {}): CompleteRows {
  const made = new Map<string, pl.Expr[]>();
  return (rows, columns) => {
    const key = columns.join("\t");
    let exprs = made.get(key);
    if (exprs === undefined) {
      exprs = recordImportExprs(columns, format, options);
      made.set(key, exprs);
    }
    return rows.select(...exprs);
  };
}

/** The expressions of {@linkcode recordImportColumns} over rows of `columns`. */
function recordImportExprs(
  columns: readonly string[],
  format: string,
  { runtime, workload }: RecordImportOptions,
): pl.Expr[] {
  const cold = pl.col("init_ms").isNotNull();
  // The `limits` annotation's memory: read already where the rows come from the fast path.
  const memory = columns.includes(LIMITS_MEMORY_COLUMN)
    ? pl.col(LIMITS_MEMORY_COLUMN)
    : limitsMemory(pl.col("record"));
  const set: Record<string, pl.Expr> = {
    experiment: pl.when(cold).then(pl.lit("cold_start")).otherwise(pl.lit("concurrency")),
    workload: workload === undefined
      ? pl.col("action").fillNull(pl.lit("unknown"))
      : pl.lit(workload),
    // An empty kind names no folder: "unknown", as a missing one (recordFolder).
    runtime: runtime === undefined
      ? pl.when(pl.col("kind").eq(pl.lit(""))).then(pl.lit("unknown"))
        .otherwise(pl.col("kind").fillNull(pl.lit("unknown")))
      : pl.lit(runtime),
    format: pl.lit(format),
    // An error row (a failed record that reached no container) carries no latency.
    latency: columns.includes("source")
      ? pl.when(pl.col("source").eq(pl.lit("error"))).then(pl.lit(null))
        .otherwise(pl.lit(RECORD_LATENCY))
      : pl.lit(RECORD_LATENCY),
    cold,
    memory_mb: pl.when(memory.gt(0)).then(memory).otherwise(pl.lit(null)),
  };
  const dtypes: Record<string, pl.DataType> = {
    str: pl.Utf8,
    i64: pl.Int64,
    f64: pl.Float64,
    bool: pl.Bool,
  };
  return Object.entries(IMPORTED_COLUMNS).map(([name, type]) =>
    (set[name] ?? (columns.includes(name) ? pl.col(name) : pl.lit(null)))
      .cast(dtypes[type])
      .alias(name)
  );
}

/**
 * The chunks with a UTF-8 byte order mark and the CLI's first line (`ok: got activation ID`,
 * `activations`: {@linkcode WSK_HEADER}) blanked, where the file starts with them: spaces, so
 * that bytes and lines keep their numbers in error messages.
 */
async function* blankPreamble(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
      const m = WSK_HEADER.exec(decoder.decode(chunk.subarray(bom, bom + 200)));
      if (bom > 0 || m) {
        const blanked = chunk.slice();
        // ASCII: bytes = characters; the line break stays.
        blanked.fill(0x20, 0, bom + (m ? m[0].length - 1 : 0));
        yield blanked;
        continue;
      }
    }
    yield chunk;
  }
}

/**
 * Rows a part of an imported record file, at most: polars writes a part (on its one thread)
 * while the JS thread reads the next, and the last part is written with nothing left to read.
 * Parts of 100,000 rows left 85,000 of a 100 MB file's 185,000 to write after the reading
 * ended; parts this size leave at most this many, and polars starts writing sooner. A part
 * costs polars about 10 ms beyond its rows (a file a partition folder), and the TSV buffers
 * held for one are smaller.
 */
export const RECORD_PART_ROWS = 25_000;

/** Where {@linkcode importRecordFile} writes. */
export interface RecordSink {
  /** The dataset folder. */
  dir: string;
  /** Parts are named `<stem>.0001` ... */
  stem: string;
  /** Rows a part. */
  partRows: number;
}

/**
 * What CouchDB listing `value` is, and the jq filter that gives its documents, or null: the
 * forms an operator gets from the activation store itself, `_all_docs` or a view
 * (`{"total_rows": .., "rows": [{"id", "doc"}]}`) and a Mango query's `_find` result
 * (`{"docs": [..], "bookmark": ..}`), one value holding every record, which the line and array
 * readers cannot stream.
 */
function couchListing(value: unknown): { what: string; docs: string } | null {
  if (typeof value !== "object" || value === null || "activationId" in value) return null;
  const some = (list: unknown[], key: string) =>
    list.some((r) => typeof r === "object" && r !== null && key in r);
  if (
    "rows" in value && Array.isArray(value.rows) &&
    ("total_rows" in value || some(value.rows, "doc"))
  ) {
    return { what: "a CouchDB listing (_all_docs or a view)", docs: ".rows[].doc" };
  }
  if (
    "docs" in value && Array.isArray(value.docs) &&
    ("bookmark" in value || some(value.docs, "_id"))
  ) {
    return { what: "a CouchDB _find result", docs: ".docs[]" };
  }
  return null;
}

/**
 * Reads the activation records of one file laid out as `layout` into Parquet parts of
 * `sink.dir`; returns how many rows it wrote and how many records it left out as not an
 * action's ({@linkcode isActionRecord}). A value that is not JSON or not a valid record is an
 * error naming `file`, the byte and the line of its `{`.
 */
export async function importRecordFile(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  layout: JsonLayout,
  options: RecordImportOptions,
  { dir, stem, partRows }: RecordSink,
): Promise<{ rows: number; notActions: number }> {
  // Rows kept apart by the folder recordImportColumns puts them in (experiment by the
  // initTime, runtime by the kind unless given), so that each is sunk into it.
  const rows = new GroupedActivationRows(
    RECORD_CONTEXT,
    (cold, kind) => recordFolder(cold, kind, options),
    { limitsMemory: true },
  );
  let total = 0, part = 0, notActions = 0;
  // Parts are written off this thread (polars' streaming run from TSV), the imported columns
  // added in the same run, while the next part's records are read. Two at a time: with one,
  // the reader waited 10-80 ms for the writer at each of these small parts (a 100 MB import:
  // 2.83 -> 2.57 s, the median of 5 interleaved pairs, each pair faster; 5-10 MB more).
  const writer = new TsvPartWriter({ inFlight: 2 });
  const complete = recordImportCompleter(RECORD_FORMATS[layout], options);
  const flush = async () => {
    if (rows.length === 0) return;
    total += rows.length;
    await rows.writePart(dir, `${stem}.${String(++part).padStart(4, "0")}`, writer, complete);
  };
  // Records the fast path reads straight from the chunk (most, in compact JSON) are taken
  // while splitting; the others come back as bytes: the fast path again (a record that spans
  // two chunks), else JSON.parse and activationRow.
  const take = (buf: Uint8Array, p: number) => rows.record(buf, p);
  const yieldTaken = () => rows.length >= partRows; // then a part is written
  const values = jsonValues(blankPreamble(chunks), file, layout, { take, yieldTaken });
  for await (const value of values) {
    if (value.taken) {
      if (rows.length >= partRows) await flush();
      continue;
    }
    if (rows.record(value.bytes, 0) < 0) {
      const where = `${file} byte ${value.offset} (line ${value.line})`;
      let record: unknown;
      try {
        record = JSON.parse(decoder.decode(value.bytes));
      } catch (cause) {
        throw new SyntaxError(
          `${where}: not a JSON activation record: ${(cause as Error).message}`,
          { cause },
        );
      }
      const listing = couchListing(record);
      if (listing !== null) {
        throw new TypeError(
          `${where}: ${listing.what}, not activation records: give its documents one a line, ` +
            `e.g. jq -c '${listing.docs} | select(.activationId)' FILE > activations.jsonl`,
        );
      }
      if (!isActionRecord(record)) {
        notActions++;
        continue;
      }
      try {
        rows.push(activationRow(record, RECORD_CONTEXT, where));
      } catch (cause) {
        const message = (cause as Error).message;
        if (message.startsWith(where)) throw cause;
        throw new Error(`${where}: ${message}`, { cause });
      }
    }
    if (rows.length >= partRows) await flush();
  }
  await flush();
  await writer.close();
  return { rows: total, notActions };
}
