/**
 * A dataset folder is a table to an existing engine as it is: DuckDB reads the Parquet parts
 * of `activations/`, in their `experiment=`/`runtime=` folders, and computes Table 3 (cold
 * start per runtime and level) in SQL, the same statement as the benchmark's baseline
 * (bench/duckdb_tables.ts), equal to the pipeline's; a WHERE on a partition column reads only
 * the parts of its folders.
 */
import assert from "node:assert/strict";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import pl from "nodejs-polars";
import { join } from "node:path";
import { duckdbTableQueries } from "../bench/duckdb_tables.ts";
import { partPaths, readDataset, tableGlob } from "../dataset/mod.ts";
import { coldStartTable } from "../pipeline/latency_tables.ts";

const THESIS = new URL("../data/thesis", import.meta.url).pathname;

/** The activations of `dir` as DuckDB reads a partitioned table (README's statement). */
const FROM = (dir: string) =>
  `read_parquet('${tableGlob(dir, "activations").replaceAll("'", "''")}', ` +
  `hive_partitioning = true, hive_types = {'experiment': VARCHAR, 'runtime': VARCHAR}, ` +
  `union_by_name = true)`;

/** Equal as numbers: within 1e-9 relative (sums in another order), exact for counts. */
function close(a: unknown, b: unknown, where: string) {
  if (typeof a === "number" && typeof b === "number") {
    assert.ok(
      Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)),
      `${where}: ${a} vs ${b}`,
    );
  } else assert.equal(a, b, where);
}

/** Every cell of `ours` (the pipeline's rows) equals the same cell of `sql` (DuckDB's). */
function sameTable(sql: Record<string, unknown>[], ours: Record<string, unknown>[]) {
  assert.equal(sql.length, ours.length);
  ours.forEach((row, i) => {
    for (const [column, value] of Object.entries(row)) {
      const theirs = sql[i][column];
      close(
        typeof theirs === "bigint" ? Number(theirs) : theirs,
        value,
        `row ${i + 1} (${row.runtime}, level ${row.level}) ${column}`,
      );
    }
  });
}

async function withDuckDb(fn: (c: DuckDBConnection) => Promise<void>): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    await fn(c);
  } finally {
    c.closeSync();
  }
}

Deno.test("DuckDB computes Table 3 from the thesis dataset's folder equal to the pipeline", async () => {
  await withDuckDb(async (c) => {
    await c.run(`CREATE VIEW a AS SELECT * FROM ${FROM(THESIS)}`);
    // One runtime and one experiment column: the folders' and the files' are the same.
    const columns = (await c.runAndReadAll("DESCRIBE a")).getRowObjectsJS().map((r) =>
      r.column_name
    );
    assert.equal(columns.filter((n) => n === "runtime").length, 1);
    assert.equal(columns.filter((n) => n === "experiment").length, 1);
    const sql = (await c.runAndReadAll(duckdbTableQueries().cold_start)).getRowObjectsJS();
    const ours = coldStartTable((await readDataset(THESIS)).activations).toRecords();
    // The thesis: 2 runtimes; Docker's log holds 960 cold starts, Wasm's 1,200.
    assert.deepEqual([...new Set(ours.map((r) => r.runtime))], ["docker", "wasm"]);
    assert.equal(ours.reduce((s, r) => s + Number(r.n), 0), 2160);
    sameTable(sql, ours);
  });
});

Deno.test("DuckDB's Table 3 of one runtime, by a WHERE on its folder, reads only that runtime's parts", async () => {
  const all = await partPaths(join(THESIS, "activations"));
  const wasmColdParts = all.filter((p) =>
    p.includes("/experiment=cold_start/") && p.includes("/runtime=wasm/")
  );
  assert.equal(wasmColdParts.length, 1); // 1_wasm_cold_start.0001.parquet
  await withDuckDb(async (c) => {
    const pruned = `SELECT * FROM ${FROM(THESIS)} ` +
      `WHERE experiment = 'cold_start' AND runtime = 'wasm'`;
    await c.run(`CREATE VIEW a AS ${pruned}`);
    const sql = (await c.runAndReadAll(duckdbTableQueries().cold_start)).getRowObjectsJS();
    const ours = coldStartTable(
      (await readDataset(THESIS)).activations.filter(pl.col("runtime").eq(pl.lit("wasm"))),
    ).toRecords();
    assert.equal(ours.reduce((s, r) => s + Number(r.n), 0), 1200);
    sameTable(sql, ours);
    // The plan's own count of the files it opened: the one part of the folders asked for.
    const [plan] = (await c.runAndReadAll(`EXPLAIN ANALYZE SELECT count(*) FROM (${pruned})`))
      .getRowObjectsJS();
    assert.match(
      String(plan.explain_value),
      new RegExp(`Scanning Files: ${wasmColdParts.length}/${all.length}\\b`),
    );
  });
});
