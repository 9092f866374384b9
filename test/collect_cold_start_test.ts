import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { ManualClock } from "../collectors/clock.ts";
import { coldStart } from "../collectors/cold_start.ts";
import type { Connection } from "../collectors/config.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { openOutput } from "../collectors/output.ts";
import { Progress } from "../collectors/progress.ts";
import { Stopper } from "../collectors/signals.ts";
import { readDataset } from "../dataset/mod.ts";
import { coldStartTable } from "../pipeline/mod.ts";
import { startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const HELLOS = Array.from({ length: 4 }, (_, i) => `hello${i + 1}`);

async function setup(clock: ManualClock, idleTimeoutMs = 10_000) {
  const ow = await startStandin({ clock, actions: HELLOS, idleTimeoutMs, initMs: 40 });
  const conn: Connection = {
    apihost: ow.apihost,
    auth: ow.auth,
    insecure: false,
    authFrom: "--auth",
  };
  const dir = await Deno.makeTempDir({ prefix: "cold-start-" });
  const out = (runtime: string) =>
    openOutput(dir, {
      experiment: "cold_start",
      runtime,
      workload: "hello",
      parameters: { levels: 3 },
      host: { cpu: "test" },
      openwhisk: { apihost: ow.apihost, api: {} },
      clock,
    });
  return { ow, api: new OpenWhiskApi(conn), dir, out };
}

Deno.test(
  "coldStart() runs levels 1..N of R repetitions, all cold, ids as served",
  opts,
  async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { ow, api, dir, out } = await setup(clock);
    try {
      const lines: string[] = [];
      const o = await out("wasm");
      const progress = new Progress({
        experiment: "cold-start",
        runtime: "wasm",
        level: 0,
        levels: 3,
        run: 0,
        runs: 2,
        inFlight: 0,
        done: 0,
        errors: 0,
        fraction: 0,
      }, { clock, write: (t) => lines.push(t), tty: false, everyMs: 0 });
      const result = await coldStart(api, o, {
        runtime: "wasm",
        levels: 3,
        reps: 2,
        idleWaitMs: 15_000,
        clock,
        progress,
      });
      assert.deepEqual(result, {
        status: "complete",
        records: 12,
        errors: 0,
        notAllCold: 0,
        notCold: [],
      });
      assert.equal(clock.slept.filter((ms) => ms === 15_000).length, 6); // one wait per level
      await o.finish(result.status, { records: result.records });

      const ds = await readDataset(dir);
      const rows = ds.activations.sort(["client_send_ms", "activation_id"]);
      assert.equal(rows.height, 12);
      assert.deepEqual(
        [...rows.getColumn("activation_id").toArray()].sort(),
        [...ow.served].sort(),
      );
      const byLevel = rows.groupBy(["run", "level"]).agg(
        pl.len().alias("n"),
        pl.col("action").sort().alias("actions"),
        pl.col("init_ms").isNull().sum().alias("warm"),
      ).sort(["run", "level"]);
      assert.deepEqual(byLevel.toRecords(), [
        { run: 1, level: 1, n: 1, actions: ["hello1"], warm: 0 },
        { run: 1, level: 2, n: 2, actions: ["hello1", "hello2"], warm: 0 },
        { run: 1, level: 3, n: 3, actions: ["hello1", "hello2", "hello3"], warm: 0 },
        { run: 2, level: 1, n: 1, actions: ["hello1"], warm: 0 },
        { run: 2, level: 2, n: 2, actions: ["hello1", "hello2"], warm: 0 },
        { run: 2, level: 3, n: 3, actions: ["hello1", "hello2", "hello3"], warm: 0 },
      ]);
      // Rows come from the one record-to-row function: the full record is kept.
      assert.equal(
        JSON.parse(rows.getColumn("record").get(0)).activationId,
        rows.getColumn("activation_id").get(0),
      );
      assert.equal(coldStartTable(ds.activations).height, 3);
      // A part at every level at least (more where 5 s passed since the last one), events of
      // every level, the entry completed.
      assert.ok(o.activations.parts.length >= 6);
      assert.equal(ds.events.filter(pl.col("what").eq(pl.lit("level_start"))).height, 6);
      const entry = (ds.meta.collections as { status: string; counts: unknown }[])[0];
      assert.deepEqual([entry.status, entry.counts], ["complete", { records: 12 }]);
      assert.match(
        lines.at(-1)!,
        /^cold-start wasm {2}run 2\/2 {2}level 3\/3 {2}idle wait 15 s {2}in flight 0 {2}done 12 {2}errors 0/,
      );

      // A second collection into the same dataset continues the run numbers, adds parts.
      const o2 = await out("wasm");
      assert.equal(o2.entry.first_run, 3);
      const again = await coldStart(api, o2, {
        runtime: "wasm",
        levels: 1,
        reps: 1,
        idleWaitMs: 15_000,
        clock,
        firstRun: o2.entry.first_run,
      });
      assert.equal(again.records, 1);
      const ds2 = await readDataset(dir);
      assert.deepEqual([ds2.activations.height, ds2.activations.getColumn("run").max()], [13, 3]);
      assert.equal((ds2.meta.collections as unknown[]).length, 2);
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "coldStart() runs a level that is not all cold again after twice the wait, then stops",
  opts,
  async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { ow, api, dir, out } = await setup(clock, 60_000); // idle timeout longer than the wait
    try {
      const notes: string[] = [];
      const o = await out("docker");
      const progress = new Progress({
        experiment: "cold-start",
        runtime: "docker",
        level: 0,
        levels: 3,
        run: 0,
        runs: 1,
        inFlight: 0,
        done: 0,
        errors: 0,
        fraction: 0,
      }, { clock, write: (t) => notes.push(t), tty: false, everyMs: 1e12 });
      const result = await coldStart(api, o, {
        runtime: "docker",
        levels: 3,
        reps: 1,
        idleWaitMs: 15_000,
        clock,
        progress,
      });
      // 15 s and 30 s leave containers warm; 60 s (the stand-in's idle timeout) does not.
      assert.equal(result.status, "complete");
      assert.deepEqual(result.notCold, [
        { run: 1, level: 2, warm: 1, records: 2, idle_wait_ms: 15_000 },
        { run: 1, level: 2, warm: 2, records: 2, idle_wait_ms: 30_000 },
        { run: 1, level: 3, warm: 2, records: 3, idle_wait_ms: 15_000 },
        { run: 1, level: 3, warm: 3, records: 3, idle_wait_ms: 30_000 },
      ]);
      assert.deepEqual([result.records, result.notAllCold], [1 + 2 + 3, 4 + 6]);
      assert.ok(
        notes.some((t) =>
          t.startsWith(
            "warning: run 1 level 2: 1 of 2 records are not cold (no initTime) after an idle " +
              "wait of 15 s; trying the level again after 30 s",
          )
        ),
      );
      await o.finish(result.status, {});
      const ds = await readDataset(dir);
      assert.deepEqual(
        ds.events.filter(pl.col("what").str.startsWith("not_all_cold")).select("level", "what")
          .toRecords(),
        [
          { level: 2, what: "not_all_cold: 1 of 2 records without initTime" },
          { level: 2, what: "not_all_cold: 2 of 2 records without initTime" },
          { level: 3, what: "not_all_cold: 2 of 3 records without initTime" },
          { level: 3, what: "not_all_cold: 3 of 3 records without initTime" },
        ],
      );
      const entry = (ds.meta.collections as { flags: unknown[] }[])[0];
      assert.equal(entry.flags.length, 4);
      // The rows of the levels that were not all cold are kept, out of the table.
      assert.deepEqual(
        ds.activations.groupBy("source").len().sort("source").toRecords(),
        [{ source: "not_all_cold", len: 10 }, { source: "record", len: 6 }],
      );
      assert.deepEqual(
        coldStartTable(ds.activations).select("level", "n", "n_not_cold").toRecords(),
        [1, 2, 3].map((level) => ({ level, n: level, n_not_cold: 0 })),
      );

      // Without retries, the first level that is not all cold stops the experiment.
      const stopped = await coldStart(api, o, {
        runtime: "docker",
        levels: 3,
        reps: 1,
        idleWaitMs: 15_000,
        coldRetries: 0,
        firstRun: 2,
        clock,
      });
      assert.equal(stopped.status, "stopped");
      assert.equal(
        stopped.reason,
        "run 2 level 1: 1 of 1 records are not cold (no initTime) after an idle wait of 15 s, " +
          "attempt 1 of 1: OpenWhisk keeps idle containers longer than that (try --idle-wait auto)",
      );
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "coldStart() stops at a stop request and on a fatal error, keeping the rows",
  opts,
  async () => {
    const clock = new ManualClock(0);
    const { ow, api, dir, out } = await setup(clock);
    try {
      const stopper = new Stopper();
      stopper.request(); // as a first Ctrl-C before the first level
      const o = await out("wasm");
      const r1 = await coldStart(api, o, { runtime: "wasm", levels: 3, reps: 1, clock, stopper });
      assert.deepEqual([r1.status, r1.records], ["interrupted", 0]);
      // Level 5 asks for hello5, which does not exist: its 404 row is kept and the run stops.
      const r2 = await coldStart(api, o, { runtime: "wasm", levels: 6, reps: 1, clock });
      assert.deepEqual([r2.status, r2.records, r2.errors], ["stopped", 14, 1]);
      assert.equal(r2.reason, "hello5: HTTP 404: The requested resource does not exist.");
      await o.finish(r2.status, {});
      const errors = (await readDataset(dir)).activations.filter(
        pl.col("source").eq(pl.lit("error")),
      );
      assert.deepEqual(errors.select("level", "action", "http_status").toRecords(), [
        { level: 5, action: "hello5", http_status: 404 },
      ]);
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "coldStart(): a second stop request aborts the requests in flight, kept as rows",
  opts,
  async () => {
    const ow = await startStandin({ actions: HELLOS, runMs: { hello1: 600 } });
    const conn: Connection = {
      apihost: ow.apihost,
      auth: ow.auth,
      insecure: false,
      authFrom: "--auth",
    };
    const dir = await Deno.makeTempDir({ prefix: "cold-start-abort-" });
    try {
      const o = await openOutput(dir, {
        experiment: "cold_start",
        runtime: "wasm",
        workload: "hello",
        parameters: {},
        host: {},
        openwhisk: { apihost: ow.apihost, api: {} },
      });
      const stopper = new Stopper();
      const running = coldStart(new OpenWhiskApi(conn), o, {
        runtime: "wasm",
        levels: 3,
        reps: 1,
        idleWaitMs: 0,
        stopper,
      });
      while (ow.counts.invocations < 1) await new Promise((r) => setTimeout(r, 5));
      stopper.request(); // first Ctrl-C: nothing new
      stopper.request(); // second: abort the one in flight
      const r = await running;
      assert.deepEqual([r.status, r.records, r.errors], ["interrupted", 0, 1]);
      await o.finish(r.status, {});
      const rows = (await readDataset(dir)).activations;
      assert.deepEqual(rows.select("level", "action", "error").toRecords(), [
        { level: 1, action: "hello1", error: "interrupted before the answer came" },
      ]);
      await ow.settled(); // the stand-in finishes its activation
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
