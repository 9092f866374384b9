/**
 * Benchmark 2: every table of the pipeline (`deno task tables`) from a generated dataset of
 * many activation rows, beside DuckDB SQL computing the same per-level statistics from the
 * same Parquet parts. The cold-start, warm and comparison tables of both are checked to agree.
 */
import { join } from "node:path";
import { THESIS_RUNTIMES, THESIS_WORKLOADS } from "../pipeline/mod.ts";
import { denoRun, ROOT, TABLES_ENV, treeBytes } from "./_paths.ts";
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

/**
 * Where two tables of the same cells differ: every column of `mine` (whiskbench's CSV rows,
 * header first) against the same column of DuckDB's rows `theirs` (header first, already
 * restricted to the same cells in the same order), numbers within 1e-9 relative.
 */
function cellDifferences(name: string, mine: string[][], theirs: string[][]): string[] {
  if (theirs.length !== mine.length) {
    return [`${name}: ${mine.length - 1} rows vs DuckDB ${theirs.length - 1}`];
  }
  const out: string[] = [];
  const header = mine[0];
  for (let i = 1; i < mine.length; i++) {
    header.forEach((col, j) => {
      const k = theirs[0].indexOf(col);
      if (k < 0) return;
      const a = Number(mine[i][j]), b = Number(theirs[i][k]);
      const same = mine[i][j] === theirs[i][k] ||
        Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
      if (!same) out.push(`${name} row ${i} ${col}: ${mine[i][j]} vs ${theirs[i][k]}`);
    });
  }
  return out;
}

/**
 * whiskbench's tables (CSV folder `ours`) against DuckDB's (`theirs`): the cold-start tables
 * per runtime, the warm tables per runtime and workload, cell by cell in every column both
 * have, and the pooled comparison (n, mean, CoV).
 */
export async function tableDifferences(ours: string, theirs: string): Promise<string[]> {
  const read = async (dir: string, name: string) =>
    csvRows(await Deno.readTextFile(join(dir, `${name}.csv`)));
  const differences: string[] = [];
  const cold = await read(theirs, "cold_start");
  const warm = await read(theirs, "warm");
  for (const runtime of THESIS_RUNTIMES) {
    const name = `cold_start_${runtime}`;
    const rows = cold.filter((r, i) => i === 0 || r[0] === runtime).map((r) => r.slice(1));
    differences.push(...cellDifferences(name, await read(ours, name), rows));
    for (const workload of THESIS_WORKLOADS) {
      const name = `warm_${runtime}_${workload}`;
      const rows = warm.filter((r, i) => i === 0 || (r[0] === runtime && r[1] === workload))
        .map((r) => r.slice(2));
      differences.push(...cellDifferences(name, await read(ours, name), rows));
    }
  }
  // The comparison: DuckDB's cold starts are workload "cold_start", whiskbench's experiment.
  const mine = await read(ours, "comparison");
  const duck = await read(theirs, "comparison");
  const key = (r: string[], cols: string[], at: string[]) =>
    at.map((c) => r[cols.indexOf(c)]).join("/");
  const asDuck = [
    duck[0],
    ...mine.slice(1).map((r) => {
      const workload = r[mine[0].indexOf("experiment")] === "cold_start"
        ? "cold_start"
        : r[mine[0].indexOf("workload")];
      const runtime = r[mine[0].indexOf("runtime")];
      return duck.find((d) =>
        key(d, duck[0], ["runtime", "workload"]) === `${runtime}/${workload}`
      ) ??
        [];
    }),
  ];
  differences.push(
    ...cellDifferences(
      "comparison",
      mine.map((r) => r.filter((_, j) => ["n", "mean", "cov_pct"].includes(mine[0][j]))),
      asDuck.map((r) => r.filter((_, j) => ["n", "mean", "cov_pct"].includes(duck[0][j]))),
    ),
  );
  return differences;
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
    await measure(`tables: whiskbench`, [
      ...TABLES_ENV,
      ...denoRun("cli/tables.ts", dataset, "--out", ours),
    ], {
      runs,
      cwd: ROOT,
    }),
    await measure(`tables: DuckDB`, denoRun("bench/duckdb_tables.ts", dataset, theirs), {
      runs,
      cwd: ROOT,
    }),
  ];
  const differences = await tableDifferences(join(ours, "tables"), theirs);
  return {
    rows,
    parquet_bytes: await treeBytes(join(dataset, "activations")),
    measurements,
    differences,
  };
}
