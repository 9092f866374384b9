/**
 * Which importer reads a file, told from its first bytes where that is unambiguous: a JSON
 * array is OpenWhisk activation records; a JSON object whose first key is `_invocations` is a
 * SeBS perf-cost result (SeBS writes sorted keys); any other JSON object starts activation
 * records one after another (JSON lines); a CSV header with SeBS's or In-Vitro's column names
 * is theirs (In-Vitro's in any version it wrote, invitro_columns.ts). Anything else needs
 * `--format`.
 */
import { join } from "node:path";
import { classify } from "../file_kind.ts";
import { isInvitroHeader } from "./invitro_columns.ts";

/** The formats `ingest --format` takes. */
export const FORMATS = [
  "openwhisk-json",
  "openwhisk-jsonl",
  "sebs-csv",
  "sebs-json",
  "invitro-csv",
] as const;

/** One importable format. */
export type Format = typeof FORMATS[number];

/** Whether `name` is a format `--format` takes. */
export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

/**
 * The line OpenWhisk's CLI prints before its JSON: `ok: got activation ID` before the record of
 * `wsk activation get` (SeBS's OpenWhisk code skips it too), `activations` before the records
 * of `wsk activation list --full` (each then printed as indented JSON, one after the other).
 */
export const WSK_HEADER = /^(?:ok: got activation [0-9a-f]+|activations)[ \t]*\r?\n/;

/** Bytes looked at: enough for any header line or first key. */
const HEAD_BYTES = 64 * 1024;

/**
 * What a Git LFS pointer is said to be: the file's data is missing, so it is an error even in a
 * folder, where files that hold no invocation are left out.
 */
export const LFS_POINTER = "a Git LFS pointer, not the file's content (fetch it with git lfs pull)";

/**
 * Files the tools write beside their per-invocation ones, or read as input, which hold no
 * invocation latency: told by names only their CSV header has, or by how they start (a JSON
 * one never by a key alone: an activation record's result may hold any key).
 */
const NOT_INVOCATIONS: { names?: string[]; starts?: RegExp; what: string }[] = [
  {
    names: ["index", "num_func_invoked"],
    what: "In-Vitro's per-minute invocation counts (2022)",
  },
  { names: ["deployment", "desired_scale", "actual_scale"], what: "In-Vitro's deployment scales" },
  { names: ["function", "desired_pods", "terminating_pods"], what: "In-Vitro's deployment scales" },
  { names: ["desired_pods", "activator_request_count"], what: "In-Vitro's Knative statistics" },
  // JSON lines, although its name ends in .csv; Go writes the struct's fields in order.
  { starts: /^\{"timestamp":[^,]*,"master_cpu_pct":/, what: "In-Vitro's cluster usage samples" },
  {
    names: ["HashOwner", "HashApp"],
    what: "an Azure Functions trace, In-Vitro's input (invocations, durations or memory per " +
      "function)",
  },
  {
    names: ["app", "func", "end_timestamp", "duration"],
    what: "the Azure Functions 2021 invocation trace, In-Vitro's input (each invocation's end " +
      "and execution time in seconds, no latency of its start)",
  },
  {
    names: ["Width", "WidthPercentile", "Depth", "DepthPercentile"],
    what: "In-Vitro's workflow shape distribution, an input",
  },
  {
    starts: /^Datetime\s+Activation ID\s+Kind\s+Start\s+Duration/,
    what: "`wsk activation list` output without --full, a table without waitTime or initTime " +
      "(list with --full, or page the API with deno task collect activations)",
  },
  {
    starts: /^version https:\/\/git-lfs\.github\.com\/spec\//,
    what: LFS_POINTER,
  },
  {
    // Python's logging as SeBS sets it (sebs/utils.py): "%(asctime)s,%(msecs)d %(levelname)s
    // %(name)s: %(message)s", the time of day only; written to <output-dir>/out.log.
    starts: /^\d{2}:\d{2}:\d{2},\d{1,3} (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) [^\n:]+: /,
    what: "SeBS's log (its --output-file, out.log: messages, no measurement)",
  },
  {
    names: ["size", "repetition", "is_cold", "start_timestamp", "finish_timestamp"],
    what: "SeBS's invocation-overhead result (the time until the function starts against the " +
      "payload or code size, from two clocks in seconds)",
  },
  {
    names: ["payload_size", "repetition", "is_cold", "invocation_time"],
    what: "SeBS's processed invocation-overhead result (the time until the function starts, " +
      "corrected for clock drift, in seconds, against the payload or code size)",
  },
  {
    names: ["id", "server_rcv", "server_send"],
    what: "SeBS's clock-synchronization datagram times (invocation-overhead, network-ping-pong)",
  },
  {
    names: ["id", "client_send", "client_rcv"],
    what: "SeBS's clock-synchronization datagram times (invocation-overhead, network-ping-pong)",
  },
  {
    starts: /^\{\s*"\d+"\s*:\s*\[\s*\[/,
    what: "SeBS's eviction-model result (whether containers survive each idle time)",
  },
  {
    names: ["func", "start", "end", "is_cold", "provider.request_id", "rep"],
    what: "SeBS's workflow measurements (its workflows branch): one row per function of a " +
      "workflow run, timed inside the function, without the client's latency",
  },
];

/** The names of a CSV header line (the first line of `text`). */
function headerOf(text: string): string[] {
  return text.split(/\r?\n/, 1)[0].split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
}

/** The format a CSV header is of, or null. */
function csvFormat(header: readonly string[]): Format | null {
  if (["is_cold", "client_time", "provider_time"].every((h) => header.includes(h))) {
    return "sebs-csv";
  }
  return isInvitroHeader(header) ? "invitro-csv" : null;
}

/**
 * What the file whose first bytes are `head` is, where it is one the tools write beside their
 * per-invocation files (cluster statistics, per-minute counts, trace inputs), or null.
 */
export function notInvocations(head: string): string | null {
  const text = head.replace(/^\uFEFF/, "").trimStart();
  if (text === "") return "an empty file";
  const starts = NOT_INVOCATIONS.find((n) => n.starts?.test(text));
  if (starts || text.startsWith("{")) return starts?.what ?? null;
  const names = headerOf(text);
  // In-Vitro's 2022 invocation records carry the Knative statistics beside each invocation.
  if (csvFormat(names) !== null) return null;
  return NOT_INVOCATIONS.find((n) => n.names?.every((name) => names.includes(name)))?.what ??
    null;
}

/** The format of `head` (a file's first bytes), or null where they do not tell. */
export function detectFormat(head: string): Format | null {
  // `wsk activation get` prints a line before the record.
  const bare = head.replace(/^\uFEFF/, "");
  const text = bare.replace(WSK_HEADER, "").trimStart();
  // `wsk activation list --full` of no activation prints its header line alone.
  if (text === "" && WSK_HEADER.test(bare)) return "openwhisk-jsonl";
  if (text.startsWith("[")) return "openwhisk-json";
  if (text.startsWith("{")) {
    const key = /^\{\s*"((?:[^"\\]|\\.)*)"/.exec(text);
    if (key && key[1] === "_invocations") return "sebs-json";
    return notInvocations(text) === null ? "openwhisk-jsonl" : null;
  }
  return csvFormat(headerOf(text));
}

/** The format of the file at `path` from its first bytes, or null where they do not tell. */
export async function detectFileFormat(path: string): Promise<Format | null> {
  return detectFormat(await readHead(path));
}

/** What the file at `path` is where it holds no invocation ({@linkcode notInvocations}). */
export async function fileNotInvocations(path: string): Promise<string | null> {
  return notInvocations(await readHead(path));
}

/**
 * Why the file at `path` cannot be read as UTF-8 text where it is UTF-16 (Windows PowerShell's
 * `>` and `Out-File` write it), else null: its head decoded as UTF-8 starts with the replaced
 * bytes of a UTF-16 byte order mark, or its first 16 characters alternate with NULs (ASCII
 * text in UTF-16 without a mark; another binary file is left to the format's own errors).
 */
export async function utf16Problem(path: string): Promise<string | null> {
  const head = await readHead(path);
  const first = head.slice(0, 16);
  const nulAt = (parity: number) =>
    first.length === 16 && [...first].every((c, i) => (i % 2 === parity) === (c === "\u0000"));
  return /^\uFFFD\uFFFD/.test(head) || nulAt(0) || nulAt(1)
    ? "UTF-16 text (as PowerShell's > writes it), not UTF-8: convert it first, e.g. " +
      "iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"
    : null;
}

/** The first bytes of the file at `path`, as text. */
async function readHead(path: string): Promise<string> {
  using file = await Deno.open(path);
  const buf = new Uint8Array(HEAD_BYTES);
  let n = 0;
  while (n < buf.length) {
    const got = await file.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return new TextDecoder().decode(buf.subarray(0, n));
}

/**
 * Whether `source` is a folder of the thesis's raw logs (every raw file of that layout is a
 * `.log`), which the thesis ingest reads; other tools' files go to the importers. A `.log` a
 * tool writes beside its results (SeBS's out.log: {@linkcode notInvocations}) does not count,
 * unless named as a raw log; any other `.log` does, so that the thesis ingest names it.
 */
export async function isThesisLayout(source: string): Promise<boolean> {
  if (!(await Deno.stat(source)).isDirectory) return false;
  // A linked raw log counts as one: the thesis ingest reads it like the file.
  for await (const e of Deno.readDir(source)) {
    if (!(e.isFile || e.isSymlink) || !e.name.endsWith(".log")) continue;
    if (classify(e.name) !== null || e.isSymlink) return true;
    if (await fileNotInvocations(join(source, e.name)) === null) return true;
  }
  return false;
}
