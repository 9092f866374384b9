import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { ingest } from "../ingest/mod.ts";
import { activationLog, levelLines, rawDir } from "./_raw_logs.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("ingest() keeps every record of a 1_ log with its run, level and cold/warm split", async () => {
  const raw = await rawDir({
    "1_wasm_concurrency_hello.log": activationLog([
      [
        { level: 1, records: [{ id: "a", wait: 5, init: 40 }, { id: "b", wait: 2 }] },
        { level: 2, records: [{ id: "c", wait: 3 }, { id: "d", wait: 4, success: false }] },
      ],
      [{ level: 1, records: [{ id: "e", wait: 7, init: 50 }] }],
    ], 'Final Error:Curl("Failure when receiving data from the peer")'),
  });
  const out = `${raw}-out`;
  const report = await ingest(raw, out);
  const ds = await readDataset(out);
  const a = ds.activations.sort("activation_id", false, true);
  assert.deepEqual(a.getColumn("activation_id").toArray(), ["a", "b", "c", "d", "e", null]);
  assert.deepEqual(a.getColumn("run").toArray(), [1, 1, 1, 1, 2, 2]);
  assert.deepEqual(a.getColumn("level").toArray(), [1, 1, 2, 2, 1, null]);
  assert.deepEqual(a.getColumn("init_ms").toArray(), [40, null, null, null, 50, null]);
  assert.deepEqual(a.getColumn("source").toArray(), [
    "record",
    "record",
    "record",
    "record",
    "record",
    "error",
  ]);
  assert.deepEqual(a.getColumn("workload").unique().toArray(), ["hello"]);
  assert.equal(a.getColumn("error").toArray()[3], "boom");
  assert.match(String(a.getColumn("error").toArray()[5]), /Failure when receiving/);
  assert.deepEqual(report.run_errors.map((e) => [e.run, e.after_level]), [[2, 1]]);
  assert.equal(JSON.parse(a.getColumn("record").toArray()[0] as string).activationId, "a");
  assert.equal(
    ds.meta.ingest &&
      (ds.meta.ingest as { runs: Record<string, number> }).runs["wasm_concurrency_hello"],
    2,
  );
  // The file's size and SHA-256 (hashed in a worker while the ingest reads it).
  const bytes = await Deno.readFile(`${raw}/1_wasm_concurrency_hello.log`);
  assert.deepEqual(report.files.map((f) => [f.name, f.bytes, f.sha256]), [
    [
      "1_wasm_concurrency_hello.log",
      bytes.length,
      createHash("sha256").update(bytes).digest("hex"),
    ],
  ]);
});

Deno.test("ingest() checks a 2_ file against its 1_ log instead of storing it twice", async () => {
  const raw = await rawDir({
    "1_docker_cold_start.log": activationLog([[
      { level: 1, records: [{ id: "x", wait: 300, init: 2700 }] },
      {
        level: 2,
        records: [{ id: "y", wait: 320, init: 3400 }, { id: "z", wait: 310, init: 3000 }],
      },
    ]]),
    "2_docker_cold_start.log": "x 1 3000\ny 2 3720\nz 2 3311\n",
    "4_docker_concurrency_hash.log": levelLines({ 1: [1, 2, 3], 2: [4] }),
  });
  const out = `${raw}-out`;
  const report = await ingest(raw, out);
  assert.equal(report.checks.length, 1);
  assert.equal(report.checks[0].agree, false);
  assert.deepEqual(report.checks[0].differences, [
    "line 3: z level 2, 3311 ms; 1_docker_cold_start.log: level 2, 3310 ms",
  ]);
  const ds = await readDataset(out);
  const counts = ds.activations.groupBy("source").agg(pl.len().alias("n")).sort("source");
  assert.deepEqual(counts.toRecords(), [{ source: "record", n: 3 }, {
    source: "warm_samples",
    n: 4,
  }]);
});

Deno.test("ingest() of the published logs equals the committed data/thesis, row for row", async () => {
  const out = await Deno.makeTempDir({ prefix: "whiskbench-thesis-" });
  const meta = JSON.parse(await Deno.readTextFile(`${ROOT}data/raw/thesis.meta.json`));
  await ingest(`${ROOT}data/raw/thesis`, out, { meta });
  const built = await readDataset(out);
  const committed = await readDataset(`${ROOT}data/thesis`);
  assert.deepEqual(built.meta, committed.meta);
  for (const table of ["activations", "resources", "timings", "events"] as const) {
    assert.equal(built[table].height, committed[table].height, table);
    assert.ok(built[table].frameEqual(committed[table], true), `${table} differs`);
  }
  // The thesis data README: Docker's cold-start log holds 960 records, Wasm's 1,200.
  const cold = committed.activations
    .filter(
      pl.col("experiment").eq(pl.lit("cold_start")).and(pl.col("source").eq(pl.lit("record"))),
    )
    .groupBy("runtime").agg(pl.len().alias("n")).sort("runtime");
  assert.deepEqual(cold.toRecords(), [{ runtime: "docker", n: 960 }, { runtime: "wasm", n: 1200 }]);
  await Deno.remove(out, { recursive: true });
});
