/**
 * Files in the formats the importers read (ingest/formats/), for benchmark 6, each carrying the
 * invocations of a set of seeded `1_` logs (generate_raw.ts): OpenWhisk activation records as a
 * JSON array (what `wsk activation list --full` and the REST API return) and as JSON lines (the
 * logs' own records, byte for byte), SeBS's perf-cost `result.csv` and In-Vitro's
 * per-invocation CSV (a line made from each record). So every importer is timed on the same
 * invocations as the thesis-format ingest of those logs: the formats differ in bytes per
 * invocation (a SeBS line is a tenth of a record), and a ratio of MB/s between them would
 * measure the format's size, not the importer. The same logs give the same bytes.
 */
import { join } from "node:path";
import type { RawLogSet } from "./generate_raw.ts";

/** The formats generated, by their `--format` names. */
export const IMPORT_FORMATS = [
  "openwhisk-json",
  "openwhisk-jsonl",
  "sebs-csv",
  "invitro-csv",
] as const;
export type ImportFormat = typeof IMPORT_FORMATS[number];

/** What {@linkcode writeImportFile} wrote. */
export interface ImportFile {
  path: string;
  format: ImportFormat;
  bytes: number;
  /** Invocations written: each becomes one row. */
  records: number;
}

const FILE_NAMES: Record<ImportFormat, string> = {
  "openwhisk-json": "activations.json",
  "openwhisk-jsonl": "activations.jsonl",
  "sebs-csv": "result.csv",
  "invitro-csv": "openwhisk_duration_1.csv",
};

/** The fields of an activation record that the CSV lines are made from. */
interface LogRecord {
  activationId: string;
  annotations: { key: string; value: unknown }[];
  duration: number;
  name: string;
  start: number;
}

/** The record's text and the fields the CSV formats take from it. */
interface Invocation {
  text: string;
  id: string;
  name: string;
  start: number;
  duration: number;
  wait: number;
  init: number | null;
}

/** Every record of the logs, in their order: each line of a log is one run's JSON array. */
async function* invocations(raw: RawLogSet): AsyncGenerator<Invocation> {
  for (const file of raw.files) {
    const text = await Deno.readTextFile(join(raw.dir, file));
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const groups = JSON.parse(line) as { responses: LogRecord[] }[];
      for (const { responses } of groups) {
        for (const r of responses) {
          const annotation = (key: string) => r.annotations.find((a) => a.key === key)?.value;
          const init = annotation("initTime");
          yield {
            // The generator writes compact JSON in this key order: the log's own bytes.
            text: JSON.stringify(r),
            id: r.activationId,
            name: r.name,
            start: r.start,
            duration: r.duration,
            wait: annotation("waitTime") as number,
            init: typeof init === "number" ? init : null,
          };
        }
      }
    }
  }
}

/** A format's header (or none), line of the `k`-th invocation (from 1), separator and footer. */
interface Shape {
  head: string;
  line: (r: Invocation, k: number) => string;
  separator: string;
  tail: string;
}

const SHAPES: Record<ImportFormat, Shape> = {
  "openwhisk-json": { head: "[\n", line: (r) => r.text, separator: ",\n", tail: "\n]\n" },
  "openwhisk-jsonl": { head: "", line: (r) => r.text, separator: "\n", tail: "\n" },
  "sebs-csv": {
    // Times in microseconds: provider_time is OpenWhisk's duration, client_time the round trip
    // (the wait, the duration and a few ms of network), exec_time the function body's.
    head: "memory,type,is_cold,exec_time,connection_time,client_time,provider_time,mem_used\n",
    line: (r, k) => {
      const cold = r.init !== null, body = Math.max(1, r.duration - (r.init ?? 0)) * 1000;
      const client = (r.wait + r.duration) * 1000 + 2000 + (k % 5000);
      return `256,${cold ? "cold" : "warm"},${cold ? "True" : "False"},${body},` +
        `${(0.001 + (k % 20) / 10000).toFixed(4)},${client},${r.duration * 1000},` +
        `${(40 + (k % 50) / 10).toFixed(1)}`;
    },
    separator: "\n",
    tail: "\n",
  },
  "invitro-csv": {
    // Times in microseconds, waitTime and initTime the record's annotations.
    head: "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish," +
      "responseTime,actualDuration,connectionTimeout,functionTimeout,activationID," +
      "startType,httpStatusCode,waitTime,initTime\n",
    line: (r, k) => {
      const init = (r.init ?? 0) * 1000, actual = r.duration * 1000, wait = r.wait * 1000;
      return `2,trace-func-${r.name},inv-${k},${r.start * 1000},${actual - init},1500,` +
        `${wait + actual + 1500},${actual},false,false,${r.id},` +
        `${r.init !== null ? "cold" : "hot"},200,${wait},${init}`;
    },
    separator: "\n",
    tail: "\n",
  },
};

/**
 * Writes the invocations of the logs `raw` into `dir` as a file of `format`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateRawLogs } from "./generate_raw.ts";
 * import { writeImportFile } from "./generate_import.ts";
 * const dir = await Deno.makeTempDir();
 * const raw = await generateRawLogs(`${dir}/raw`, { bytes: 20_000, fileBytes: 10_000, seed: 3 });
 * const lines = await writeImportFile(`${dir}/jsonl`, "openwhisk-jsonl", raw);
 * const sebs = await writeImportFile(`${dir}/sebs`, "sebs-csv", raw);
 * assert.equal(lines.records, raw.records);
 * assert.equal(sebs.records, raw.records);
 * const text = await Deno.readTextFile(lines.path);
 * assert.ok(text.split("\n").every((l) => l === "" || l.startsWith('{"activationId":"')));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeImportFile(
  dir: string,
  format: ImportFormat,
  raw: RawLogSet,
): Promise<ImportFile> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, FILE_NAMES[format]);
  const { head, line, separator, tail } = SHAPES[format];
  const encoder = new TextEncoder();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const write = async (text: string) => {
    const data = encoder.encode(text);
    for (let off = 0; off < data.length;) off += await file.write(data.subarray(off));
  };
  await write(head);
  let records = 0, batch: string[] = [];
  for await (const r of invocations(raw)) {
    batch.push((records === 0 ? "" : separator) + line(r, ++records));
    if (batch.length === 1000) {
      await write(batch.join(""));
      batch = [];
    }
  }
  await write(batch.join("") + tail);
  return { path, format, bytes: (await Deno.stat(path)).size, records };
}
