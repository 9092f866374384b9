/**
 * SeBS (spcl/serverless-benchmarks) perf-cost results: `result.csv`, written by
 * `sebs experiment process perf-cost`, and the per-configuration JSON files it reads
 * (`<type>_results_<memory>.json`, and `...-processed.json` once provider times are in); and
 * the same JSON that `sebs benchmark invoke` writes for its repetitions, one after another
 * (`experiments.json`, and `results.json` once `sebs benchmark process` added provider times).
 *
 * What SeBS measures is not what OpenWhisk's record says, and the rows say so:
 * - Its latency is `client_time`, the round trip its driver measured (microseconds), in
 *   `client_ms`, with `latency` = `client_time`. There is no waitTime and no split of a cold
 *   start into wait and init: `wait_ms` is null, so the rows enter none of the waitTime
 *   tables (which would otherwise mix two different latencies); `source` is `client`.
 * - `provider_time` (the provider's execution time, on OpenWhisk the record's `duration`) is
 *   `duration_ms`, null where SeBS wrote 0 (not downloaded); `exec_time` (its shim's timing of
 *   the function body) is `exec_ms`; `connection_time` is curl's PRETRANSFER_TIME, which SeBS
 *   stores in seconds (its docs say microseconds; its code, sebs/faas/function.py, writes
 *   curl's seconds), as `connect_ms`.
 * - `is_cold` (its shim's own detection) is `cold`; `memory` (MB, 0 where SeBS ran without a
 *   memory suffix) is `memory_mb`; `mem_used` (MB) is `mem_used_mb`.
 * - `type` cold or burst (batches after a forced cold start) is experiment `cold_start`; warm
 *   or sequential is `concurrency`.
 * The JSON adds what the CSV lacks: the request id (on OpenWhisk the activation id), the
 * function, the benchmark and runtime, the batch size (`concurrent-invocations`, as `level`;
 * 1 for sequential), the provider's initialization time (on OpenWhisk the record's initTime,
 * as `init_ms`) and failures.
 */
import pl from "nodejs-polars";
import { IMPORTED_COLUMNS, type ImportedRow } from "../../dataset/mod.ts";
import { quoted } from "../../dataset/quoted.ts";
import { csvBoolean, csvNumber, type CsvRow, csvRows } from "./csv_rows.ts";
import {
  checkedCsvFrame,
  type CsvFields,
  type CsvFrame,
  type CsvReader,
  dividedBy,
} from "./csv_query.ts";

/** The header SeBS's perf-cost `process()` writes, in its order (since December 2020). */
export const SEBS_CSV_HEADER = [
  "memory",
  "type",
  "is_cold",
  "exec_time",
  "connection_time",
  "client_time",
  "provider_time",
  "mem_used",
] as const;

/** The columns a `result.csv` must have: `mem_used` came in December 2020. */
const SEBS_CSV_REQUIRED = SEBS_CSV_HEADER.filter((c) => c !== "mem_used");

const EXPERIMENTS: Record<string, string> = {
  cold: "cold_start",
  burst: "cold_start",
  warm: "concurrency",
  sequential: "concurrency",
};

/** Options of the SeBS readers. */
export interface SebsOptions {
  /** The rows' runtime. Default: the JSON's `language:version`; `unknown` for the CSV. */
  runtime?: string;
  /** The rows' workload. Default: the JSON's benchmark; `unknown` for the CSV. */
  workload?: string;
}

function experimentOf(type: string, where: string): string {
  const e = EXPERIMENTS[type];
  if (!e) {
    throw new TypeError(
      `${where}: type is ${quoted(type)}, expected cold, warm, burst or sequential`,
    );
  }
  return e;
}

/** A row of SeBS's that carries no activation record: the columns it cannot fill are null. */
function clientRow(fields: Partial<ImportedRow>): ImportedRow {
  return {
    experiment: null,
    workload: null,
    runtime: null,
    run: null,
    level: null,
    activation_id: null,
    action: null,
    kind: null,
    start_ms: null,
    end_ms: null,
    duration_ms: null,
    wait_ms: null,
    init_ms: null,
    status: null,
    success: true,
    error: null,
    source: "client",
    http_status: null,
    record: null,
    format: null,
    latency: "client_time",
    cold: null,
    client_ms: null,
    exec_ms: null,
    connect_ms: null,
    memory_mb: null,
    mem_used_mb: null,
    ...fields,
  };
}

/** Microseconds to milliseconds; a provider time of 0 (not downloaded) is null. */
const ms = (us: number | null, { zeroIsNull = false } = {}) =>
  us === null || (zeroIsNull && us === 0) ? null : us / 1000;

/** The rows of SeBS's `result.csv`; a bad field is an error naming `file`, line and field. */
export async function* sebsCsvRows(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  { runtime = "unknown", workload = "unknown" }: SebsOptions = {},
): AsyncGenerator<ImportedRow> {
  const { header, rows } = await csvRows(chunks, file, SEBS_CSV_REQUIRED);
  const memUsed = header.includes("mem_used");
  for await (const row of rows) {
    const where = `${file} line ${row.line}`;
    const memory = nonNegative(row, "memory", where)!;
    // A memory size past 2^53 is no whole number a dataset's integer column holds exactly.
    if (!Number.isSafeInteger(memory)) {
      throw new RangeError(
        `${where}: memory is ${memory}, expected a whole number of MB below 2^53`,
      );
    }
    yield clientRow({
      experiment: experimentOf(row.fields.type.trim(), where),
      workload,
      runtime,
      duration_ms: ms(nonNegative(row, "provider_time", where), { zeroIsNull: true }),
      record: JSON.stringify(row.fields),
      format: "sebs-csv",
      cold: csvBoolean(row, "is_cold", where),
      client_ms: ms(nonNegative(row, "client_time", where)),
      exec_ms: ms(nonNegative(row, "exec_time", where)),
      connect_ms: seconds(nonNegative(row, "connection_time", where, true)),
      memory_mb: memory === 0 ? null : memory,
      mem_used_mb: memUsed ? nonNegative(row, "mem_used", where, true) : null,
    });
  }
}

/** How the columns of `result.csv` are read. */
const USES = {
  texts: ["type"],
  numbers: SEBS_CSV_HEADER.filter((c) => c !== "type" && c !== "is_cold"),
  flags: ["is_cold"],
};

/**
 * The activation rows of SeBS's `result.csv` as polars expressions over the file's text (the same
 * rows as {@linkcode sebsCsvRows}, which a test holds it to, at polars' speed): `_valid` says
 * whether a row is one sebsCsvRows takes, `_blank` whether the line was blank.
 */
function sebsCsvExprs(
  header: readonly string[],
  fields: CsvFields,
  { runtime = "unknown", workload = "unknown" }: SebsOptions,
): pl.Expr[] {
  const { text, number } = fields;
  const memUsed = header.includes("mem_used");
  const empty = (c: string) =>
    text(c).isNull().or(text(c).eq(pl.lit(""))).or(text(c).eq(pl.lit("None")));
  const valid = (c: string, nullable = false) => {
    const ok = number(c).isNotNull().and(number(c).gtEq(0));
    return nullable ? ok.or(empty(c)) : ok;
  };
  const type = text("type"), cold = fields.flag("is_cold");
  const experiment = pl.when(type.eq(pl.lit("cold")).or(type.eq(pl.lit("burst"))))
    .then(pl.lit("cold_start"))
    .when(type.eq(pl.lit("warm")).or(type.eq(pl.lit("sequential")))).then(pl.lit("concurrency"))
    .otherwise(pl.lit(null));
  const ms = (c: string) => dividedBy(number(c), 1000);
  const orNull = (c: string) => pl.when(empty(c)).then(pl.lit(null)).otherwise(number(c));
  const set: Record<string, pl.Expr> = {
    experiment,
    workload: pl.lit(workload),
    runtime: pl.lit(runtime),
    duration_ms: pl.when(number("provider_time").eq(0)).then(pl.lit(null))
      .otherwise(ms("provider_time")),
    success: pl.lit(true),
    source: pl.lit("client"),
    // As JSON.stringify writes the row's fields: every header name, text as read, "" if empty.
    record: fields.record({ missingAsEmpty: true }),
    format: pl.lit("sebs-csv"),
    latency: pl.lit("client_time"),
    cold: cold.eq(pl.lit("true")),
    client_ms: ms("client_time"),
    exec_ms: ms("exec_time"),
    connect_ms: orNull("connection_time").mul(1000),
    memory_mb: pl.when(number("memory").eq(0)).then(pl.lit(null)).otherwise(number("memory")),
    mem_used_mb: memUsed ? orNull("mem_used") : pl.lit(null),
  };
  const dtypes = { str: pl.Utf8, i64: pl.Int64, f64: pl.Float64, bool: pl.Bool } as const;
  const ok = experiment.isNotNull()
    .and(cold.eq(pl.lit("true")).or(cold.eq(pl.lit("false"))))
    .and(valid("memory")).and(valid("provider_time")).and(valid("client_time"))
    .and(valid("exec_time")).and(valid("connection_time", true))
    .and(memUsed ? valid("mem_used", true) : pl.lit(true))
    // memory_mb is a whole number: a fraction is not a memory size SeBS writes.
    .and(number("memory").floor().eq(number("memory")))
    .and(number("memory").ltEq(Number.MAX_SAFE_INTEGER));
  return [
    ...Object.entries(IMPORTED_COLUMNS).map(([name, type]) =>
      (set[name] ?? pl.lit(null)).cast(dtypes[type]).alias(name)
    ),
    ok.fillNull(false).alias("_valid"),
    fields.blank().alias("_blank"),
  ];
}

/**
 * The reader of one SeBS `result.csv` (`chunks`: the whole file, named `file`): a function from
 * the file's bytes, or a slice of them with the header, to the activation rows as a frame, and
 * how many there are. The header is read once. Where any row is bad or blank, the line reader
 * ({@linkcode sebsCsvRows}) goes through the file to name the first bad one.
 */
export async function sebsCsvReader(
  file: string,
  chunks: () => AsyncIterable<Uint8Array>,
  options: SebsOptions = {},
): Promise<CsvReader> {
  const { header, rows } = await csvRows(chunks(), file, SEBS_CSV_REQUIRED);
  await rows.return(undefined);
  const checkLines = async () => {
    for await (const _ of sebsCsvRows(chunks(), file, options)) { /* throws at a bad line */ }
  };
  const query = { header, uses: USES, exprs: (f: CsvFields) => sebsCsvExprs(header, f, options) };
  return {
    read: (source) => checkedCsvFrame(source, file, query, checkLines, "SeBS's result.csv"),
  };
}

/** The activation rows of SeBS's `result.csv` at `source` ({@linkcode sebsCsvReader}). */
export async function sebsCsvFrame(
  source: string | Uint8Array,
  file: string,
  chunks: () => AsyncIterable<Uint8Array>,
  options: SebsOptions = {},
): Promise<CsvFrame> {
  return await (await sebsCsvReader(file, chunks, options)).read(source);
}

function nonNegative(row: CsvRow, field: string, where: string, nullable = false) {
  const n = csvNumber(row, field, where, { nullable });
  if (n !== null && n < 0) {
    throw new RangeError(`${where}: ${field} is ${n}, expected a number >= 0`);
  }
  return n;
}

const seconds = (s: number | null) => (s === null ? null : s * 1000);

/**
 * Type and memory of a SeBS JSON file, from its name as SeBS writes it; type null for
 * `sebs benchmark invoke`'s files, whose invocations say themselves whether they were cold.
 */
export function sebsJsonName(name: string): { type: string | null; memory: number | null } {
  if (name === "experiments.json" || name === "results.json") return { type: null, memory: null };
  const m = /^([a-z]+)_results(?:_(\d+))?(-processed)?\.json$/.exec(name);
  if (!m) {
    throw new TypeError(
      `${name}: not a SeBS result file name, expected <type>_results[_<memory>][-processed].json ` +
        "(perf-cost), experiments.json or results.json (sebs benchmark invoke, process)",
    );
  }
  return { type: m[1], memory: m[2] === undefined || m[2] === "0" ? null : Number(m[2]) };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A number at `path` of `obj`, null where absent; an error naming `where` if not a number >= 0. */
function num(obj: Json, path: string[], where: string): number | null {
  let v: unknown = obj;
  for (const k of path) v = isObject(v) ? v[k] : undefined;
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new TypeError(
      `${where}: ${path.join(".")} is ${JSON.stringify(v)}, expected a number >= 0`,
    );
  }
  return v;
}

/**
 * SeBS's key of an invocation without a request id (a failed one): `failed-<invocations so
 * far>` (ExperimentResult.add_invocation), numbered per function and file, so no id.
 */
const SYNTHETIC_KEY = /^failed-\d+$/;

/** An invocation's activation id: its request id, else its key unless SeBS made that up. */
function activationId(inv: Json, key: string): string | null {
  if (typeof inv.request_id === "string" && inv.request_id !== "") return inv.request_id;
  return SYNTHETIC_KEY.test(key) ? null : key;
}

/**
 * The rows of one perf-cost JSON file (`text`, named `file`): one per invocation of
 * `_invocations`, in file order.
 */
export function sebsJsonRows(
  text: string,
  file: string,
  name: string,
  options: SebsOptions = {},
): ImportedRow[] {
  const { type, memory } = sebsJsonName(name);
  const experiment = type === null ? null : experimentOf(type, file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new SyntaxError(`${file}: not JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isObject(doc) || !isObject(doc._invocations)) {
    throw new TypeError(`${file}: expected a SeBS result object with _invocations`);
  }
  const config = isObject(doc.config) && isObject(doc.config.experiments)
    ? doc.config.experiments
    : {};
  const settings = isObject(config.experiments) && isObject(config.experiments["perf-cost"])
    ? config.experiments["perf-cost"]
    : {};
  const rt = isObject(config.runtime) ? config.runtime : {};
  const runtime = options.runtime ??
    (typeof rt.language === "string" ? `${rt.language}:${rt.version ?? ""}` : "unknown");
  const batch = num(settings, ["concurrent-invocations"], `${file}: config.experiments.perf-cost`);
  // `sebs benchmark invoke` calls the function once at a time, as perf-cost's sequential does.
  const level = type === "sequential" || type === null ? 1 : batch;
  const rows: ImportedRow[] = [];
  for (const [func, invocations] of Object.entries(doc._invocations)) {
    if (!isObject(invocations)) {
      throw new TypeError(`${file}: _invocations.${func} is not an object of invocations`);
    }
    for (const [id, inv] of Object.entries(invocations)) {
      const where = `${file}: _invocations.${func}.${id}`;
      if (!isObject(inv)) throw new TypeError(`${where}: expected an invocation object`);
      const stats = isObject(inv.stats) ? inv.stats : {};
      const failed = stats.failure === true;
      const billedMemory = num(inv, ["billing", "_memory"], where);
      rows.push(clientRow({
        experiment: experiment ?? (stats.cold_start === true ? "cold_start" : "concurrency"),
        workload: options.workload ??
          (typeof settings.benchmark === "string" ? settings.benchmark : func),
        runtime,
        level,
        activation_id: activationId(inv, id),
        action: func,
        duration_ms: ms(num(inv, ["provider_times", "execution"], where), { zeroIsNull: true }),
        init_ms: ms(num(inv, ["provider_times", "initialization"], where), { zeroIsNull: true }),
        success: !failed,
        error: failed ? "SeBS marked the invocation failed" : null,
        record: JSON.stringify(inv),
        format: "sebs-json",
        cold: typeof stats.cold_start === "boolean" ? stats.cold_start : null,
        client_ms: ms(num(inv, ["times", "client"], where)),
        exec_ms: ms(num(inv, ["times", "benchmark"], where)),
        connect_ms: seconds(num(inv, ["times", "http_startup"], where)),
        memory_mb: memory ?? billedMemory,
        mem_used_mb: num(inv, ["stats", "memory_used"], where),
      }));
    }
  }
  return rows;
}
