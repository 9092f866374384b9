/**
 * The `ingest` task's branch for other tools' data (ingest/formats/): which sources take it,
 * and what it prints. Kept apart from cli/ingest.ts so that the thesis ingest's entry point
 * stays as it is.
 */
import { FORMATS, isFormat, isThesisLayout } from "../ingest/formats/detect.ts";
import { importFiles } from "../ingest/formats/mod.ts";
import type { DatasetMeta } from "../dataset/mod.ts";
import { polarsOnEveryCore } from "./_ingest_threads.ts";

/** The flags the import branch adds to `ingest`. */
export const IMPORT_FLAGS = ["format", "runtime", "workload"] as const;

/** Usage of the import branch. */
export const IMPORT_USAGE = "       deno task ingest SOURCE... --out DIR [--format F] " +
  `[--runtime R] [--workload W] [--meta FILE]  (F: ${FORMATS.join(", ")})`;

/**
 * Whether the sources are other tools' data: `--format` given, several sources, or one that is
 * a file or a folder without the thesis's `.log` files.
 */
export async function isImport(sources: string[], format: string | undefined): Promise<boolean> {
  return format !== undefined || sources.length !== 1 || !(await isThesisLayout(sources[0]));
}

/** Imports `sources` into `out` and prints what each file gave. */
export async function runImport(
  sources: string[],
  out: string,
  { format, runtime, workload, meta }: {
    format?: string;
    runtime?: string;
    workload?: string;
    meta: DatasetMeta;
  },
): Promise<void> {
  if (format !== undefined && !isFormat(format)) {
    throw new Error(`--format ${format}: expected one of ${FORMATS.join(", ")}`);
  }
  const report = await importFiles(sources, out, {
    format,
    runtime,
    workload,
    meta,
    // Polars alone reads and writes CSV files: it gets both cores where there are only those.
    onFormats: (formats) => {
      if (formats.every((f) => f === "sebs-csv" || f === "invitro-csv")) polarsOnEveryCore();
    },
  });
  const rows = report.files.reduce((n, f) => n + f.rows, 0);
  console.log(`imported ${report.files.length} files, ${rows} rows -> ${out}`);
  for (const f of report.files) {
    const notes = [
      f.skipped,
      f.not_actions ? `${f.not_actions} trigger or rule activations left out` : undefined,
      f.units,
    ].filter(Boolean);
    console.log(
      `  ${f.name}: ${f.format}, ${f.rows} rows${notes.length ? ` (${notes.join("; ")})` : ""}`,
    );
  }
  for (const l of report.left_out ?? []) console.log(`  ${l.name}: left out, ${l.what}`);
}
