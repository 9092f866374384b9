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
import { measureInTurn, type Measurement, minMedian, roundRatios } from "./measure.ts";

/** What benchmark 6 measured. */
export interface ImportBenchResult {
  inputs: ImportFile[];
  measurements: Measurement[];
  /**
   * Per format: its median MB/s and rows/s, each over the thesis-format ingest's (rows are 45
   * bytes in SeBS's CSV, about 600 in the thesis's logs: both measures are shown); and its
   * MB/s over the thesis-format ingest's in each round (the tools run in turn, round after
   * round, so that each round's ratio is taken at one moment's load), and by CPU time (MB per
   * CPU second over the reference's, the median of the rounds).
   */
  speed: {
    format: string;
    mb_per_s: number;
    ratio: number;
    rows_per_s: number;
    rows_ratio: number;
    round_ratios: number[];
    cpu_ratio: number;
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

/**
 * Runs benchmark 6: `runs` rounds, each the thesis-format ingest and then every importer once.
 * On a shared machine the load moves within a minute; run in turn, the tools of one round meet
 * about the same load, where all runs of one tool and then all of the next met different ones.
 */
export async function importBench(
  work: string,
  { bytes = 100e6, runs = 3, seed = 1 }: { bytes?: number; runs?: number; seed?: number } = {},
): Promise<ImportBenchResult> {
  const out = join(work, "out", "import");
  const clean = () => Deno.remove(out, { recursive: true }).catch(() => {});
  const mb = (bytes / 1e6).toFixed(0);
  const thesis = await rawLogs(work, { bytes, seed });
  const inputs: ImportFile[] = [];
  for (const format of IMPORT_FORMATS) inputs.push(await importFile(work, format, bytes, seed));
  const commands = [
    {
      name: `import ${mb} MB: whiskbench thesis-format ingest (reference)`,
      cmd: denoRun("cli/ingest.ts", thesis.dir, "--out", out),
      options: { bytes: thesis.bytes, cwd: ROOT, before: clean },
    },
    ...inputs.map((input) => ({
      name: `import ${mb} MB: whiskbench import (${input.format})`,
      cmd: denoRun("cli/ingest.ts", input.path, "--out", out, "--format", input.format),
      options: { bytes: input.bytes, cwd: ROOT, before: clean },
    })),
  ];
  const differences: string[] = [];
  const measurements = await measureInTurn(commands, runs, async (i) => {
    if (i === 0) return;
    const input = inputs[i - 1];
    const rows = (await readDataset(out, { activationColumns: ["activation_id"] })).activations
      .height;
    if (rows !== input.records) {
      differences.push(`import ${input.format}: ${input.records} records in, ${rows} rows out`);
    }
  });
  await clean();
  const mbPerS = (m: Measurement) => m.bytes / 1e6 / minMedian(m.seconds).median;
  const rowsPerS = (m: Measurement, rows: number) => rows / minMedian(m.seconds).median;
  const [ref, ...imports] = measurements;
  const reference = mbPerS(ref);
  const referenceRows = rowsPerS(ref, thesis.records);
  const speed = imports.map((m, i) => ({
    format: IMPORT_FORMATS[i],
    mb_per_s: mbPerS(m),
    ratio: mbPerS(m) / reference,
    rows_per_s: rowsPerS(m, inputs[i].records),
    rows_ratio: rowsPerS(m, inputs[i].records) / referenceRows,
    round_ratios: roundRatios(m, ref),
    cpu_ratio: minMedian(roundRatios(m, ref, "cpu_s")).median,
  }));
  return { inputs, measurements, speed, differences };
}

/** Benchmark 6's speeds as Markdown list lines: MB/s and the ratio to the thesis-format ingest. */
export function importSpeedLines(r: ImportBenchResult): string[] {
  return r.speed.map((s) =>
    `- import ${s.format}: ${s.mb_per_s.toFixed(0)} MB/s, ${s.ratio.toFixed(2)}x the ` +
    `thesis-format ingest's; ${Math.round(s.rows_per_s).toLocaleString("en")} rows/s, ` +
    `${s.rows_ratio.toFixed(2)}x its rows/s (medians of the runs; 1 or more: as fast or faster); ` +
    `by MB/s in each round ${s.round_ratios.map((x) => `${x.toFixed(2)}x`).join(", ")}, ` +
    `by MB per CPU second ${s.cpu_ratio.toFixed(2)}x`
  );
}
