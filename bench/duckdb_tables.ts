/**
 * The DuckDB baseline of the pipeline benchmark: the per-level statistics of the cold-start
 * and warm tables (n, mean, SD, CoV, median, p95, p99, min, max, errors) and the pooled
 * comparison, in SQL over the same Parquet parts, one CSV per table like `deno task tables`.
 *
 * `deno run -A bench/duckdb_tables.ts DATASET OUT_DIR`
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { tableGlob } from "../dataset/mod.ts";

const STATS = (v: string) =>
  `count(${v}) AS n, avg(${v}) AS mean, stddev_samp(${v}) AS sd,
  stddev_samp(${v}) / avg(${v}) * 100 AS cov_pct, median(${v}) AS median,
  quantile_cont(${v}, 0.95) AS p95, quantile_cont(${v}, 0.99) AS p99,
  min(${v})::DOUBLE AS min, max(${v})::DOUBLE AS max`;

/** The statements of the baseline: name -> query. */
export function duckdbTableQueries(): Record<string, string> {
  const errors = `(source = 'error' OR success = false)`;
  // A failed activation is an error of its cell, never a latency.
  const ok = `success IS DISTINCT FROM false`;
  return {
    cold_start: `SELECT runtime, level, ${STATS("wait_ms + init_ms")},
        (SELECT count(*) FROM a a2 WHERE a2.experiment = 'cold_start' AND a2.source = 'record'
          AND a2.init_ms IS NULL AND a2.runtime = a.runtime AND a2.level = a.level) AS n_not_cold,
        (SELECT count(*) FROM a a2 WHERE a2.experiment = 'cold_start' AND ${errors}
          AND a2.runtime = a.runtime AND a2.level = a.level) AS n_errors
      FROM a WHERE experiment = 'cold_start' AND source = 'record' AND init_ms IS NOT NULL
        AND ${ok}
      GROUP BY runtime, level ORDER BY runtime, level`,
    warm: `SELECT runtime, workload, level, ${STATS("wait_ms")},
        (SELECT count(*) FROM a a2 WHERE a2.experiment = 'concurrency' AND ${errors}
          AND a2.runtime = a.runtime AND a2.workload = a.workload AND a2.level = a.level)
          AS n_errors
      FROM a WHERE experiment = 'concurrency' AND wait_ms IS NOT NULL AND ${ok}
        AND ((source = 'record' AND init_ms IS NULL) OR source = 'warm_samples')
      GROUP BY runtime, workload, level ORDER BY runtime, workload, level`,
    comparison: `SELECT runtime, workload, count(v) AS n, avg(v) AS mean,
        stddev_pop(v) / avg(v) * 100 AS cov_pct FROM (
        SELECT runtime, 'cold_start' AS workload, wait_ms + init_ms AS v FROM a
          WHERE experiment = 'cold_start' AND source = 'record' AND init_ms IS NOT NULL
          AND level BETWEEN 1 AND 15 AND ${ok}
        UNION ALL
        SELECT runtime, workload, wait_ms AS v FROM a WHERE experiment = 'concurrency'
          AND wait_ms IS NOT NULL AND level BETWEEN 1 AND 15 AND ${ok}
          AND ((source = 'record' AND init_ms IS NULL) OR source = 'warm_samples'))
      GROUP BY runtime, workload ORDER BY runtime, workload`,
  };
}

if (import.meta.main) {
  const [dataset, out] = Deno.args;
  if (!dataset || !out) throw new Error("usage: deno run -A bench/duckdb_tables.ts DATASET OUT");
  await Deno.mkdir(out, { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const parts = tableGlob(dataset, "activations").replaceAll("'", "''");
  await c.run(`CREATE VIEW a AS SELECT * FROM read_parquet('${parts}')`);
  for (const [name, query] of Object.entries(duckdbTableQueries())) {
    const path = join(out, `${name}.csv`).replaceAll("'", "''");
    await c.run(`COPY (${query}) TO '${path}' (HEADER)`);
  }
  c.closeSync();
}
