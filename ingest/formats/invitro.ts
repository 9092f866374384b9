/**
 * In-Vitro (vhive-serverless/invitro) per-invocation CSVs, `<prefix>_duration_<minutes>.csv`,
 * written by gocsv from its execution record types (pkg/metric/record.go). Every record since
 * October 2022 starts with `phase, instance, invocationID, startTime, requestedDuration,
 * responseTime, actualDuration, connectionTimeout, functionTimeout` (times in microseconds,
 * startTime epoch microseconds), with `grpcConnEstablish` after `requestedDuration` since May
 * 2023 (`connect_ms`, null in older files); records before 2023 add memory and cluster columns. Its OpenWhisk record adds `activationID, startType (hot|cold),
 * httpStatusCode, waitTime, initTime` (microseconds, from the activation record's
 * annotations); other back ends add memory and asynchronous-call fields instead. The names
 * differ in older versions (`exec_*.csv` of 2022, `latency_phase-*.csv` before it):
 * invitro_columns.ts says where each version holds each quantity, and the rows are made from
 * that, so every version gives the same columns.
 *
 * With waitTime and initTime a row carries the activation record's latency (`source` record,
 * `latency` waitTime+initTime; init_ms only for a cold start, as OpenWhisk sets initTime only
 * then) and fills the same tables as OpenWhisk's own records; experiment `cold_start` for a
 * cold start, `concurrency` for a hot one; `level` unknown (In-Vitro replays a trace, it does
 * not hold a fixed concurrency). Without them a row carries only In-Vitro's client-side
 * `responseTime` (`source` client, `latency` client_time, in `client_ms`). An invocation that
 * timed out has no record: an `error` row; so has an OpenWhisk one without startType (its
 * client read no record, {@linkcode NO_RECORD_ERROR}). An invocation of a warm-up phase (invitro_columns.ts)
 * is experiment `warmup`, which no latency table reads. The CSV row itself is kept as JSON in
 * `record`.
 *
 * The rows are made by polars' CSV reader and expressions ({@linkcode invitroFrame}): these
 * files run to millions of rows. Where a value is not what the format allows, the file is read
 * again line by line ({@linkcode checkInvitroFile}) to name the line and the field.
 */
import pl from "nodejs-polars";
import { IMPORTED_COLUMNS, VALUE_RANGES } from "../../dataset/mod.ts";
import { quoted } from "../../dataset/quoted.ts";
import { csvBoolean, csvNumber, type CsvRow, csvRows } from "./csv_rows.ts";
import {
  checkedCsvFrame,
  type CsvFields,
  type CsvFrame,
  type CsvReader,
  dividedBy,
} from "./csv_query.ts";
import { type InvitroColumns, invitroColumns } from "./invitro_columns.ts";

/** The columns In-Vitro's OpenWhisk execution record adds. */
export const INVITRO_OPENWHISK_HEADER = [
  "activationID",
  "startType",
  "httpStatusCode",
  "waitTime",
  "initTime",
] as const;

/** Options of {@linkcode invitroFrame}. */
export interface InvitroOptions {
  /** The rows' runtime. Default `unknown` (In-Vitro's CSV does not say). */
  runtime?: string;
  /** The rows' workload. Default the function's name (`instance`). */
  workload?: string;
  /** waitTime is in milliseconds ({@linkcode WAIT_NOT_MICROS}). Default false: microseconds. */
  waitMs?: boolean;
}

/**
 * The name of the condition {@linkcode invitroFrame} reports (`any`) on a row that did not fail
 * whose waitTime is not a multiple of 1000, which tells a file whose waitTimes are milliseconds
 * (a failed row's waitTime is not imported, and says nothing). In-Vitro's
 * OpenWhisk records took waitTime and initTime from the activation record (milliseconds) and
 * wrote them as microseconds (times 1000), but from 25 April to 7 June 2023 its driver wrote
 * waitTime unconverted (its git history, pkg/driver/http_client.go). A microsecond waitTime
 * made so is always a multiple of 1000; a file with any that is not holds milliseconds.
 */
export const WAIT_NOT_MICROS = "wait_not_micros";

/** Whether a header is of In-Vitro's OpenWhisk record (waitTime, initTime...). */
function isOpenWhisk(header: readonly string[]): boolean {
  return INVITRO_OPENWHISK_HEADER.every((h) => header.includes(h));
}

/** The columns the rows are made of, and how they are read. */
function uses(cols: InvitroColumns) {
  return {
    texts: ["startType", "activationID", "httpStatusCode", "phase"],
    numbers: [
      cols.startTime,
      cols.connect,
      cols.responseTime,
      cols.actualDuration,
      cols.memoryUsed?.column,
      "waitTime",
      "initTime",
    ].filter((c): c is string => c !== null && c !== undefined),
    flags: cols.failures.map((f) => f.column),
  };
}
const NULL = pl.lit(null);

/**
 * The error of an In-Vitro OpenWhisk row whose startType is empty and no failure flag set: its
 * client had an answer but no activation record (`wsk activation get` failed, or its output did
 * not parse: pkg/driver/http_client.go of spring 2023), counted the invocation failed and left
 * startType, waitTime and initTime unset, so its 0 is no waitTime. A call that failed (a flag
 * set) leaves startType empty too.
 */
export const NO_RECORD_ERROR = "no activation record (In-Vitro could not read it)";

/**
 * Whether a row's invocation failed (it then has no activation record): `flagged` by one of
 * its version's failure flags, or, in an OpenWhisk record, `unread` ({@linkcode NO_RECORD_ERROR}).
 */
function failedOf(
  header: readonly string[],
  cols: InvitroColumns,
  { flag, text }: Pick<CsvFields, "flag" | "text">,
): { flagged: pl.Expr; unread: pl.Expr; failed: pl.Expr } {
  const flagged = cols.failures.map((f) => flag(f.column).eq(pl.lit("true")))
    .reduce((a, b) => a.or(b), pl.lit(false));
  const unread = isOpenWhisk(header)
    ? text("startType").isNull().or(text("startType").eq(pl.lit("")))
    : pl.lit(false);
  return { flagged, unread, failed: flagged.or(unread) };
}

/**
 * The rows of one In-Vitro CSV whose header is `header` (IMPORTED_COLUMNS), and a column
 * `_valid` that is false on a row whose values the format does not allow.
 */
function rowsExpr(
  header: readonly string[],
  cols: InvitroColumns,
  { text, number: micros, flag, record: rowRecord, blank }: CsvFields,
  { runtime = "unknown", workload, waitMs = false }: InvitroOptions,
) {
  /** A microsecond field that is a finite number >= 0. */
  const validMicros = (c: string) => micros(c).isNotNull().and(micros(c).gtEq(0));
  const validFlag = (c: string) => flag(c).eq(pl.lit("true")).or(flag(c).eq(pl.lit("false")));
  const ow = isOpenWhisk(header);
  const failedBy = cols.failures.map((f) => flag(f.column).eq(pl.lit("true")));
  const { flagged, unread, failed } = failedOf(header, cols, { flag, text });
  const cold = ow ? text("startType").eq(pl.lit("cold")) : NULL;
  const record = ow ? failed.not() : pl.lit(false);
  const source = pl.when(failed).then(pl.lit("error"))
    .otherwise(pl.lit(ow ? "record" : "client"));
  const ms = (c: string) => dividedBy(micros(c), 1000);
  // The function's name; its gRPC client takes it from the function's reply, so a call that
  // failed has none (an empty field): its row's workload is then unknown.
  const instance = cols.instance === null ? NULL : pl.col(cols.instance);
  const named = instance.isNotNull().and(instance.neq(pl.lit("")));
  // OpenWhisk's activation id where the row has one. In-Vitro's invocationID is none: its
  // trace driver numbers each function's invocations alone ("min0.inv0" in every function, and
  // every run), while a dataset's activation ids are unique; it stays in `record`.
  const id = ow ? text("activationID") : NULL;
  const status = ow ? text("httpStatusCode").cast(pl.Int64, false) : NULL;
  const connect = cols.connect;
  const memory = cols.memoryUsed;
  let valid = validMicros(cols.startTime).and(connect ? validMicros(connect) : pl.lit(true))
    .and(cols.failures.map((f) => validFlag(f.column)).reduce((a, b) => a.and(b), pl.lit(true)))
    .and(memory ? validMicros(memory.column) : pl.lit(true))
    .and(failed.or(validMicros(cols.actualDuration).and(validMicros(cols.responseTime))));
  if (ow) {
    const type = text("startType");
    valid = valid.and(unread.or(type.eq(pl.lit("hot"))).or(type.eq(pl.lit("cold"))))
      .and(status.ltEq(0).or(status.gtEq(HTTP.min).and(status.ltEq(HTTP.max))))
      .and(record.not().or(validMicros("waitTime")))
      .and(record.not().or(type.eq(pl.lit("hot"))).or(validMicros("initTime")));
  }
  const set: Record<string, pl.Expr> = {
    // A warm-up invocation is kept, as its own experiment, in no latency table.
    experiment: pl.when(
      cols.warmupPhase === null ? pl.lit(false) : text("phase").eq(pl.lit(cols.warmupPhase)),
    ).then(pl.lit("warmup"))
      .when(ow ? cold : pl.lit(false)).then(pl.lit("cold_start"))
      .otherwise(pl.lit("concurrency")),
    workload: workload !== undefined
      ? pl.lit(workload)
      : pl.when(named).then(instance).otherwise(pl.lit("unknown")),
    runtime: pl.lit(runtime),
    activation_id: pl.when(id.isNull().or(id.eq(pl.lit("")))).then(NULL).otherwise(id),
    action: pl.when(named).then(instance).otherwise(NULL),
    start_ms: ms(cols.startTime),
    duration_ms: pl.when(failed).then(NULL).otherwise(ms(cols.actualDuration)),
    wait_ms: ow
      ? pl.when(record).then(waitMs ? micros("waitTime") : ms("waitTime")).otherwise(NULL)
      : NULL,
    init_ms: ow ? pl.when(record.and(cold)).then(ms("initTime")).otherwise(NULL) : NULL,
    success: failed.not(),
    error: cols.failures.length === 0 ? NULL : pl.when(flagged).then(
      pl.concatString(
        cols.failures.map((f, i) => pl.when(failedBy[i]).then(pl.lit(f.error)).otherwise(NULL)),
        ", ",
        true,
      ),
    ).when(unread).then(pl.lit(NO_RECORD_ERROR)).otherwise(NULL),
    source,
    http_status: ow ? pl.when(status.gt(0)).then(status).otherwise(NULL) : NULL,
    record: rowRecord({ missingAsEmpty: false }),
    format: pl.lit("invitro-csv"),
    latency: pl.when(failed).then(NULL)
      .otherwise(pl.lit(ow ? "waitTime+initTime" : "client_time")),
    cold,
    client_ms: pl.when(failed).then(NULL).otherwise(ms(cols.responseTime)),
    connect_ms: connect ? ms(connect) : NULL,
    // In-Vitro writes 0 where it did not measure memory (its HTTP clients).
    mem_used_mb: memory
      ? pl.when(failed.or(micros(memory.column).eq(0))).then(NULL)
        .otherwise(micros(memory.column).div(memory.perMib))
      : NULL,
  };
  const dtypes = { str: pl.Utf8, i64: pl.Int64, f64: pl.Float64, bool: pl.Bool } as const;
  return [
    ...Object.entries(IMPORTED_COLUMNS).map(([name, type]) =>
      (set[name] ?? NULL).cast(dtypes[type]).alias(name)
    ),
    valid.fillNull(false).alias("_valid"),
    blank().alias("_blank"),
  ];
}

/** The header of a CSV file (its first line), and where its version holds each quantity. */
async function readHeader(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): Promise<{ header: string[]; cols: InvitroColumns }> {
  const { header, rows } = await csvRows(chunks, file, []);
  await rows.return(undefined);
  return { header, cols: invitroColumns(header, file) };
}

/**
 * The reader of one In-Vitro CSV (`chunks`: the whole file, named `file`): a function from the
 * file's bytes, or a slice of them with the header, to the rows as a frame, how many there are,
 * and whether any row's waitTime says milliseconds ({@linkcode WAIT_NOT_MICROS}). The header is
 * read once. A file polars cannot read or a value the format does not allow is an error naming
 * the line and field ({@linkcode checkInvitroFile} reads the whole file).
 */
export async function invitroReader(
  file: string,
  chunks: () => AsyncIterable<Uint8Array>,
  options: InvitroOptions = {},
): Promise<CsvReader> {
  const { header, cols } = await readHeader(chunks(), file);
  const query = {
    header,
    uses: uses(cols),
    exprs: (fields: CsvFields) => rowsExpr(header, cols, fields, options),
    // Only a row whose waitTime is imported says its unit (a failed one's is not read).
    anyOf: (fields: CsvFields): Record<string, pl.Expr> =>
      isOpenWhisk(header)
        ? {
          [WAIT_NOT_MICROS]: failedOf(header, cols, fields).failed.not()
            .and(fields.text("waitTime").cast(pl.Float64, false).modulo(1000).neq(0)),
        }
        : {},
  };
  const checkLines = () => checkInvitroFile(chunks(), file);
  return {
    read: (source) => checkedCsvFrame(source, file, query, checkLines, "In-Vitro's format"),
    version: cols.version,
  };
}

/** The rows of the In-Vitro CSV at `source` ({@linkcode invitroReader}). */
export async function invitroFrame(
  source: string | Uint8Array,
  file: string,
  chunks: () => AsyncIterable<Uint8Array>,
  options: InvitroOptions = {},
): Promise<CsvFrame> {
  return await (await invitroReader(file, chunks, options)).read(source);
}

/** The HTTP statuses a dataset holds (a status of 0 or less: none, null). */
const HTTP = VALUE_RANGES.activations.http_status;

/**
 * httpStatusCode: a whole number as polars' cast reads one, an HTTP status or 0 or less where
 * there was none; else an error (a dataset's reader would refuse the part).
 */
function statusCode(row: CsvRow, where: string): void {
  const text = row.fields.httpStatusCode.trim();
  const n = /^[+-]?[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(n <= 0 || (n >= HTTP.min && n <= HTTP.max))) {
    throw new TypeError(
      `${where}: httpStatusCode is ${quoted(text)}, expected an HTTP status (${HTTP.min}-` +
        `${HTTP.max}), or 0 where there was none`,
    );
  }
}

function nonNegative(row: CsvRow, field: string, where: string): void {
  const n = csvNumber(row, field, where)!;
  if (n < 0) throw new RangeError(`${where}: ${field} is ${n}, expected a number >= 0`);
}

/**
 * Reads an In-Vitro CSV line by line and throws at the first value the format does not allow,
 * naming the file, the line and the field (the same rules as {@linkcode invitroFrame}'s).
 */
export async function checkInvitroFile(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
): Promise<void> {
  const { header, rows } = await csvRows(chunks, file, []);
  const cols = invitroColumns(header, file);
  const ow = isOpenWhisk(header);
  for await (const row of rows) {
    const where = `${file} line ${row.line}`;
    // Every flag is read, so that a bad one is named even after one that is true.
    const flagged = cols.failures.map((f) => csvBoolean(row, f.column, where)).includes(true);
    // As failedOf: an OpenWhisk record without startType has no activation record.
    const type = ow ? row.fields.startType.trim() : null;
    const failed = flagged || type === "";
    nonNegative(row, cols.startTime, where);
    if (cols.connect) nonNegative(row, cols.connect, where);
    if (cols.memoryUsed) nonNegative(row, cols.memoryUsed.column, where);
    if (!failed) {
      nonNegative(row, cols.actualDuration, where);
      nonNegative(row, cols.responseTime, where);
    }
    if (!ow) continue;
    if (type !== "" && type !== "hot" && type !== "cold") {
      throw new TypeError(
        `${where}: startType is ${quoted(row.fields.startType)}, expected hot or cold`,
      );
    }
    statusCode(row, where);
    if (!failed) {
      nonNegative(row, "waitTime", where);
      if (type === "cold") nonNegative(row, "initTime", where);
    }
  }
}
