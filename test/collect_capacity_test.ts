import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { quietReport } from "./_quiet_report.ts";
import { capacity } from "../collectors/capacity.ts";
import type { Connection } from "../collectors/config.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { openOutput } from "../collectors/output.ts";
import { readDataset } from "../dataset/mod.ts";
import { allTables } from "../pipeline/mod.ts";
import { type StandinOptions, startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const LIMIT_429 = "HTTP 429: Too many concurrent requests in flight (count: 5, allowed: 5).";

/** A stand-in whose sleep action takes 200 ms, so that a level's invocations overlap. */
async function setup(standin: StandinOptions = {}) {
  const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 200 }, ...standin });
  const conn: Connection = { apihost: ow.apihost, auth: ow.auth, insecure: false, authFrom: "t" };
  const dir = await Deno.makeTempDir({ prefix: "capacity-" });
  const out = await openOutput(dir, {
    experiment: "capacity",
    runtime: "docker",
    workload: "sleep",
    parameters: {},
    host: {},
    openwhisk: { apihost: ow.apihost, api: {} },
  });
  return { ow, api: new OpenWhiskApi(conn), dir, out };
}

Deno.test(
  "capacity() stops at the stand-in's in-flight limit and records the final error",
  opts,
  async () => {
    const { ow, api, dir, out } = await setup({ maxInFlight: 5 });
    try {
      const r = await capacity(api, out, { runtime: "docker", levels: 50 });
      assert.equal(r.status, "complete");
      assert.equal(r.capacity, 5);
      assert.equal(r.records, 1 + 2 + 3 + 4 + 5);
      const fe = r.finalError!;
      assert.deepEqual(
        [fe.level, fe.error, fe.http_status, fe.failed, fe.succeeded, fe.succeeded_ids.length],
        [6, LIMIT_429, 429, 1, 5, 5],
      );
      assert.equal(ow.counts.invocations, 21); // 1+...+6: nothing after the failed level
      await out.finish(r.status, {});

      const ds = await readDataset(dir);
      const rows = ds.activations;
      assert.deepEqual(
        rows.groupBy("level", "source").len().sort("level").toRecords(),
        [1, 2, 3, 4, 5].map((l) => ({ level: l, source: "record", len: l })).concat([
          { level: 6, source: "error", len: 1 },
        ]),
      );
      const error = rows.filter(pl.col("source").eq(pl.lit("error"))).toRecords()[0];
      assert.deepEqual([error.error, error.http_status, error.action], [LIMIT_429, 429, "sleep"]);
      // The records that came back at the failed level are named in dataset.json.
      const entry = (ds.meta.collections as Record<string, unknown>[])[0];
      assert.deepEqual(
        (entry.final_error as { succeeded_ids: string[] }).succeeded_ids.sort(),
        ow.served.filter((id) => !rows.getColumn("activation_id").toArray().includes(id))
          .sort(),
      );
      assert.deepEqual(
        ds.events.filter(pl.col("what").str.startsWith("Final Error")).select("level", "what")
          .toRecords(),
        [{ level: 6, what: `Final Error: ${LIMIT_429} (1 of 6 failed)` }],
      );

      // Table 17's capacity and error, and the report.
      const table = allTables(ds).find((t) => t.name === "capacity")!.frame;
      assert.deepEqual(table.select("runtime", "capacity", "error").toRecords(), [
        { runtime: "docker", capacity: 5, error: LIMIT_429 },
      ]);
      const report = await quietReport(dir);
      assert.ok(report.tables > 0);
      assert.match(
        await Deno.readTextFile(join(`${dir}.report`, "tables", "capacity.md")),
        /Too many concurrent requests/,
      );
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "capacity(): --from and --increment, no failure up to the last level, a failed action",
  opts,
  async () => {
    const { ow, api, dir, out } = await setup({ maxInFlight: 5 });
    try {
      const stepped = await capacity(api, out, { runtime: "docker", from: 2, increment: 2 });
      assert.deepEqual([stepped.capacity, stepped.finalError?.level], [4, 6]);
      const all = await capacity(api, out, { runtime: "docker", levels: 3, run: 2 });
      assert.deepEqual([all.status, all.capacity, all.finalError], ["complete", 3, undefined]);
      assert.equal(all.reason, "no failure up to level 3; capacity at least 3");
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
    const failing = await setup({ failing: ["sleep"] });
    try {
      const r = await capacity(failing.api, failing.out, { runtime: "docker" });
      assert.deepEqual([r.capacity, r.finalError?.level, r.finalError?.http_status], [0, 1, 502]);
      await failing.out.finish(r.status, {});
      const rows = (await readDataset(failing.dir)).activations.toRecords();
      // A failed activation is an error row without a latency, its record kept.
      assert.equal(rows.length, 1);
      assert.deepEqual(
        [rows[0].source, rows[0].wait_ms, rows[0].error, JSON.parse(rows[0].record as string).name],
        ["error", null, "action sleep failed (stand-in)", "sleep"],
      );
    } finally {
      await failing.ow.close();
      await Deno.remove(failing.dir, { recursive: true });
    }
  },
);
