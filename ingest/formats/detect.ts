/**
 * Which importer reads a file, told from its first bytes where that is unambiguous: a JSON
 * array is OpenWhisk activation records; a JSON object whose first key is `_invocations` is a
 * SeBS perf-cost result (SeBS writes sorted keys); any other JSON object starts activation
 * records one after another (JSON lines); a CSV header with SeBS's or In-Vitro's column names
 * is theirs. Anything else needs `--format`.
 */

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

/** The format of `head` (a file's first bytes), or null where they do not tell. */
export function detectFormat(head: string): Format | null {
  // `wsk activation get` prints a line before the record.
  const text = head.replace(/^\uFEFF/, "").replace(WSK_HEADER, "").trimStart();
  if (text.startsWith("[")) return "openwhisk-json";
  if (text.startsWith("{")) {
    const key = /^\{\s*"((?:[^"\\]|\\.)*)"/.exec(text);
    if (key && key[1] === "_invocations") return "sebs-json";
    return "openwhisk-jsonl";
  }
  const header = text.split(/\r?\n/, 1)[0].split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  if (["is_cold", "client_time", "provider_time"].every((h) => header.includes(h))) {
    return "sebs-csv";
  }
  if (["invocationID", "startTime", "responseTime"].every((h) => header.includes(h))) {
    return "invitro-csv";
  }
  return null;
}

/** The first bytes of the file at `path`, as text. */
async function fileHead(path: string): Promise<string> {
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

/** The format of the file at `path` from its first bytes, or null where they do not tell. */
export async function detectFileFormat(path: string): Promise<Format | null> {
  return detectFormat(await fileHead(path));
}

/**
 * What a file of no known format looks like, where its first bytes say it, as a sentence to
 * add to the error: `wsk activation list` without `--full` prints a table that has no
 * waitTime or initTime.
 */
export async function unknownFormatHint(path: string): Promise<string> {
  const head = (await fileHead(path)).replace(/^\uFEFF/, "").trimStart();
  if (/^Datetime\s+Activation ID\s+Kind\s+Start\s+Duration/.test(head)) {
    return " (it is `wsk activation list` output without --full: its table has no waitTime " +
      "or initTime; list with --full, or page the API with deno task collect activations)";
  }
  return "";
}

/**
 * Whether `source` is a folder of the thesis's raw logs (every raw file of that layout is a
 * `.log`), which the thesis ingest reads; other tools' files go to the importers.
 */
export async function isThesisLayout(source: string): Promise<boolean> {
  if (!(await Deno.stat(source)).isDirectory) return false;
  // A linked raw log counts as one: the thesis ingest reads it like the file.
  for await (const e of Deno.readDir(source)) {
    if ((e.isFile || e.isSymlink) && e.name.endsWith(".log")) return true;
  }
  return false;
}
