/**
 * Benchmark 2: every table of the pipeline (`deno task tables`) from a generated dataset of
 * many activation rows, beside DuckDB SQL computing the same per-level statistics from the
 * same Parquet parts. The cold-start tables of both are checked to agree.
 */
import { join } from "node:path";
import { THESIS_RUNTIMES } from "../pipeline/mod.ts";
import { denoRun, ROOT, treeBytes } from "./_paths.ts";
import { generateDataset } from "./generate_dataset.ts";
import { measure, type Measurement } from "./measure.ts";

/** Options of {@linkcode pipelineBench}. */
export interface PipelineBenchOptions {
  /** Activation rows. Default 10 million. */
  rows?: number;
  /** Runs of each measurement. Default 3. */
  runs?: number;
  /** Seed. Default 1. */
  seed?: number;
}

/** What benchmark 2 measured. */
export interface PipelineBenchResult {
  rows: number;
  parquet_bytes: number;
  measurements: Measurement[];
  differences: string[];
}

/** The generated dataset of `rows` rows under `work`, made once and reused. */
export async function generatedDataset(
  work: string,
  { rows = 10e6, seed = 1 }: PipelineBenchOptions = {},
): Promise<string> {
  const dir = join(work, `dataset-${rows}-${seed}`);
  const done = `${dir}.complete`;
  try {
    await Deno.stat(done);
  } catch {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await generateDataset(dir, { rows, seed, partRows: Math.min(1e6, rows) });
    await Deno.writeTextFile(done, "");
  }
  return dir;
}

function csvRows(text: string): string[][] {
  return text.trim().split("\n").map((l) => l.split(","));
}

/** Runs benchmark 2. */
export async function pipelineBench(
  work: string,
  options: PipelineBenchOptions = {},
): Promise<PipelineBenchResult> {
  const { rows = 10e6, runs = 3 } = options;
  const dataset = await generatedDataset(work, options);
  const ours = join(work, "out", "tables"), theirs = join(work, "out", "duckdb-tables");
  const measurements = [
    await measure(`tables: whiskbench`, denoRun("cli/tables.ts", dataset, "--out", ours), {
      runs,
      cwd: ROOT,
    }),
    await measure(`tables: DuckDB`, denoRun("bench/duckdb_tables.ts", dataset, theirs), {
      runs,
      cwd: ROOT,
    }),
  ];
  // Same cells: whiskbench's cold_start_<runtime> tables against DuckDB's cold_start table.
  const differences: string[] = [];
  const duck = csvRows(await Deno.readTextFile(join(theirs, "cold_start.csv")));
  for (const runtime of THESIS_RUNTIMES) {
    const mine = csvRows(
      await Deno.readTextFile(join(ours, "tables", `cold_start_${runtime}.csv`)),
    );
    const header = mine[0];
    const other = duck.filter((r) => r[0] === runtime);
    if (other.length !== mine.length - 1) {
      differences.push(
        `cold_start_${runtime}: ${mine.length - 1} levels vs DuckDB ${other.length}`,
      );
      continue;
    }
    other.forEach((row, i) => {
      header.forEach((col, j) => {
        const a = Number(mine[i + 1][j]), b = Number(row[duck[0].indexOf(col)]);
        if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a))) {
          differences.push(`cold_start_${runtime} level ${mine[i + 1][0]} ${col}: ${a} vs ${b}`);
        }
      });
    });
  }
  return {
    rows,
    parquet_bytes: await treeBytes(join(dataset, "activations")),
    measurements,
    differences,
  };
}
