/**
 * Seeded files in the formats the importers read (ingest/formats/), for benchmark 6: OpenWhisk
 * activation records as a JSON array (what `wsk activation list --full` and the REST API
 * return) and as JSON lines, SeBS's perf-cost `result.csv`, and In-Vitro's per-invocation
 * CSV. Records are shaped like the test fixtures' (test/fixtures/import/), which follow each
 * format's own sources. The same seed and size give the same bytes.
 */
import { join } from "node:path";
import { random } from "./random.ts";

/** The formats generated, by their `--format` names. */
export const IMPORT_FORMATS = [
  "openwhisk-json",
  "openwhisk-jsonl",
  "sebs-csv",
  "invitro-csv",
] as const;
export type ImportFormat = typeof IMPORT_FORMATS[number];

/** What {@linkcode generateImportFile} wrote. */
export interface ImportFile {
  path: string;
  format: ImportFormat;
  bytes: number;
  /** Invocations written: each becomes one row. */
  records: number;
}

const HEX = "0123456789abcdef";
const FILE_NAMES: Record<ImportFormat, string> = {
  "openwhisk-json": "activations.json",
  "openwhisk-jsonl": "activations.jsonl",
  "sebs-csv": "result.csv",
  "invitro-csv": "openwhisk_duration_1.csv",
};

/** A generator of one format's lines: a header (or none), a record, a footer (or none). */
interface Shape {
  head: string;
  record: (k: number) => string;
  separator: string;
  tail: string;
}

function shape(format: ImportFormat, rand: () => number): Shape {
  const hex = (n: number) => {
    let s = "";
    for (let i = 0; i < n; i++) s += HEX[(rand() * 16) | 0];
    return s;
  };
  const wait = () => 2 + Math.floor(-Math.log(1 - rand()) * 40);
  const cold = () => rand() < 0.25;
  let clock = 1700000000000;
  const activation = (): string => {
    const isCold = cold(), w = wait(), init = isCold ? 200 + Math.floor(rand() * 400) : 0;
    const duration = 1 + Math.floor(rand() * 20) + init, start = (clock += 1 + ((rand() * 50) | 0));
    const annotations = [
      `{"key":"path","value":"guest/hello${1 + ((rand() * 8) | 0)}"}`,
      `{"key":"waitTime","value":${w}}`,
      `{"key":"kind","value":"nodejs:20"}`,
      `{"key":"timeout","value":false}`,
      `{"key":"limits","value":{"concurrency":1,"logs":10,"memory":256,"timeout":60000}}`,
      ...(isCold ? [`{"key":"initTime","value":${init}}`] : []),
    ];
    return `{"activationId":"${hex(32)}","annotations":[${annotations.join(",")}],` +
      `"duration":${duration},"end":${
        start + duration
      },"logs":[],"name":"hello","namespace":"guest",` +
      `"publish":false,"response":{"result":{"greeting":"Hello, world!"},"size":27,` +
      `"status":"success","success":true},"start":${start},"subject":"guest","version":"0.0.1"}`;
  };
  switch (format) {
    case "openwhisk-json":
      return { head: "[\n", record: activation, separator: ",\n", tail: "\n]\n" };
    case "openwhisk-jsonl":
      return { head: "", record: activation, separator: "\n", tail: "\n" };
    case "sebs-csv":
      return {
        head: "memory,type,is_cold,exec_time,connection_time,client_time,provider_time,mem_used\n",
        record: () => {
          const isCold = cold(), exec = 800 + Math.floor(rand() * 2000);
          const provider = exec + (isCold ? 300000 : 3000) + Math.floor(rand() * 100000);
          const client = provider + 2000 + Math.floor(rand() * 5000);
          const mem = (40 + rand() * 5).toFixed(1);
          return `256,${isCold ? "cold" : "warm"},${isCold ? "True" : "False"},${exec},` +
            `${(0.001 + rand() * 0.002).toFixed(4)},${client},${provider},${mem}`;
        },
        separator: "\n",
        tail: "\n",
      };
    case "invitro-csv":
      return {
        head: "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish," +
          "responseTime,actualDuration,connectionTimeout,functionTimeout,activationID," +
          "startType,httpStatusCode,waitTime,initTime\n",
        record: (k) => {
          const isCold = cold(),
            w = wait() * 1000,
            init = isCold ? 200000 + Math.floor(rand() * 400000) : 0;
          const actual = 100000 + Math.floor(rand() * 20000);
          const start = (clock += 1 + ((rand() * 50) | 0)) * 1000;
          return `2,trace-func-0-${(rand() * 9000 + 1000) | 0},inv-${k},${start},100000,1500,` +
            `${actual + w + init + 5000},${actual},false,false,${hex(32)},` +
            `${isCold ? "cold" : "hot"},200,${w},${init}`;
        },
        separator: "\n",
        tail: "\n",
      };
  }
}

/**
 * Writes a seeded file of `format` of about `bytes` (one record more at most) into `dir`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateImportFile } from "./generate_import.ts";
 * const dir = await Deno.makeTempDir();
 * const a = await generateImportFile(dir, "sebs-csv", { bytes: 10_000, seed: 3 });
 * const b = await generateImportFile(`${dir}/b`, "sebs-csv", { bytes: 10_000, seed: 3 });
 * assert.equal(await Deno.readTextFile(a.path), await Deno.readTextFile(b.path));
 * assert.ok(a.records > 50 && a.bytes >= 10_000);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function generateImportFile(
  dir: string,
  format: ImportFormat,
  { bytes = 100e6, seed = 1 }: { bytes?: number; seed?: number } = {},
): Promise<ImportFile> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, FILE_NAMES[format]);
  const { head, record, separator, tail } = shape(format, random(seed));
  const encoder = new TextEncoder();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const write = async (text: string) => {
    const data = encoder.encode(text);
    for (let off = 0; off < data.length;) off += await file.write(data.subarray(off));
    return data.length;
  };
  let written = await write(head), records = 0, batch: string[] = [];
  while (written < bytes) {
    for (let i = 0; i < 1000 && written < bytes; i++) {
      const line = (records === 0 ? "" : separator) + record(records + 1);
      batch.push(line);
      written += line.length; // ASCII: one byte a character
      records++;
    }
    await write(batch.join(""));
    batch = [];
  }
  await write(tail);
  return { path, format, bytes: (await Deno.stat(path)).size, records };
}
