/**
 * The per-level statistics every side of the ingest benchmark must agree on (records, mean
 * and sample SD of waitTime, cold starts, mean and sample SD of waitTime + initTime), read
 * from each side's output: awk's TSV, or Parquet (whiskbench's dataset, DuckDB's file) through
 * DuckDB. The bench checks them after measuring; the test checks them on a small input.
 */
import { DuckDBInstance } from "@duckdb/node-api";

/** Statistics of one level. */
export interface LevelStat {
  level: number;
  n: number;
  mean_wait: number;
  sd_wait: number;
  n_cold: number;
  mean_cold: number;
  sd_cold: number;
}

/** Reads the stats TSV that the jq + awk baseline writes, sorted by level. */
export async function statsFromAwk(path: string): Promise<LevelStat[]> {
  const text = await Deno.readTextFile(path);
  return text.trim().split("\n").filter((l) => l !== "").map((line) => {
    const [level, n, mean_wait, sd_wait, n_cold, mean_cold, sd_cold] = line.split("\t").map(
      Number,
    );
    return { level, n, mean_wait, sd_wait, n_cold, mean_cold, sd_cold };
  }).sort((a, b) => a.level - b.level);
}

/** Rows and per-level statistics of the `record` rows of Parquet files (a glob or a path). */
export async function statsFromParquet(
  glob: string,
): Promise<{ rows: number; levels: LevelStat[] }> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const from = `read_parquet('${glob.replaceAll("'", "''")}') WHERE source = 'record'`;
    const rows = await c.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${from}`);
    const levels = await c.runAndReadAll(`SELECT level::DOUBLE AS level, count(*)::DOUBLE AS n,
      avg(wait_ms) AS mean_wait, coalesce(stddev_samp(wait_ms), 0) AS sd_wait,
      count(init_ms)::DOUBLE AS n_cold, coalesce(avg(wait_ms + init_ms), 0) AS mean_cold,
      coalesce(stddev_samp(wait_ms + init_ms), 0) AS sd_cold
      FROM ${from} GROUP BY level ORDER BY level`);
    return {
      rows: Number(rows.getRowObjects()[0].n),
      levels: levels.getRowObjects() as unknown as LevelStat[],
    };
  } finally {
    c.closeSync();
  }
}

/**
 * The differences between two sets of level statistics (counts exactly, means and SDs to a
 * relative 1e-6: awk prints ten significant digits), empty when they agree.
 */
export function statDifferences(a: LevelStat[], b: LevelStat[]): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`${a.length} levels vs ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    for (const k of Object.keys(a[i]) as (keyof LevelStat)[]) {
      const x = a[i][k], y = b[i][k];
      const exact = k === "level" || k === "n" || k === "n_cold";
      if (exact ? x !== y : Math.abs(x - y) > 1e-6 * Math.max(1, Math.abs(x), Math.abs(y))) {
        out.push(`level ${a[i].level}: ${k} ${x} vs ${y}`);
      }
    }
  }
  return out;
}
