/**
 * Benchmark 1: ingest of raw activation logs. The same seeded `1_` logs go through
 * `deno task ingest`, jq + awk and DuckDB, in turn, round after round; each run is timed as a
 * child process, and the rows and per-level statistics of the three outputs are checked to
 * agree (like with like).
 */
import { join } from "node:path";
import { tableGlob } from "../dataset/mod.ts";
import { denoRun, generatedOnce, ROOT } from "./_paths.ts";
import { generateRawLogs, type RawLogSet } from "./generate_raw.ts";
import { jqAwkScript } from "./jq_awk.ts";
import { type LevelStat, statDifferences, statsFromAwk, statsFromParquet } from "./level_stats.ts";
import { measureInTurn, type Measurement, minMedian, roundRatios } from "./measure.ts";

/** Options of {@linkcode ingestBench}. */
export interface IngestBenchOptions {
  /** Raw bytes to generate. Default 100 MB. */
  bytes?: number;
  /** Bytes per generated file. Default 25 MB. */
  fileBytes?: number;
  /** Runs of each measurement. Default 3. */
  runs?: number;
  /** Seed of the generated logs. Default 1. */
  seed?: number;
  /** Which tools to run. Default all three. */
  tools?: ("whiskbench" | "jq+awk" | "duckdb")[];
}

/** What benchmark 1 measured at one size. */
export interface IngestBenchResult {
  input: RawLogSet;
  measurements: Measurement[];
  /** Rows each tool wrote. */
  rows: Record<string, number>;
  /**
   * Per baseline: whiskbench's speed over the baseline's in each round (the baseline's seconds
   * over whiskbench's; above 1, whiskbench is faster), and by CPU seconds (median of the
   * rounds).
   */
  round_speedups: Record<string, { wall: number[]; cpu: number }>;
  /** Disagreements between the tools' rows or per-level statistics (empty: all agree). */
  differences: string[];
}

/** Generates (or reuses, if complete) the seeded logs of one size under `work`. */
export async function rawLogs(
  work: string,
  { bytes = 100e6, fileBytes = 25e6, seed = 1 }: IngestBenchOptions = {},
): Promise<RawLogSet> {
  return await generatedOnce(
    join(work, `raw-${bytes}-${fileBytes}-${seed}`),
    (dir) => generateRawLogs(dir, { bytes, fileBytes, seed }),
  );
}

/** Runs benchmark 1 at one size. */
export async function ingestBench(
  work: string,
  options: IngestBenchOptions = {},
): Promise<IngestBenchResult> {
  const { runs = 3, tools = ["whiskbench", "jq+awk", "duckdb"] } = options;
  const input = await rawLogs(work, options);
  const files = input.files.map((f) => join(input.dir, f));
  const out = join(work, "out");
  await Deno.mkdir(out, { recursive: true });
  const clean = (path: string) => () => Deno.remove(path, { recursive: true }).catch(() => {});
  const result: IngestBenchResult = {
    input,
    measurements: [],
    rows: {},
    round_speedups: {},
    differences: [],
  };
  const stats: Record<string, LevelStat[]> = {};
  const sizeMb = (input.bytes / 1e6).toFixed(0);

  // The tools run in turn, round after round (measureInTurn); each one's output is checked
  // after its first run.
  const dataset = join(out, "whiskbench");
  const jqRows = join(out, "jq_rows.tsv"), levels = join(out, "awk_levels.tsv");
  const parquet = join(out, "duckdb.parquet");
  const all = [
    {
      tool: "whiskbench" as const,
      name: `ingest ${sizeMb} MB: whiskbench`,
      cmd: denoRun("cli/ingest.ts", input.dir, "--out", dataset),
      options: { bytes: input.bytes, cwd: ROOT, before: clean(dataset) },
      check: async () => {
        const s = await statsFromParquet(tableGlob(dataset, "activations"));
        [result.rows.whiskbench, stats.whiskbench] = [s.rows, s.levels];
      },
    },
    {
      tool: "jq+awk" as const,
      name: `ingest ${sizeMb} MB: jq + awk`,
      cmd: ["bash", "-c", jqAwkScript(files, jqRows, levels)],
      options: { bytes: input.bytes },
      check: async () => {
        stats["jq+awk"] = await statsFromAwk(levels);
        result.rows["jq+awk"] = stats["jq+awk"].reduce((n, l) => n + l.n, 0);
      },
    },
    {
      tool: "duckdb" as const,
      name: `ingest ${sizeMb} MB: DuckDB`,
      cmd: denoRun("bench/duckdb_ingest.ts", parquet, ...files),
      options: { bytes: input.bytes, cwd: ROOT },
      check: async () => {
        const s = await statsFromParquet(parquet);
        [result.rows.duckdb, stats.duckdb] = [s.rows, s.levels];
      },
    },
  ];
  const chosen = all.filter((t) => tools.includes(t.tool));
  result.measurements = await measureInTurn(chosen, runs, (i) => chosen[i].check());
  for (const path of [dataset, jqRows, parquet]) await clean(path)();
  const ours = result.measurements[chosen.findIndex((t) => t.tool === "whiskbench")];
  if (ours) {
    for (const [i, t] of chosen.entries()) {
      if (t.tool === "whiskbench") continue;
      const m = result.measurements[i];
      result.round_speedups[t.tool] = {
        wall: roundRatios(ours, m),
        cpu: minMedian(roundRatios(ours, m, "cpu_s")).median,
      };
    }
  }
  for (const [tool, rows] of Object.entries(result.rows)) {
    if (rows !== input.records) {
      result.differences.push(`${tool} wrote ${rows} rows, the input holds ${input.records}`);
    }
  }
  const [first, ...rest] = Object.keys(stats);
  for (const other of rest) {
    for (const d of statDifferences(stats[first], stats[other])) {
      result.differences.push(`${first} vs ${other}: ${d}`);
    }
  }
  return result;
}

/** Benchmark 1's ratios per round as Markdown list lines: whiskbench's speed over each baseline's. */
export function ingestSpeedLines(results: IngestBenchResult[]): string[] {
  return results.flatMap((r) =>
    Object.entries(r.round_speedups).map(([tool, { wall, cpu }]) =>
      `- ingest ${(r.input.bytes / 1e6).toFixed(0)} MB: whiskbench's speed over ${tool}'s in ` +
      `each round ${wall.map((x) => `${x.toFixed(2)}x`).join(", ")}, by CPU seconds ` +
      `${cpu.toFixed(2)}x (above 1: whiskbench faster)`
    )
  );
}
