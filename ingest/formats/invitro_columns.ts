/**
 * Where each quantity of an In-Vitro per-invocation record is in a CSV header, for every
 * version In-Vitro (vhive-serverless/invitro) wrote, as its git history shows them
 * (pkg/metric/record.go, the clients that fill it, and tools/plotter, which reads them):
 *
 * - December 2021 to 13 February 2022, `latency_phase-<n>_dur-<minutes>.csv`: `phase,
 *   request_per_sec, timestamp, func_name, latency, runtime, memory`, the same quantities as
 *   below; only invocations that succeeded were written (the failed ones were counted per
 *   minute, in `invoke_phase-*.csv`).
 * - February to September 2022, the loader's `exec_*.csv` (one row per invocation with the
 *   cluster's state beside it): `phase, rps, timestamp, [func_name], response_time,
 *   requested_duration, actual_duration, memory, timeout, failed, mem_load, interval,
 *   master_cpu, ..., coldstart_count`. `timestamp` is the start, epoch µs; `response_time` the
 *   client's round trip (gRPC dial and call), µs (`latency` until 18 February 2022);
 *   `actual_duration` the function's own timing of its body, µs (`runtime` until 27 June 2022,
 *   when `requested_duration` came); `memory` the function's memory use, KiB; `timeout` a gRPC
 *   connection that failed, `failed` a call that returned an error (the plotter drops both).
 *   `func_name` was written until 27 June 2022. The cluster columns (percentages, pod counts,
 *   Knative queues, -99 where not scraped, and `coldstart_count`, the cluster's cold starts so
 *   far, not this invocation's) say nothing of one invocation: they stay in `record`.
 * - Since 28 September 2022, camelCase: `phase, instance, invocationID, startTime,
 *   requestedDuration, [grpcConnEstablish], responseTime, actualDuration, ...,
 *   connectionTimeout, functionTimeout` (µs), the function named `functionName` until 9 October
 *   2022 and `invocationID` absent on 28 September 2022. Its Knative and other records add
 *   `actualMemoryUsage` (MiB, 0 where not measured) and, since 11 October 2022,
 *   `memoryAllocationTimeout` (the function answered `FAILURE - mem_alloc timeout`: it could not
 *   allocate its memory within the requested duration, so it did not run its body).
 *   Its OpenWhisk record (`activationID, startType, httpStatusCode, waitTime, initTime`) was
 *   written from 25 April 2023; since 3 September 2024 its OpenWhisk client writes the common record
 *   instead (its lines that set waitTime and initTime are commented out), with `actualDuration`
 *   the activation record's duration: such files carry only the client's round trip.
 */

/** A flag column of a failed invocation, and the error text of a row where it is true. */
export interface InvitroFailure {
  column: string;
  error: string;
}

/** The columns of one In-Vitro CSV that the rows are made of (null: not in this version). */
export interface InvitroColumns {
  /** The version, as messages name it. */
  version: string;
  /** The function's name. */
  instance: string | null;
  /** The invocation's id. */
  invocationID: string | null;
  /** The start, epoch microseconds. */
  startTime: string;
  /** The client's round trip, microseconds. */
  responseTime: string;
  /** The function's own timing of its body, microseconds. */
  actualDuration: string;
  /** gRPC connection time, microseconds (since May 2023). */
  connect: string | null;
  /** The function's memory use, and how many of its unit make one MiB (KiB: 1024). */
  memoryUsed: { column: string; perMib: number } | null;
  /** Flags of a failed invocation, in the order their errors are named (none: all succeeded). */
  failures: InvitroFailure[];
  /**
   * The `phase` of a warm-up invocation, where the version has one: since 28 September 2022
   * In-Vitro's driver writes 1 (WarmupPhase) for the invocations of a configured warm-up and 2
   * (ExecutionPhase) for the experiment's (pkg/common/constants.go); its plotter reads only the
   * execution phase. Earlier versions numbered phases otherwise: null.
   */
  warmupPhase: string | null;
}

/** The version of a header, told by the names only it has, and the columns it must have. */
interface InvitroVersion {
  version: string;
  /** Names that tell the version: each entry is one name, or a list of which one must be there. */
  signature: (string | string[])[];
  /** Names it must have to be read, given as for `signature`. */
  required: (string | string[])[];
  columns(has: (name: string) => boolean): Omit<InvitroColumns, "version">;
}

const first = (has: (n: string) => boolean, names: string[]) => names.find(has) ?? null;

/** The versions, a signature that holds another's before it (2022's adds timeout and failed). */
const VERSIONS: InvitroVersion[] = [
  {
    version: "In-Vitro's per-invocation record (since September 2022)",
    signature: ["startTime", "responseTime", ["invocationID", "instance", "functionName"]],
    required: [
      "phase",
      ["instance", "functionName"],
      "startTime",
      "requestedDuration",
      "responseTime",
      "actualDuration",
      "connectionTimeout",
      "functionTimeout",
    ],
    columns: (has) => ({
      instance: first(has, ["instance", "functionName"]),
      invocationID: first(has, ["invocationID"]),
      startTime: "startTime",
      responseTime: "responseTime",
      actualDuration: "actualDuration",
      connect: first(has, ["grpcConnEstablish"]),
      memoryUsed: has("actualMemoryUsage") ? { column: "actualMemoryUsage", perMib: 1 } : null,
      failures: [
        { column: "connectionTimeout", error: "connection timeout" },
        { column: "functionTimeout", error: "function timeout" },
        ...(has("memoryAllocationTimeout")
          ? [{ column: "memoryAllocationTimeout", error: "memory allocation timeout" }]
          : []),
      ],
      warmupPhase: "1",
    }),
  },
  {
    version: "In-Vitro's 2022 exec record (February to September 2022)",
    signature: ["timestamp", ["response_time", "latency"], "timeout", "failed"],
    required: [
      "phase",
      "timestamp",
      ["response_time", "latency"],
      ["actual_duration", "runtime"],
      "memory",
      "timeout",
      "failed",
    ],
    columns: (has) => ({
      instance: first(has, ["func_name"]),
      invocationID: null,
      startTime: "timestamp",
      responseTime: first(has, ["response_time", "latency"])!,
      actualDuration: first(has, ["actual_duration", "runtime"])!,
      connect: null,
      memoryUsed: { column: "memory", perMib: 1024 },
      failures: [
        { column: "timeout", error: "connection timeout" },
        { column: "failed", error: "execution failed" },
      ],
      warmupPhase: null,
    }),
  },
  {
    version: "In-Vitro's latency record (December 2021 to February 2022)",
    signature: ["timestamp", "func_name", "latency", "runtime"],
    required: ["phase", "timestamp", "func_name", "latency", "runtime", "memory"],
    columns: () => ({
      instance: "func_name",
      invocationID: null,
      startTime: "timestamp",
      responseTime: "latency",
      actualDuration: "runtime",
      connect: null,
      memoryUsed: { column: "memory", perMib: 1024 },
      failures: [],
      warmupPhase: null,
    }),
  },
];

const holds = (header: readonly string[], name: string | string[]) =>
  Array.isArray(name) ? name.some((n) => header.includes(n)) : header.includes(name);

/** Whether a CSV header is one of In-Vitro's per-invocation records (not whether it is whole). */
export function isInvitroHeader(header: readonly string[]): boolean {
  return VERSIONS.some((v) => v.signature.every((n) => holds(header, n)));
}

/**
 * The columns of an In-Vitro CSV whose header (line 1 of `file`) is `header`; a SyntaxError
 * naming the file, the version its names suggest and the columns it lacks otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invitroColumns } from "./invitro_columns.ts";
 * const header = "phase,rps,timestamp,response_time,requested_duration,actual_duration," +
 *   "memory,timeout,failed,mem_load,interval,master_cpu";
 * const cols = invitroColumns(header.split(","), "exec_sample-5_phase-1_dur-1.csv");
 * assert.equal(cols.responseTime, "response_time");
 * assert.deepEqual(cols.memoryUsed, { column: "memory", perMib: 1024 });
 * assert.deepEqual(cols.failures.map((f) => f.error), ["connection timeout", "execution failed"]);
 * assert.throws(
 *   () => invitroColumns(["phase", "timestamp", "response_time", "timeout", "failed"], "x.csv"),
 *   /x\.csv line 1: In-Vitro's 2022 exec record .*, but the header lacks actual_duration or runtime, memory/,
 * );
 * ```
 */
export function invitroColumns(header: readonly string[], file: string): InvitroColumns {
  const version = VERSIONS.find((v) => v.signature.every((n) => holds(header, n)));
  if (version === undefined) {
    const names = (v: InvitroVersion) =>
      v.signature.map((n) => Array.isArray(n) ? n.join(" or ") : n).join(", ");
    throw new SyntaxError(
      `${file} line 1: not an In-Vitro per-invocation CSV: its header has neither ${
        VERSIONS.map(names).join(" nor ")
      } (found ${header.join(",")})`,
    );
  }
  const missing = version.required.filter((n) => !holds(header, n))
    .map((n) => Array.isArray(n) ? n.join(" or ") : n);
  if (missing.length > 0) {
    throw new SyntaxError(
      `${file} line 1: ${version.version}, but the header lacks ${missing.join(", ")} (found ${
        header.join(",")
      })`,
    );
  }
  return { version: version.version, ...version.columns((n) => header.includes(n)) };
}
