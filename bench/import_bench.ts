/**
 * Benchmark 6: each importer (ingest/formats/) beside the thesis-format ingest of 100 MB of `1_`
 * logs (benchmark 1's seeded input), on the same invocations: each importer's file carries the
 * logs' records in its format (generate_import.ts). The importers should take that ingest's time
 * or less. Each run is a child process; rows in = rows out is checked for every format.
 */
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { denoRun, generatedOnce, ROOT } from "./_paths.ts";
import type { RawLogSet } from "./generate_raw.ts";
import { IMPORT_FORMATS, type ImportFile, writeImportFile } from "./generate_import.ts";
import { rawLogs } from "./ingest_bench.ts";
import { measureInTurn, type Measurement, minMedian } from "./measure.ts";

/** What benchmark 6 measured. */
export interface ImportBenchResult {
  inputs: ImportFile[];
  measurements: Measurement[];
  /**
   * Per format, on the same invocations as the thesis-format ingest: its speed over that
   * ingest's (the ingest's median time over the importer's), in each round (the tools run in
   * turn, round after round, so that each round's ratio is taken at one moment's load) and by
   * CPU time (the median of the rounds' CPU seconds ratios); and, for scale, its MB/s and rows/s
   * (a format's bytes per invocation differ: MB/s says little across formats).
   */
  speed: {
    format: string;
    ratio: number;
    round_ratios: number[];
    cpu_ratio: number;
    mb_per_s: number;
    rows_per_s: number;
  }[];
  differences: string[];
}

/** `m`'s speed over `reference`'s on the same work in each round: its seconds over `m`'s. */
function timeRatios(m: Measurement, reference: Measurement, of: "seconds" | "cpu_s"): number[] {
  return m[of].map((x, r) => reference[of][r] / x);
}

/** Writes (or reuses) the file of one format carrying the invocations of the logs `raw`. */
async function importFile(work: string, format: typeof IMPORT_FORMATS[number], raw: RawLogSet) {
  return await generatedOnce(
    join(work, `import-${format}-of-${raw.dir.split("/").at(-1)}`),
    (dir) => writeImportFile(dir, format, raw),
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
  for (const format of IMPORT_FORMATS) inputs.push(await importFile(work, format, thesis));
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
  const median = (m: Measurement) => minMedian(m.seconds).median;
  const [ref, ...imports] = measurements;
  const speed = imports.map((m, i) => ({
    format: IMPORT_FORMATS[i],
    ratio: median(ref) / median(m),
    round_ratios: timeRatios(m, ref, "seconds"),
    cpu_ratio: minMedian(timeRatios(m, ref, "cpu_s")).median,
    mb_per_s: m.bytes / 1e6 / median(m),
    rows_per_s: inputs[i].records / median(m),
  }));
  return { inputs, measurements, speed, differences };
}

/** Benchmark 6's speeds as Markdown list lines: each importer's over the thesis-format ingest's. */
export function importSpeedLines(r: ImportBenchResult): string[] {
  return r.speed.map((s) =>
    `- import ${s.format}: ${s.ratio.toFixed(2)}x the thesis-format ingest's speed on the same ` +
    `invocations (medians of the runs; 1 or more: as fast or faster); in each round ` +
    `${s.round_ratios.map((x) => `${x.toFixed(2)}x`).join(", ")}, by CPU seconds ` +
    `${s.cpu_ratio.toFixed(2)}x; ${s.mb_per_s.toFixed(0)} MB/s, ` +
    `${Math.round(s.rows_per_s).toLocaleString("en")} rows/s`
  );
}
