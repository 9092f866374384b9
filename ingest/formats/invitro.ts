/**
 * In-Vitro (vhive-serverless/invitro) per-invocation CSVs, `<prefix>_duration_<minutes>.csv`,
 * written by gocsv from its execution record types (pkg/metric/record.go). Every record starts
 * with `phase, instance, invocationID, startTime, requestedDuration, grpcConnEstablish,
 * responseTime, actualDuration, connectionTimeout, functionTimeout` (times in microseconds,
 * startTime epoch microseconds). Its OpenWhisk record adds `activationID, startType (hot|cold),
 * httpStatusCode, waitTime, initTime` (microseconds, from the activation record's
 * annotations); other back ends add memory and asynchronous-call fields instead.
 *
 * With waitTime and initTime a row carries the activation record's latency (`source` record,
 * `latency` waitTime+initTime; init_ms only for a cold start, as OpenWhisk sets initTime only
 * then) and fills the same tables as OpenWhisk's own records; experiment `cold_start` for a
 * cold start, `concurrency` for a hot one; `level` unknown (In-Vitro replays a trace, it does
 * not hold a fixed concurrency). Without them a row carries only In-Vitro's client-side
 * `responseTime` (`source` client, `latency` client_time, in `client_ms`). An invocation that
 * timed out has no record: an `error` row. The CSV row itself is kept as JSON in `record`.
 */
import type { ImportedRow } from "../../dataset/mod.ts";
import { csvBoolean, csvNumber, type CsvRow, csvRows } from "./csv_rows.ts";

/** The columns every In-Vitro execution record has (ExecutionRecordBase). */
export const INVITRO_BASE_HEADER = [
  "phase",
  "instance",
  "invocationID",
  "startTime",
  "requestedDuration",
  "grpcConnEstablish",
  "responseTime",
  "actualDuration",
  "connectionTimeout",
  "functionTimeout",
] as const;

/** The columns In-Vitro's OpenWhisk execution record adds. */
export const INVITRO_OPENWHISK_HEADER = [
  "activationID",
  "startType",
  "httpStatusCode",
  "waitTime",
  "initTime",
] as const;

/** Options of {@linkcode invitroRows}. */
export interface InvitroOptions {
  /** The rows' runtime. Default `unknown` (In-Vitro's CSV does not say). */
  runtime?: string;
  /** The rows' workload. Default the function's name (`instance`). */
  workload?: string;
}

function micros(row: CsvRow, field: string, where: string): number {
  const n = csvNumber(row, field, where)!;
  if (n < 0) throw new RangeError(`${where}: ${field} is ${n}, expected a number >= 0`);
  return n;
}

/** The rows of one In-Vitro per-invocation CSV; a bad field names `file`, line and field. */
export async function* invitroRows(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  { runtime = "unknown", workload }: InvitroOptions = {},
): AsyncGenerator<ImportedRow> {
  const { header, rows } = await csvRows(chunks, file, INVITRO_BASE_HEADER);
  const openWhisk = INVITRO_OPENWHISK_HEADER.every((h) => header.includes(h));
  for await (const row of rows) {
    const where = `${file} line ${row.line}`;
    const f = row.fields;
    const timeouts = [
      csvBoolean(row, "connectionTimeout", where) ? "connection timeout" : null,
      csvBoolean(row, "functionTimeout", where) ? "function timeout" : null,
    ].filter((t) => t !== null);
    const status = openWhisk ? csvNumber(row, "httpStatusCode", where)! : 0;
    let cold: boolean | null = null;
    if (openWhisk) {
      const type = f.startType.trim();
      if (type !== "hot" && type !== "cold") {
        throw new TypeError(
          `${where}: startType is ${JSON.stringify(f.startType)}, expected hot or cold`,
        );
      }
      cold = type === "cold";
    }
    const failed = timeouts.length > 0;
    const source = failed ? "error" : openWhisk ? "record" : "client";
    const start = micros(row, "startTime", where);
    const id = openWhisk && f.activationID.trim() !== "" ? f.activationID.trim() : f.invocationID;
    yield {
      experiment: cold ? "cold_start" : "concurrency",
      workload: workload ?? f.instance,
      runtime,
      run: null,
      level: null,
      activation_id: id === "" ? null : id,
      action: f.instance,
      kind: null,
      start_ms: start / 1000,
      end_ms: null,
      duration_ms: failed ? null : micros(row, "actualDuration", where) / 1000,
      wait_ms: source === "record" ? micros(row, "waitTime", where) / 1000 : null,
      init_ms: source === "record" && cold ? micros(row, "initTime", where) / 1000 : null,
      status: null,
      success: !failed,
      error: failed ? timeouts.join(", ") : null,
      source,
      http_status: status > 0 ? status : null,
      record: JSON.stringify(f),
      format: "invitro-csv",
      latency: source === "record"
        ? "waitTime+initTime"
        : source === "client"
        ? "client_time"
        : null,
      cold,
      client_ms: failed ? null : micros(row, "responseTime", where) / 1000,
      exec_ms: null,
      connect_ms: micros(row, "grpcConnEstablish", where) / 1000,
      memory_mb: null,
      mem_used_mb: null,
    };
  }
}
