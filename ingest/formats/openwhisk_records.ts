/**
 * OpenWhisk activation records as users export them: a JSON array (what the REST API's
 * `GET /namespaces/{ns}/activations?docs=true`, `wsk activation list --full` and `wsk activation
 * get` give) or JSON lines (one record a line). Each record becomes a row through
 * activationRow, the same function the thesis ingest and the collectors use.
 *
 * A production record says nothing of an experiment: the row's `experiment` is `cold_start`
 * for a record with an initTime (a cold start) and `concurrency` for one without (a warm start),
 * so that cold records fill the cold-start table and warm ones the warm table; `level` (the
 * client's concurrency) is unknown, null; `workload` is the action's name, `runtime` the
 * record's `kind` annotation unless the caller names one.
 */
import { activationRow, type ImportedRow } from "../../dataset/mod.ts";
import { WSK_GET_HEADER } from "./detect.ts";
import { type JsonLayout, jsonValues } from "./json_values.ts";

/** Options of {@linkcode openWhiskRecordRows}. */
export interface RecordImportOptions {
  /** The rows' runtime. Default: the record's `kind` annotation (`nodejs:20`), else `unknown`. */
  runtime?: string;
  /** The rows' workload. Default: the action's name. */
  workload?: string;
}

/** Format names of the two layouts, as `--format` takes them. */
export const RECORD_FORMATS = { array: "openwhisk-json", lines: "openwhisk-jsonl" } as const;

const decoder = new TextDecoder();

/** The memory limit (MB) a record's `limits` annotation gives, where it gives one. */
function memoryLimit(record: Record<string, unknown>): number | null {
  const list = record.annotations;
  if (!Array.isArray(list)) return null;
  const limits = list.find((a) => a?.key === "limits")?.value;
  const mb = limits?.memory;
  return Number.isSafeInteger(mb) && mb > 0 ? mb : null;
}

/**
 * The row of one parsed activation record (activationRow's, with the experiment told by its
 * initTime and the import's columns); `where` names the file or request and the place.
 */
export function importedRecordRow(
  record: unknown,
  where: string,
  format: string,
  { runtime, workload }: RecordImportOptions = {},
): ImportedRow {
  const row = activationRow(
    record,
    { experiment: "", workload: "", runtime: "", run: null, level: null },
    where,
  );
  const cold = row.init_ms !== null;
  return {
    ...row,
    experiment: cold ? "cold_start" : "concurrency",
    workload: workload ?? row.action ?? "unknown",
    runtime: runtime ?? row.kind ?? "unknown",
    format,
    latency: "waitTime+initTime",
    cold,
    client_ms: null,
    exec_ms: null,
    connect_ms: null,
    memory_mb: memoryLimit(record as Record<string, unknown>),
    mem_used_mb: null,
  };
}

/**
 * The chunks with `wsk activation get`'s first line blanked (spaces, so that bytes and lines
 * keep their numbers in error messages), where the file starts with it.
 */
async function* withoutWskHeader(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const head = decoder.decode(chunk.subarray(0, 200));
      const m = WSK_GET_HEADER.exec(head);
      if (m) {
        const blanked = chunk.slice();
        const end = new TextEncoder().encode(m[0]).length;
        blanked.fill(0x20, 0, end - 1); // keep the line break
        yield blanked;
        continue;
      }
    }
    yield chunk;
  }
}

/**
 * The rows of the activation records of one file laid out as `layout` (after `wsk activation
 * get`'s `ok: got activation ID` line, where there is one); a value that is not JSON or not a
 * valid record is an error naming `file`, the byte and the line of its `{`.
 */
export async function* openWhiskRecordRows(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  layout: JsonLayout,
  options: RecordImportOptions = {},
): AsyncGenerator<ImportedRow> {
  for await (const value of jsonValues(withoutWskHeader(chunks), file, layout)) {
    const where = `${file} byte ${value.offset} (line ${value.line})`;
    let record: unknown;
    try {
      record = JSON.parse(decoder.decode(value.bytes));
    } catch (cause) {
      throw new SyntaxError(`${where}: not a JSON activation record: ${(cause as Error).message}`, {
        cause,
      });
    }
    yield importedRecordRow(record, where, RECORD_FORMATS[layout], options);
  }
}
