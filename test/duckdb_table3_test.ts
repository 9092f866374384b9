/**
 * A dataset folder is a table to an existing engine as it is: DuckDB reads the Parquet parts
 * of `activations/` and computes Table 3 (cold start per runtime and level) in SQL, the same
 * statement as the benchmark's baseline (bench/duckdb_tables.ts), equal to the pipeline's.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { duckdbTableQueries } from "../bench/duckdb_tables.ts";
import { readDataset } from "../dataset/mod.ts";
import { coldStartTable } from "../pipeline/latency_tables.ts";

const THESIS = new URL("../data/thesis", import.meta.url).pathname;

/** Equal as numbers: within 1e-9 relative (sums in another order), exact for counts. */
function close(a: unknown, b: unknown, where: string) {
  if (typeof a === "number" && typeof b === "number") {
    assert.ok(
      Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)),
      `${where}: ${a} vs ${b}`,
    );
  } else assert.equal(a, b, where);
}

Deno.test("DuckDB computes Table 3 from the thesis dataset's folder equal to the pipeline", async () => {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const parts = join(THESIS, "activations", "*.parquet").replaceAll("'", "''");
    await c.run(`CREATE VIEW a AS SELECT * FROM read_parquet('${parts}', union_by_name = true)`);
    const reader = await c.runAndReadAll(duckdbTableQueries().cold_start);
    const sql = reader.getRowObjectsJS();
    const ours = coldStartTable((await readDataset(THESIS)).activations).toRecords();
    // The thesis: 2 runtimes; Docker's log holds 960 cold starts, Wasm's 1,200.
    assert.deepEqual([...new Set(ours.map((r) => r.runtime))], ["docker", "wasm"]);
    assert.equal(ours.reduce((s, r) => s + Number(r.n), 0), 2160);
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
  } finally {
    c.closeSync();
  }
});
