/**
 * Benchmark 1: ingest of raw activation logs. The same seeded `1_` logs go through
 * `deno task ingest`, jq + awk and DuckDB; each run is timed as a child process, and the rows
 * and per-level statistics of the three outputs are checked to agree (like with like).
 */
import { join } from "node:path";
import { tableGlob } from "../dataset/mod.ts";
import { denoRun, generatedOnce, ROOT } from "./_paths.ts";
import { generateRawLogs, type RawLogSet } from "./generate_raw.ts";
import { jqAwkScript } from "./jq_awk.ts";
import { type LevelStat, statDifferences, statsFromAwk, statsFromParquet } from "./level_stats.ts";
import { measure, type Measurement } from "./measure.ts";

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
  const result: IngestBenchResult = { input, measurements: [], rows: {}, differences: [] };
  const stats: Record<string, LevelStat[]> = {};
  const sizeMb = (input.bytes / 1e6).toFixed(0);

  if (tools.includes("whiskbench")) {
    const dataset = join(out, "whiskbench");
    result.measurements.push(
      await measure(
        `ingest ${sizeMb} MB: whiskbench`,
        denoRun("cli/ingest.ts", input.dir, "--out", dataset),
        { runs, bytes: input.bytes, cwd: ROOT, before: clean(dataset) },
      ),
    );
    const s = await statsFromParquet(tableGlob(dataset, "activations"));
    result.rows.whiskbench = s.rows;
    stats.whiskbench = s.levels;
    await clean(dataset)();
  }
  if (tools.includes("jq+awk")) {
    const rows = join(out, "jq_rows.tsv"), levels = join(out, "awk_levels.tsv");
    result.measurements.push(
      await measure(`ingest ${sizeMb} MB: jq + awk`, [
        "bash",
        "-c",
        jqAwkScript(files, rows, levels),
      ], { runs, bytes: input.bytes }),
    );
    stats["jq+awk"] = await statsFromAwk(levels);
    result.rows["jq+awk"] = stats["jq+awk"].reduce((n, l) => n + l.n, 0);
    await clean(rows)();
  }
  if (tools.includes("duckdb")) {
    const parquet = join(out, "duckdb.parquet");
    result.measurements.push(
      await measure(
        `ingest ${sizeMb} MB: DuckDB`,
        denoRun("bench/duckdb_ingest.ts", parquet, ...files),
        { runs, bytes: input.bytes, cwd: ROOT },
      ),
    );
    const s = await statsFromParquet(parquet);
    result.rows.duckdb = s.rows;
    stats.duckdb = s.levels;
    await clean(parquet)();
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
