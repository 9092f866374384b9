/**
 * `ingest --format`: other tools' cold-start data -> a dataset. Each file's format is told
 * from its content where that is unambiguous (detect.ts), or given; every importer streams
 * its file into `activations` rows (IMPORTED_COLUMNS: the contract's columns, plus which
 * latency a row carries), written part by part; dataset.json records each file's format,
 * size and SHA-256, its rows, and what its latency is.
 *
 * As the thesis ingest does, the dataset is built beside `outDir` and swapped into place
 * (dataset/folder.ts) only when every file was read without error.
 */
import { basename, dirname, join, relative, sep } from "node:path";
import {
  type DatasetMeta,
  forEachPart,
  FrameBuilder,
  IMPORTED_COLUMNS,
  type ImportedRow,
  notDatasetFiles,
  writeMeta,
  writePart,
} from "../../dataset/mod.ts";
import { checkOutput, replaceFolder } from "../../dataset/folder.ts";
import { chunked } from "../file_chunks.ts";
import { FileHasher } from "../file_hasher.ts";
import { duplicateId, duplicatePlaces } from "../unique_ids.ts";
import { classify } from "../file_kind.ts";
import {
  detectFileFormat,
  fileNotInvocations,
  type Format,
  FORMATS,
  LFS_POINTER,
  utf16Problem,
} from "./detect.ts";
import { importRecordFile, RECORD_PART_ROWS } from "./openwhisk_records.ts";
import { sebsJsonRows } from "./sebs.ts";
import { SLICE_BYTES } from "./csv_slices.ts";
import { importCsvFile } from "./csv_import.ts";

/** What each format's rows carry, as dataset.json states it. */
export const LATENCY_OF: Record<Format, string> = {
  "openwhisk-json": "activation records: wait_ms = waitTime, init_ms = initTime (cold starts " +
    "only); cold-start latency = wait_ms + init_ms",
  "openwhisk-jsonl": "activation records: wait_ms = waitTime, init_ms = initTime (cold starts " +
    "only); cold-start latency = wait_ms + init_ms",
  "sebs-csv": "client_time (SeBS driver's round trip) in client_ms; no waitTime or initTime " +
    "(wait_ms, init_ms null); provider_time in duration_ms, exec_time in exec_ms, " +
    "connection_time (curl, seconds in SeBS) in connect_ms",
  "sebs-json": "client_time (SeBS driver's round trip) in client_ms; no waitTime (wait_ms " +
    "null); provider initialization (OpenWhisk: initTime) in init_ms where processed; " +
    "provider execution in duration_ms",
  "invitro-csv": "with waitTime/initTime columns (its OpenWhisk records): wait_ms = waitTime, " +
    "init_ms = initTime for cold starts; without (its other records, and its latency and exec " +
    "records of 2021-22): responseTime (response_time or latency before October 2022; client " +
    "round trip, microseconds) in client_ms, no waitTime or initTime (wait_ms, init_ms null); " +
    "actualDuration (runtime in early 2022; the function's own timing) in duration_ms; the " +
    "function's memory use (actualMemoryUsage MiB, null where 0: not measured; memory KiB " +
    "before October 2022) in mem_used_mb; a timed-out, failed or memory-allocation-timeout " +
    "invocation is an error row; every column of the CSV row, the 2022 cluster state " +
    "included, in record",
};

/** Options of {@linkcode importFiles}. */
export interface ImportOptions {
  /** Read every file as this format. Default: told from each file's content. */
  format?: Format;
  /** The rows' runtime where a format does not say it (or to override it). */
  runtime?: string;
  /** The rows' workload, overriding what a format says. */
  workload?: string;
  /** Extra provenance merged into dataset.json. Default none. */
  meta?: DatasetMeta;
  /**
   * Rows per Parquet part. Default 100,000; OpenWhisk record files take at most
   * {@linkcode RECORD_PART_ROWS}.
   */
  partRows?: number;
  /** Bytes of a CSV file read by polars at a time, a part each. Default 8 MiB. */
  csvSliceBytes?: number;
  /** Tool name written to dataset.json. Default "whiskbench". */
  tool?: string;
  /** Called with each file's format once all are known, before any is read. */
  onFormats?: (formats: Format[]) => void;
}

/** One imported file, as dataset.json lists it. */
export interface ImportedFile {
  name: string;
  format: Format;
  bytes: number;
  sha256: string;
  rows: number;
  /** Set where the file's rows come from other files (SeBS's CSV beside its JSON). */
  skipped?: string;
  /** Records left out as not an action's activation (a trigger's or a rule's), where any. */
  not_actions?: number;
  /** Where a file's units are not its format's usual ones, which and why. */
  units?: string;
  /** Which version of its format the file is, where the format has several (In-Vitro). */
  version?: string;
}

/** What dataset.json says of an In-Vitro file whose waitTime is in milliseconds. */
export const WAIT_MS_NOTE = "waitTime read as milliseconds: some values are not multiples of " +
  "1000, as In-Vitro wrote it unconverted from 25 April to 7 June 2023 (microseconds otherwise)";

/** What an import did, written to dataset.json under `import`. */
export interface ImportReport {
  tool: string;
  files: ImportedFile[];
  /** Files of a source folder that hold no invocation, left out, and what each is. */
  left_out?: { name: string; what: string }[];
  latency: Partial<Record<Format, string>>;
}

/** What dataset.json says of a symbolic link in a source folder. */
export const LINK_LEFT_OUT = "a symbolic link, not followed (pass its target by name to import it)";

/** What import.left_out says of a folder inside a source folder. */
export const FOLDER_LEFT_OUT = "a folder, not read (pass its path to import its files)";

/**
 * The files a source names: itself, or a folder's files (not hidden ones), by name, and the
 * folder's symbolic links: a link may lead out of the folder or back into it, so it is named,
 * not read.
 */
async function filesOf(
  source: string,
): Promise<{ folder: boolean; files: string[]; links: string[]; folders: string[] }> {
  const info = await Deno.stat(source);
  if (!info.isDirectory) return { folder: false, files: [source], links: [], folders: [] };
  const names: string[] = [], links: string[] = [], folders: string[] = [];
  for await (const e of Deno.readDir(source)) {
    if (e.name.startsWith(".")) continue;
    if (e.isFile) names.push(e.name);
    else if (e.isSymlink) links.push(e.name);
    else if (e.isDirectory) folders.push(e.name);
  }
  if (names.length + links.length + folders.length === 0) {
    throw new Error(`${source}: no files to import`);
  }
  return {
    folder: true,
    files: names.sort().map((n) => join(source, n)),
    links: links.sort(),
    folders: folders.sort(),
  };
}

/**
 * Imports every file of `sources` (files or folders) into a dataset at `outDir` (replacing
 * it), or throws naming the first bad file and place, leaving `outDir` as it was.
 */
export async function importFiles(
  sources: string[],
  outDir: string,
  {
    format,
    runtime,
    workload,
    meta = {},
    partRows = 100_000,
    csvSliceBytes = SLICE_BYTES,
    tool = "whiskbench",
    onFormats,
  }: ImportOptions = {},
): Promise<ImportReport> {
  const listed = await Promise.all(sources.map(filesOf));
  const paths: string[] = [];
  const formats: Format[] = [];
  // A tool's output folder holds files beside its per-invocation results (cluster usage,
  // inputs): found in a folder they are left out and named; given by name they are an error.
  const leftOut: { name: string; what: string }[] = [];
  for (const { links, folders } of listed) {
    for (const l of links) leftOut.push({ name: shownName(l), what: LINK_LEFT_OUT });
    for (const f of folders) leftOut.push({ name: shownName(f), what: FOLDER_LEFT_OUT });
  }
  for (const [s, path] of listed.flatMap(({ files }, s) => files.map((p) => [s, p] as const))) {
    if (format === undefined && classify(basename(path)) !== null) {
      throw new Error(
        `${
          shownName(path)
        } is a raw log of the thesis's layout: ingest its folder (deno task ingest DIR)`,
      );
    }
    const utf16 = await utf16Problem(path);
    if (utf16 !== null) throw new Error(`${shownName(path)}: ${utf16}`);
    const f = format ?? await detectFileFormat(path);
    const what = f === null ? await fileNotInvocations(path) : null;
    if (what !== null && what !== LFS_POINTER && listed[s].folder) {
      leftOut.push({ name: shownName(relative(sources[s], path)), what });
      continue;
    }
    if (what !== null) {
      throw new Error(
        `${shownName(path)}: ${what}; whiskbench imports no such file: pass the tool's ` +
          `per-invocation results without it`,
      );
    }
    if (f === null) {
      throw new Error(
        `${shownName(path)}: cannot tell its format from its content; pass --format (one of ${
          FORMATS.join(", ")
        })`,
      );
    }
    paths.push(path);
    formats.push(f);
  }
  if (paths.length === 0) {
    throw new Error(
      `no per-invocation results to import: ${
        leftOut.map((l) => `${l.name} is ${l.what}`).join("; ")
      }`,
    );
  }
  // One file twice (named, or in a folder and by name) would be imported twice.
  const real = await Promise.all(paths.map((p) => Deno.realPath(p)));
  const twice = real.findIndex((r, i) => real.indexOf(r) !== i);
  if (twice >= 0) {
    throw new Error(`${shownName(paths[twice])}: given twice; its rows would be imported twice`);
  }
  onFormats?.(formats);
  // SeBS's result.csv repeats the rows of the JSON files beside it, which say more: with
  // JSON files, the CSV is checked for its row count and not imported again; and a
  // `-processed` JSON replaces the raw one of the same configuration.
  const sebsJson = paths.filter((_, i) => formats[i] === "sebs-json");
  const skip = new Map<string, string>();
  for (const [i, p] of paths.entries()) {
    if (formats[i] === "sebs-csv" && sebsJson.length > 0) {
      skip.set(p, "its rows are those of the SeBS JSON files imported beside it");
    }
    // `sebs benchmark process` writes experiments.json's invocations, processed, to results.json.
    if (
      formats[i] === "sebs-json" && basename(p) === "experiments.json" &&
      sebsJson.includes(join(dirname(p), "results.json"))
    ) {
      skip.set(p, "results.json holds the same invocations");
    }
    if (formats[i] === "sebs-json" && sebsJson.includes(p.replace(/\.json$/, "-processed.json"))) {
      skip.set(
        p,
        `${basename(p.replace(/\.json$/, "-processed.json"))} holds the same invocations`,
      );
    }
  }

  await checkOutput(outDir, "dataset", { inputs: sources });
  const keep = await notDatasetFiles(outDir);
  const report: ImportReport = { tool, files: [], latency: {} };
  if (leftOut.length > 0) report.left_out = leftOut;
  const hasher = new FileHasher();
  const hashes = paths.map((p) => hasher.hash(p));
  const names = uniqueNames(paths);
  try {
    await replaceFolder(outDir, "dataset", importInto, { keep });
  } finally {
    hasher.close();
  }
  return report;

  async function importInto(tmp: string): Promise<void> {
    const stems = new Set<string>();
    const fileOfStem = new Map<string, { name: string; path: string }>();
    let jsonRows = 0;
    const csvChecks: { file: ImportedFile; rows: number }[] = [];
    for (const [i, path] of paths.entries()) {
      const f = formats[i], name = names[i], size = { n: 0 };
      // In-Vitro files of spring 2023 hold waitTime in milliseconds (csv_import.ts).
      let waitMs = false, version: string | undefined;
      const options = { runtime, workload };
      const skipped = skip.get(path);
      const stem = stemOf(name, stems);
      fileOfStem.set(stem, { name, path });
      let n: number, notActions = 0;
      try {
        if (f === "openwhisk-json" || f === "openwhisk-jsonl") {
          const layout = f === "openwhisk-json" ? "array" : "lines";
          const read = await importRecordFile(chunked(path, size), name, layout, options, {
            dir: tmp,
            stem,
            partRows: Math.min(partRows, RECORD_PART_ROWS),
          });
          n = read.rows;
          notActions = read.notActions;
        } else if (f === "invitro-csv" || f === "sebs-csv") {
          const read = await importCsvFile(path, name, f, options, {
            dir: tmp,
            stem,
            sliceBytes: csvSliceBytes,
            write: skipped === undefined,
            size,
          });
          n = read.rows;
          waitMs = read.waitMs;
          version = read.version;
        } else {
          const bytes = await Deno.readFile(path);
          size.n = bytes.length;
          const rows = sebsJsonRows(new TextDecoder().decode(bytes), name, basename(path), options);
          n = await writeRows(rows, tmp, stem, partRows, skipped === undefined);
        }
      } catch (cause) {
        // A file cut or grown while it is read reads as a bad line: say that it changed.
        const [hashed, now] = await Promise.all([
          hashes[i].catch(() => null),
          Deno.stat(path).catch(() => null),
        ]);
        if (hashed !== null && now !== null && hashed.bytes !== now.size) {
          throw new Error(
            `${name}: changed while being imported (${hashed.bytes} bytes hashed, ${now.size} now)`,
            { cause },
          );
        }
        throw cause;
      }
      const hash = await hashes[i];
      if (hash.bytes !== size.n) {
        throw new Error(
          `${name}: changed while being imported (${size.n} bytes read, ${hash.bytes} hashed)`,
        );
      }
      // Two files of the same bytes (a copy under another name) hold the same invocations.
      const same = report.files.find((g) => g.sha256 === hash.sha256 && g.bytes === size.n);
      if (same !== undefined && skipped === undefined && same.skipped === undefined && n > 0) {
        throw new Error(
          `${name}: the same bytes as ${same.name}; its rows would be imported twice`,
        );
      }
      const file: ImportedFile = { name, format: f, bytes: size.n, sha256: hash.sha256, rows: n };
      if (waitMs) file.units = WAIT_MS_NOTE;
      if (version !== undefined) file.version = version;
      if (notActions > 0) file.not_actions = notActions;
      if (skipped !== undefined) {
        file.skipped = skipped;
        file.rows = 0;
        if (f === "sebs-csv") csvChecks.push({ file, rows: n });
      } else {
        report.latency[f] = LATENCY_OF[f];
        if (f === "sebs-json") jsonRows += n;
      }
      report.files.push(file);
    }
    for (const { file, rows } of csvChecks) {
      if (rows !== jsonRows) {
        throw new Error(
          `${file.name}: ${rows} rows, but the SeBS JSON files beside it hold ${jsonRows} ` +
            `invocations: import them apart (pass the CSV or the JSON files alone)`,
        );
      }
    }
    const used = [...new Set(report.files.map((f) => f.format))].join(", ");
    try {
      await checkImportedRows(tmp, used);
    } catch (err) {
      // One activation, one row: a record in two files (exports of adjacent windows share the
      // bound, both inclusive; `wsk activation get` repeats a listed one) is refused by file and
      // byte, not by part. The read-back checks the ids too, so they are read again only here.
      const d = await duplicateId(tmp);
      if (d === null) throw err;
      const stemOfPart = (part: string) => basename(part).replace(/\.\d{4}\.parquet$/, "");
      const places = await duplicatePlaces(d, (part) => fileOfStem.get(stemOfPart(part))!);
      throw new RangeError(
        `activation id ${JSON.stringify(d.id)} occurs twice: ${places.join(" and ")} ` +
          `(${d.count} records repeat an id; an activation is one row: do two exports overlap?)`,
      );
    }
    await writeMeta(tmp, { source: `imported (${used})`, ...meta, import: report });
  }
}

/** The activation columns {@linkcode checkImportedRows} reads: all but the records' text. */
const CHECKED_COLUMNS = Object.keys(IMPORTED_COLUMNS).filter((c) => c !== "record");

/**
 * Reads the activations an import wrote into `tmp` with every reader's checks, before the
 * dataset lands: an importer that wrote a row its readers refuse (a null workload, an id
 * twice, a value out of range: each was a real importer's defect once) then fails the import,
 * `--out` left as it was, instead of writing a dataset that no command can read. The records'
 * text is not read (no check looks into it). It costs 0.25-0.3 s of a 2 s import of 100 MB of
 * OpenWhisk records (184,649 rows in 16 parts) and about 60 MB of peak RSS.
 */
export async function checkImportedRows(tmp: string, formats: string): Promise<void> {
  try {
    await forEachPart(tmp, "activations", CHECKED_COLUMNS, () => {}, {
      releaseEvery: 1_000_000,
      onDamaged: (_, error) => {
        throw new Error(error);
      },
    });
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).replaceAll(
      join(tmp, "activations") + sep,
      "",
    );
    throw new Error(
      `the import (${formats}) wrote rows that whiskbench's readers refuse, so nothing was ` +
        `written: ${message} (the importer should not have written them: please report it)`,
      { cause: err },
    );
  }
}

/**
 * The stem of a file's parts: its name in a safe alphabet, made unique among `used` (to which it
 * is added) where two names differ only in characters outside it (`a b.csv`, `a_b.csv`).
 */
function stemOf(name: string, used: Set<string>): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, "_");
  let stem = safe;
  for (let k = 2; used.has(stem); k++) stem = `${safe}-${k}`;
  used.add(stem);
  return stem;
}

/**
 * File names as dataset.json and error messages show them: the base name, or the path
 * relative to the common folder where two files share a base name.
 */
function uniqueNames(paths: string[]): string[] {
  const bases = paths.map((p) => basename(p));
  // The deepest folder holding every file (the paths are absolute: cli/ingest.ts's userPath).
  const folders = paths.map((p) => dirname(p).split(sep));
  let depth = 0;
  while (folders.every((f) => depth < f.length && f[depth] === folders[0][depth])) depth++;
  const common = folders[0].slice(0, depth).join(sep) || sep;
  return paths.map((p, i) =>
    shownName(
      bases.indexOf(bases[i]) !== bases.lastIndexOf(bases[i]) ? relative(common, p) : bases[i],
    )
  );
}

/**
 * A file name as messages and dataset.json show it: control characters as JSON writes them
 * (`\n`), so that a name cannot start a line of its own in a message or the terminal.
 */
export function shownName(name: string): string {
  // deno-lint-ignore no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/**
 * Writes the rows as Parquet parts of `dir`'s activations (`partRows` a part), or only counts
 * them (`write` false); returns how many there were.
 */
async function writeRows(
  rows: AsyncIterable<ImportedRow> | Iterable<ImportedRow>,
  dir: string,
  stem: string,
  partRows: number,
  write: boolean,
): Promise<number> {
  const b = new FrameBuilder(IMPORTED_COLUMNS);
  let total = 0, part = 0;
  const flush = async () => {
    if (b.length === 0) return;
    total += b.length;
    part++;
    const frame = b.toFrame();
    if (write) {
      await writePart(dir, "activations", `${stem}.${String(part).padStart(4, "0")}`, frame);
    }
  };
  for await (const row of rows) {
    b.push(row);
    if (b.length >= partRows) await flush();
  }
  await flush();
  return total;
}
