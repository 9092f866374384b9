/**
 * Benchmark 6: each importer (ingest/formats/) on 100 MB of its format, beside the
 * thesis-format ingest of 100 MB of `1_` logs in the same run (benchmark 1's seeded input): the
 * importers should read at that speed or better. Each run is a child process; rows in = rows
 * out is checked for every format.
 */
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { denoRun, generatedOnce, ROOT } from "./_paths.ts";
import { generateImportFile, IMPORT_FORMATS, type ImportFile } from "./generate_import.ts";
import { rawLogs } from "./ingest_bench.ts";
import { measure, type Measurement, minMedian } from "./measure.ts";

/** What benchmark 6 measured. */
export interface ImportBenchResult {
  inputs: ImportFile[];
  measurements: Measurement[];
  /**
   * Per format: its median MB/s and rows/s, each over the thesis-format ingest's (rows are 45
   * bytes in SeBS's CSV, about 600 in the thesis's logs: both measures are shown).
   */
  speed: {
    format: string;
    mb_per_s: number;
    ratio: number;
    rows_per_s: number;
    rows_ratio: number;
  }[];
  differences: string[];
}

/** Generates (or reuses) the seeded file of one format under `work`. */
async function importFile(
  work: string,
  format: typeof IMPORT_FORMATS[number],
  bytes: number,
  seed: number,
) {
  return await generatedOnce(
    join(work, `import-${format}-${bytes}-${seed}`),
    (dir) => generateImportFile(dir, format, { bytes, seed }),
  );
}

/** Runs benchmark 6. */
export async function importBench(
  work: string,
  { bytes = 100e6, runs = 3, seed = 1 }: { bytes?: number; runs?: number; seed?: number } = {},
): Promise<ImportBenchResult> {
  const out = join(work, "out", "import");
  const clean = () => Deno.remove(out, { recursive: true }).catch(() => {});
  const mb = (bytes / 1e6).toFixed(0);
  const thesis = await rawLogs(work, { bytes, seed });
  const measurements = [
    await measure(
      `import ${mb} MB: whiskbench thesis-format ingest (reference)`,
      denoRun("cli/ingest.ts", thesis.dir, "--out", out),
      { runs, bytes: thesis.bytes, cwd: ROOT, before: clean },
    ),
  ];
  const inputs: ImportFile[] = [];
  const differences: string[] = [];
  for (const format of IMPORT_FORMATS) {
    const input = await importFile(work, format, bytes, seed);
    inputs.push(input);
    measurements.push(
      await measure(
        `import ${mb} MB: whiskbench import (${format})`,
        denoRun("cli/ingest.ts", input.path, "--out", out, "--format", format),
        { runs, bytes: input.bytes, cwd: ROOT, before: clean },
      ),
    );
    const rows = (await readDataset(out, { activationColumns: ["activation_id"] })).activations
      .height;
    if (rows !== input.records) {
      differences.push(`import ${format}: ${input.records} records in, ${rows} rows out`);
    }
  }
  await clean();
  const mbPerS = (m: Measurement) => m.bytes / 1e6 / minMedian(m.seconds).median;
  const rowsPerS = (m: Measurement, rows: number) => rows / minMedian(m.seconds).median;
  const reference = mbPerS(measurements[0]);
  const referenceRows = rowsPerS(measurements[0], thesis.records);
  const speed = measurements.slice(1).map((m, i) => ({
    format: IMPORT_FORMATS[i],
    mb_per_s: mbPerS(m),
    ratio: mbPerS(m) / reference,
    rows_per_s: rowsPerS(m, inputs[i].records),
    rows_ratio: rowsPerS(m, inputs[i].records) / referenceRows,
  }));
  return { inputs, measurements, speed, differences };
}

/** Benchmark 6's speeds as Markdown list lines: MB/s and the ratio to the thesis-format ingest. */
export function importSpeedLines(r: ImportBenchResult): string[] {
  return r.speed.map((s) =>
    `- import ${s.format}: ${s.mb_per_s.toFixed(0)} MB/s, ${s.ratio.toFixed(2)}x the ` +
    `thesis-format ingest's; ${Math.round(s.rows_per_s).toLocaleString("en")} rows/s, ` +
    `${s.rows_ratio.toFixed(2)}x its rows/s (medians of the runs; 1 or more: as fast or faster)`
  );
}
