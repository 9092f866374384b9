/**
 * A dataset of many workloads (a trace replayed by In-Vitro has thousands of functions): past
 * MAX_WORKLOAD_TABLES workloads of a runtime, one warm table holds them all, with a workload
 * column, and the report writes it instead of a table per workload.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { readDataset, writeMeta, writePart } from "../dataset/mod.ts";
import { allTables, MAX_WORKLOAD_TABLES } from "../pipeline/tables.ts";
import { activations } from "./_frames.ts";

/** A dataset of `n` workloads on wasm and 2 on docker, two warm records a workload and level. */
async function dataset(dir: string, n: number): Promise<void> {
  const rows = [];
  for (const [runtime, count] of [["wasm", n], ["docker", 2]] as const) {
    for (let w = 0; w < count; w++) {
      for (const level of [1, 2]) {
        for (const wait_ms of [w + level, w + level + 2]) {
          rows.push({
            experiment: "concurrency",
            runtime,
            workload: `f${w}`,
            level,
            run: 1,
            wait_ms,
          });
        }
      }
    }
  }
  await writePart(dir, "activations", "a.0001", activations(rows));
  await writeMeta(dir, { source: "test" });
}

Deno.test("past MAX_WORKLOAD_TABLES workloads a runtime's warm latencies are one table with a workload column", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await dataset(join(dir, "many"), MAX_WORKLOAD_TABLES + 1);
    const many = allTables(await readDataset(join(dir, "many")));
    const names = many.map((t) => t.name).filter((n) => n.startsWith("warm_"));
    assert.deepEqual(names, ["warm_docker_f0", "warm_docker_f1", "warm_wasm"]);
    const wasm = many.find((t) => t.name === "warm_wasm")!;
    assert.match(wasm.title, /\(25 workloads\)$/);
    assert.equal(wasm.frame.height, 2 * (MAX_WORKLOAD_TABLES + 1));
    // Workload f3 at level 2: samples 5 and 7.
    const f3 = wasm.frame.filter(pl.col("workload").eq(pl.lit("f3")));
    const level2 = f3.filter(pl.col("level").eq(2));
    assert.deepEqual([level2.getColumn("n").get(0), level2.getColumn("median").get(0)], [2, 6]);
    // The same table rows as the per-workload tables would have had.
    await dataset(join(dir, "few"), MAX_WORKLOAD_TABLES);
    const few = allTables(await readDataset(join(dir, "few")));
    const f3Few = few.find((t) => t.name === "warm_wasm_f3")!;
    assert.equal(
      f3Few.frame.writeCSV().toString(),
      f3.drop("workload").writeCSV().toString(),
    );
    assert.equal(few.filter((t) => t.name.startsWith("warm_wasm_")).length, MAX_WORKLOAD_TABLES);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
