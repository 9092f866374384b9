/**
 * One CSV file of SeBS (`result.csv`) or In-Vitro into a dataset's activations: polars reads it
 * a slice at a time (csv_slices.ts), a part per slice; where a slice holds a bad line, the line
 * reader goes through the whole file to name it.
 */
import { writePart } from "../../dataset/mod.ts";
import { releaseNativeMemory } from "../../dataset/native_memory.ts";
import { chunked } from "../file_chunks.ts";
import { csvSlices } from "./csv_slices.ts";
import { invitroReader, WAIT_NOT_MICROS } from "./invitro.ts";
import { fileChunks } from "./json_values.ts";
import { sebsCsvReader } from "./sebs.ts";
import type { CsvFrame } from "./csv_query.ts";

/** Where and how {@linkcode importCsvFile} writes. */
export interface CsvImportTarget {
  /** The dataset folder being written. */
  dir: string;
  /** Parts are named `<stem>.0001`, `<stem>.0002`, ... */
  stem: string;
  /** Bytes of the file read by polars at a time, a part each. */
  sliceBytes: number;
  /** Write the rows (false: only read, check and count them). */
  write: boolean;
  /** Counts the bytes of the file read (in its last reading). */
  size: { n: number };
}

/** Options of the CSV importers. */
export interface CsvImportOptions {
  /** The rows' runtime. */
  runtime?: string;
  /** The rows' workload. */
  workload?: string;
}

/**
 * Imports the CSV file at `path` (named `name` in messages) as `format`; resolves to its rows,
 * the version of its format where the format has several, and for In-Vitro whether its
 * waitTimes were read as milliseconds. A file's waitTimes are
 * taken as microseconds until a slice shows one that is not a multiple of 1000; the file is
 * then read again as milliseconds, the parts written so far removed (in a file of milliseconds
 * the first slice almost always shows it: one read, where a scan of the whole file first was
 * two).
 */
export async function importCsvFile(
  path: string,
  name: string,
  format: "sebs-csv" | "invitro-csv",
  options: CsvImportOptions,
  { dir, stem, sliceBytes, write, size }: CsvImportTarget,
): Promise<{ rows: number; waitMs: boolean; version?: string }> {
  // Once the line reader has gone through the whole file without an error (a slice with a
  // blank line makes it look), later slices need only the header from it.
  let checked = false;
  const whole = async function* () {
    for await (const chunk of fileChunks(path)) {
      yield chunk;
      if (checked) return;
    }
    checked = true;
  };
  const reader = format === "sebs-csv" ? sebsCsvReader : invitroReader;
  /** One reading of the file; with `waitMs` false, it stops where a waitTime says milliseconds. */
  const pass = async (waitMs: boolean) => {
    const { read, version } = await reader(name, whole, { ...options, waitMs });
    const written: string[] = [];
    let rows = 0, part = 0, last: CsvFrame | null = null;
    const land = async ({ frame }: CsvFrame) => {
      if (write) {
        const partName = `${stem}.${String(++part).padStart(4, "0")}`;
        written.push(...await writePart(dir, "activations", partName, frame));
      }
      // The slice's frames are native memory V8 does not count.
      await releaseNativeMemory();
    };
    size.n = 0;
    for await (const slice of csvSlices(chunked(path, size), sliceBytes)) {
      // The query making this slice's rows runs on polars' threads while this thread has the
      // last slice's part written: where polars has a thread to spare, the two overlap.
      const next = read(slice);
      next.catch(() => {}); // awaited below, after the write
      if (last) await land(last);
      last = await next;
      if (!waitMs && last.any[WAIT_NOT_MICROS]) {
        for (const p of written) await Deno.remove(p);
        return { rows, version, millis: true };
      }
      rows += last.rows;
    }
    if (last) await land(last);
    return { rows, version, millis: false };
  };
  const first = await pass(false);
  if (!first.millis) return { rows: first.rows, waitMs: false, version: first.version };
  const second = await pass(true);
  return { rows: second.rows, waitMs: true, version: second.version };
}
