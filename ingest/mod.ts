/**
 * `ingest`: raw logs in the thesis's formats -> a dataset (DESIGN.md). Every activation record
 * of a `1_` log becomes a row; the derived `2_` and `4_` files become sample rows where no raw
 * log stands behind them, and are checked against the raw log where one does (so no activation
 * is stored twice); resource and timing logs become their tables.
 *
 * The dataset is written to a temporary folder and renamed into place only when every file
 * has been read without error: a bad file leaves no partial dataset.
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { checkOutput, replaceFolder } from "../dataset/folder.ts";
import { ActivationRows, TsvPartWriter } from "../dataset/activation_bytes.ts";
import {
  ACTIVATION_COLUMNS,
  activationRow,
  type DatasetMeta,
  emptyFrame,
  errorRow,
  FrameBuilder,
  notDatasetFiles,
  RESOURCE_COLUMNS,
  sampleRow,
  TIMING_COLUMNS,
  writeMeta,
  writePart,
} from "../dataset/mod.ts";
import { readActivationLog } from "./activation_log.ts";
import { classify, type LatencyLog, type RawFile } from "./file_kind.ts";
import { readLines } from "./lines.ts";
import { parseDockerSumLog, parsePsLog } from "./resource_logs.ts";
import { type LevelValues, parseIdLines, readLevelLines } from "./sample_logs.ts";
import { chunked } from "./file_chunks.ts";
import { FileHasher } from "./file_hasher.ts";
import { parseTimingLog } from "./timing_logs.ts";
import { checkIngestedIds } from "./unique_ids.ts";

/** Options of {@linkcode ingest}. */
export interface IngestOptions {
  /** Extra provenance merged into dataset.json (host, settings, actions...). Default none. */
  meta?: DatasetMeta;
  /** Rows per Parquet part (bounds memory: a part holds the record JSON of each row). Default 100,000. */
  partRows?: number;
  /**
   * Values of `2_`/`4_` level lines per Parquet part (bounds memory however large the file; a
   * file of fewer values is one part named like the file). Default 1,000,000.
   */
  samplePartValues?: number;
  /** Tool name and version written to dataset.json. Default "whiskbench". */
  tool?: string;
}

/** What ingest found, as written to dataset.json under `ingest`. */
export interface IngestReport {
  tool: string;
  files: { name: string; bytes: number; sha256: string; role: string; rows: number }[];
  runs: Record<string, number>;
  run_errors: {
    file: string;
    run: number;
    after_level: number | null;
    error: string;
    line: number;
  }[];
  checks: Check[];
}

/** The comparison of a derived file with the raw log it repeats. */
export interface Check {
  file: string;
  against: string;
  compared: number;
  agree: boolean;
  differences: string[];
}

/** What a derived file repeats of its raw log: every waitTime, the warm ones, the cold starts. */
type Repeated = "waits" | "warm" | "cold";

/** What a raw log says, kept to check the derived files that repeat it (only what they repeat). */
interface RawIndex {
  file: string;
  coldById: Map<string, { level: number; ms: number }>;
  waitsByLevel: Map<number, number[]>;
  warmByLevel: Map<number, number[]>;
}

function push<K>(map: Map<K, number[]>, key: K, v: number) {
  const list = map.get(key);
  if (list) list.push(v);
  else map.set(key, [v]);
}

/**
 * Reads every file of `rawDir` and writes the dataset to `outDir` (replacing it), or throws
 * naming the first bad file and place, leaving `outDir` as it was.
 */
export async function ingest(
  rawDir: string,
  outDir: string,
  { meta = {}, partRows = 100_000, samplePartValues = 1_000_000, tool = "whiskbench" }:
    IngestOptions = {},
): Promise<IngestReport> {
  await checkOutput(outDir, "dataset", { inputs: [rawDir] });
  const names = await rawNames(rawDir);
  const unknown = names.filter((n) => classify(n) === null).sort();
  if (unknown.length > 0) {
    throw new Error(
      `${rawDir}: not a raw file of a known layout: ${unknown.join(", ")} (expected ` +
        `<stage>_<runtime>_<cold_start|concurrency|capacity>[_<workload>].log, <runtime>_res.log, ` +
        `function_cold_times.log or function_times.log)`,
    );
  }
  if (names.length === 0) throw new Error(`${rawDir}: no raw files`);
  const files = names.map((name) => ({ name, role: classify(name)! }));
  // Raw logs first, so the files derived from them can be checked against them.
  const order = (r: RawFile) => ("stage" in r ? r.stage : 9);
  files.sort((a, b) => order(a.role) - order(b.role) || (a.name < b.name ? -1 : 1));

  const keep = await notDatasetFiles(outDir);
  const report: IngestReport = { tool, files: [], runs: {}, run_errors: [], checks: [] };
  const unlabelled: Record<string, number[]> = {};
  // Raw logs whose records a derived file repeats, and what of them it repeats: only these
  // are kept to check against.
  const derived = new Map<string, Set<Repeated>>();
  for (const { role } of files) {
    if (role.kind !== "samples" && role.kind !== "warm_samples") continue;
    const what: Repeated = role.kind === "warm_samples"
      ? "warm"
      : role.experiment === "cold_start"
      ? "cold"
      : "waits";
    derived.set(role.key, (derived.get(role.key) ?? new Set()).add(what));
  }
  const writer = new TsvPartWriter();
  // Every file's SHA-256, in a worker, while the files are read here (file_hasher.ts).
  const hasher = new FileHasher();
  const hashes = files.map(({ name }) => hasher.hash(join(rawDir, name)));
  try {
    await replaceFolder(outDir, "dataset", async (tmp) => {
      try {
        await ingestInto(tmp);
      } catch (err) {
        await writer.close().catch(() => {});
        throw err;
      }
    }, { keep });
  } finally {
    hasher.close();
  }
  return report;

  async function ingestInto(tmp: string): Promise<void> {
    const raw = new Map<string, RawIndex>();
    for (const [i, { name, role }] of files.entries()) {
      const size = { n: 0 };
      const path = join(rawDir, name);
      const chunks = chunked(path, size);
      const stem = name.replace(/\.log$/, "");
      let rows = 0;
      if (role.kind === "activations") {
        rows = await ingestActivationLog(chunks, name, role, tmp, stem, partRows, report, raw, {
          index: derived.get(role.key),
          writer,
        });
      } else if (role.kind === "samples" || role.kind === "warm_samples") {
        rows = await ingestSampleLog(chunks, name, role, tmp, stem, report, raw, {
          partValues: samplePartValues,
          writer,
        });
      } else if (role.kind === "resources") {
        const lines = readLines(chunks, name);
        const first = await lines.next();
        if (first.done) throw new SyntaxError(`${name}: empty file`);
        const all = (async function* () {
          yield first.value;
          yield* lines;
        })();
        const parse = /^\s*SPID\b/.test(first.value.text) ? parsePsLog : parseDockerSumLog;
        const parsed = await parse(all, name, role);
        const b = new FrameBuilder(RESOURCE_COLUMNS);
        parsed.forEach((r) => b.push(r));
        rows = b.length;
        await writePart(tmp, "resources", stem, b.toFrame());
      } else {
        const parsed = await parseTimingLog(readLines(chunks, name), name, role.runtime);
        const b = new FrameBuilder(TIMING_COLUMNS);
        parsed.rows.forEach((r) => b.push(r));
        rows = b.length;
        if (parsed.unlabelled.length > 0) unlabelled[name] = parsed.unlabelled;
        await writePart(tmp, "timings", stem, b.toFrame());
      }
      const hash = await hashes[i];
      if (hash.bytes !== size.n) {
        throw new Error(
          `${name}: changed while being ingested (${size.n} bytes read, ${hash.bytes} hashed)`,
        );
      }
      report.files.push({ name, bytes: size.n, sha256: hash.sha256, role: roleName(role), rows });
    }
    await writer.close();
    await checkIngestedIds(tmp, rawDir);
    report.files.sort((a, b) => (a.name < b.name ? -1 : 1));
    const ingestMeta: Record<string, unknown> = { ...report };
    if (Object.keys(unlabelled).length > 0) ingestMeta.unlabelled_numbers = unlabelled;
    await writeMeta(tmp, { ...meta, ingest: ingestMeta });
  }
}

/**
 * The names of the files of `rawDir`. A symbolic link to a file is read like the file (a large
 * log is often linked, not copied); one to anything else, or a folder, is an error naming it,
 * never skipped.
 */
async function rawNames(rawDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(rawDir)) {
    if (e.isSymlink) {
      const path = join(rawDir, e.name);
      const target = await Deno.stat(path).catch(() => null);
      if (!target?.isFile) {
        throw new Error(
          `${path}: a symbolic link to ${
            target ? "something that is not a file" : "nothing (dangling)"
          }, expected a raw log`,
        );
      }
      names.push(e.name);
    } else if (e.isFile) names.push(e.name);
    else {
      throw new Error(
        `${join(rawDir, e.name)}: a folder; ingest reads the raw logs of ${rawDir} itself, not ` +
          `of its folders (ingest that folder on its own)`,
      );
    }
  }
  return names;
}

function roleName(role: RawFile): string {
  if (role.kind === "resources") return `resources (${role.runtime})`;
  if (role.kind === "timings") return `timings (${role.which})`;
  return `${role.kind} (${role.key})`;
}

async function ingestActivationLog(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  where: LatencyLog,
  out: string,
  stem: string,
  partRows: number,
  report: IngestReport,
  raw: Map<string, RawIndex>,
  { index: repeated, writer }: { index?: Set<Repeated>; writer: TsvPartWriter },
): Promise<number> {
  const { experiment, workload, runtime } = where;
  const index: RawIndex = {
    file: name,
    coldById: new Map(),
    waitsByLevel: new Map(),
    warmByLevel: new Map(),
  };
  const keepIndex = repeated !== undefined;
  const [waits, warm, cold] = (["waits", "warm", "cold"] as const).map((w) => repeated?.has(w));
  const b = new ActivationRows({ experiment, workload, runtime }, { index: keepIndex });
  const remember = (level: number, id: string, wait: number, init: number | null) => {
    if (waits) push(index.waitsByLevel, level, wait);
    if (init === null) {
      if (warm) push(index.warmByLevel, level, wait);
    } else if (cold) index.coldById.set(id, { level, ms: wait + init });
  };
  let part = 0, total = 0, runs = 0, lastLevel: number | null = null;
  const flush = async () => {
    if (b.length === 0) return;
    part++;
    total += b.length;
    await b.writePart(out, `${stem}.${String(part).padStart(4, "0")}`, writer);
  };
  for await (const item of readActivationLog(chunks, name, b)) {
    const ctx = { experiment, workload, runtime, run: item.run, level: null as number | null };
    runs = item.run;
    if (item.type === "trailer") {
      b.push(errorRow(ctx, item.text));
      report.run_errors.push({
        file: name,
        run: item.run,
        after_level: lastLevel,
        error: item.text,
        line: item.line,
      });
      continue;
    }
    ctx.level = lastLevel = item.level;
    if (item.fast !== undefined) {
      // Read by the fast path: the rows are in the builder already.
      const fast = item.index;
      if (fast) fast.waits.forEach((w, k) => remember(item.level, fast.ids[k], w, fast.inits[k]));
    } else {
      item.responses.forEach((record, k) => {
        const row = activationRow(
          record,
          ctx,
          `${name} byte ${item.offset} (line ${item.line}, level ${item.level}, record ${k + 1})`,
        );
        b.push(row);
        if (keepIndex) remember(item.level, row.activation_id!, row.wait_ms!, row.init_ms);
      });
    }
    if (b.length >= partRows) await flush();
  }
  await flush();
  report.runs[where.key] = runs;
  raw.set(where.key, index);
  return total;
}

async function ingestSampleLog(
  chunks: AsyncIterable<Uint8Array>,
  name: string,
  where: LatencyLog,
  out: string,
  stem: string,
  report: IngestReport,
  raw: Map<string, RawIndex>,
  { partValues, writer }: { partValues: number; writer: TsvPartWriter },
): Promise<number> {
  const index = raw.get(where.key);
  const { experiment, workload, runtime } = where;
  const source = where.kind === "warm_samples" ? "warm_samples" : "samples";
  if (where.experiment === "cold_start" && where.kind === "samples") {
    const lines = await parseIdLines(readLines(chunks, name), name);
    if (index) {
      report.checks.push(checkIds(name, index, lines));
      return 0;
    }
    // No raw log: keep the cold-start latencies as samples (wait + init, split unknown).
    const b = new FrameBuilder(ACTIVATION_COLUMNS);
    for (const l of lines) {
      b.push({
        ...sampleRow({ experiment, workload, runtime, run: null, level: l.level }, "samples", l.ms),
        activation_id: l.activation_id,
      });
    }
    await writePart(out, "activations", stem, b.toFrame());
    return lines.length;
  }
  const levels = readLevelLines(readLines(chunks, name, { maxChars: LEVEL_PIECE_CHARS }), name);
  if (index) {
    const expected = source === "warm_samples" ? index.warmByLevel : index.waitsByLevel;
    report.checks.push(await checkLevels(name, index.file, expected, levels));
    return 0;
  }
  // Parts of about `partValues` values as the lines are read. A file that fits one part is one
  // frame, named like the file (the thesis's parts); a larger one is numbered parts like a 1_
  // log's, written as TSV rows by polars' streaming engine: a frame's native memory waits for
  // the garbage collector, so a frame a part would grow with the file.
  const labels = { experiment, workload, runtime };
  const batch = new SampleBatch();
  let parts = 0, rows = 0;
  const numbered = async () => {
    rows += batch.length;
    const part = `${stem}.${String(++parts).padStart(4, "0")}`;
    await writer.write(out, part, sampleTsv(batch), {
      columns: { level: pl.Float64, wait_ms: pl.Float64 },
      complete: (scan) => scan.select(...sampleColumns(labels, source)),
    }, { experiment, runtime });
    batch.clear();
  };
  for await (const piece of levels) {
    batch.push(piece);
    if (batch.length >= partValues) await numbered();
  }
  if (parts > 0) {
    if (batch.length > 0) await numbered();
    return rows;
  }
  await writePart(out, "activations", stem, sampleFrame(labels, source, batch));
  return batch.length;
}

/** The level and wait_ms of sample rows, as TSV, for {@linkcode TsvPartWriter}. */
function sampleTsv(batch: SampleBatch): Uint8Array[] {
  const encoder = new TextEncoder();
  const pieces: Uint8Array[] = [];
  let text = "";
  for (let i = 0; i < batch.length; i++) {
    text += `${batch.level[i]}\t${batch.wait[i]}\n`;
    if (text.length >= 1 << 20) {
      pieces.push(encoder.encode(text));
      text = "";
    }
  }
  if (text !== "") pieces.push(encoder.encode(text));
  return pieces;
}

/** Characters of a level line parsed at a time (readLines cuts longer lines at commas). */
const LEVEL_PIECE_CHARS = 1 << 16;

/** The level and waitTime of the sample rows of one part, in growable typed arrays. */
class SampleBatch {
  level = new Float64Array(1 << 16);
  wait = new Float64Array(1 << 16);
  length = 0;

  push({ level, values }: LevelValues) {
    const need = this.length + values.length;
    if (need > this.wait.length) {
      let size = this.wait.length;
      while (size < need) size *= 2;
      const grow = (a: Float64Array) => {
        const b = new Float64Array(size);
        b.set(a.subarray(0, this.length));
        return b;
      };
      this.level = grow(this.level);
      this.wait = grow(this.wait);
    }
    for (const v of values) {
      this.level[this.length] = level;
      this.wait[this.length++] = v;
    }
  }

  clear() {
    this.length = 0;
  }
}

/**
 * The sample rows of level lines as one frame, column by column: the two columns that vary
 * (level, wait_ms) from typed arrays, every other one a constant taken from
 * {@linkcode sampleRow}, so the rows are the function's own. A row object per value would
 * cost about 700 bytes each (1.6 GB for a 10 MB file); this costs the two columns.
 */
function sampleFrame(
  where: { experiment: string; workload: string; runtime: string },
  source: "samples" | "warm_samples",
  batch: SampleBatch,
): pl.DataFrame {
  const level = batch.level.subarray(0, batch.length);
  const wait = batch.wait.subarray(0, batch.length);
  return pl.DataFrame({ level, wait_ms: wait }).select(...sampleColumns(where, source));
}

/**
 * The activation columns of sample rows from a frame of their level and wait_ms: every other
 * column a constant taken from {@linkcode sampleRow}, so the rows are the function's own.
 */
function sampleColumns(
  where: { experiment: string; workload: string; runtime: string },
  source: "samples" | "warm_samples",
): pl.Expr[] {
  const row = sampleRow({ ...where, run: null, level: null }, source, 0) as Record<
    string,
    unknown
  >;
  const types = emptyFrame(ACTIVATION_COLUMNS);
  return Object.keys(ACTIVATION_COLUMNS).map((name) => {
    const dtype = types.getColumn(name).dtype;
    if (name === "level" || name === "wait_ms") return pl.col(name).cast(dtype);
    return pl.lit(row[name] ?? null).cast(dtype).alias(name);
  });
}

const MAX_DIFFERENCES = 20;

function checkIds(
  file: string,
  index: RawIndex,
  lines: { activation_id: string; level: number; ms: number; line: number }[],
): Check {
  const differences: string[] = [];
  const seen = new Set<string>();
  for (const l of lines) {
    seen.add(l.activation_id);
    const rec = index.coldById.get(l.activation_id);
    if (!rec) {
      differences.push(`line ${l.line}: ${l.activation_id} is not a cold record of ${index.file}`);
    } else if (rec.level !== l.level || rec.ms !== l.ms) {
      differences.push(
        `line ${l.line}: ${l.activation_id} level ${l.level}, ${l.ms} ms; ${index.file}: level ${rec.level}, ${rec.ms} ms`,
      );
    }
  }
  for (const id of index.coldById.keys()) {
    if (!seen.has(id)) differences.push(`${id} of ${index.file} is missing`);
  }
  return finish(file, index.file, lines.length, differences);
}

/**
 * Compares level lines, as they are read, with the waitTimes the raw log holds per level. Only
 * the position in the line is kept while the values agree; from the first difference on, the
 * counts of the values that differ (to say whether the line has the same values in another
 * order).
 */
async function checkLevels(
  file: string,
  against: string,
  expected: Map<number, number[]>,
  levels: AsyncIterable<LevelValues>,
): Promise<Check> {
  const differences: string[] = [];
  let compared = 0;
  let k = 0; // values of the current line so far
  let delta: Map<number, number> | null = null; // this line's values less the raw log's, from the first difference
  const add = (v: number, by: number) => {
    const n = (delta!.get(v) ?? 0) + by;
    if (n === 0) delta!.delete(v);
    else delta!.set(v, n);
  };
  for await (const { level, values, line, end } of levels) {
    const want = expected.get(level) ?? [];
    for (const v of values) {
      if (!delta && v !== want[k]) delta = new Map();
      if (delta) {
        add(v, 1);
        if (k < want.length) add(want[k], -1);
      }
      k++;
    }
    if (!end) continue;
    compared += k;
    if (k !== want.length || delta) {
      if (!delta) delta = new Map();
      for (let i = k; i < want.length; i++) add(want[i], -1);
      differences.push(
        `line ${line} (level ${level}): ${k} values; ${against}: ${want.length}` +
          (delta.size === 0 ? " (same values, other order)" : ""),
      );
    }
    k = 0;
    delta = null;
  }
  return finish(file, against, compared, differences);
}

function finish(file: string, against: string, compared: number, differences: string[]): Check {
  const n = differences.length;
  const shown = differences.slice(0, MAX_DIFFERENCES);
  if (n > MAX_DIFFERENCES) shown.push(`... and ${n - MAX_DIFFERENCES} more`);
  return { file, against, compared, agree: n === 0, differences: shown };
}
