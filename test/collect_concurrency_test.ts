import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { quietReport } from "./_quiet_report.ts";
import { ramp, workloadParams } from "../collectors/concurrency.ts";
import type { Connection } from "../collectors/config.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { openOutput } from "../collectors/output.ts";
import { Stopper } from "../collectors/signals.ts";
import { partPaths, readDataset } from "../dataset/mod.ts";
import { allTables } from "../pipeline/mod.ts";
import { GatedClock, until } from "./_gated_clock.ts";
import { type StandinOptions, startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const STEP = 5_000;
const T0 = 1_700_000_000_000;

/** A stand-in on the real clock (its activations take real milliseconds, so requests overlap)
 * and a collector on a gated clock (the test ends each level). */
async function setup(standin: StandinOptions = {}) {
  const clock = new GatedClock(T0);
  const ow = await startStandin({ actions: ["hello", "hash"], runMs: { hello: 30 }, ...standin });
  const conn: Connection = { apihost: ow.apihost, auth: ow.auth, insecure: false, authFrom: "t" };
  const dir = await Deno.makeTempDir({ prefix: "ramp-" });
  const out = await openOutput(dir, {
    experiment: "concurrency",
    runtime: "docker",
    workload: "hello",
    parameters: { levels: 3 },
    host: {},
    openwhisk: { apihost: ow.apihost, api: {} },
    clock,
  });
  return { clock, ow, api: new OpenWhiskApi(conn), dir, out };
}

Deno.test(
  "ramp() advances levels 1..N in order with L requests in flight, after a warm-up",
  opts,
  async () => {
    const { clock, ow, api, dir, out } = await setup();
    try {
      const running = ramp(api, out, {
        runtime: "docker",
        workload: "hello",
        next: () => ({ action: "hello" }),
        warmup: [{ action: "hello" }],
        levels: 3,
        stepMs: STEP,
        clock,
      });
      const peaks: number[] = [], during: number[] = [];
      for (let level = 1; level <= 3; level++) {
        await until(() => clock.waiting === 1, `level ${level}`); // the ramp waits in the level
        ow.counts.peakInFlight = 0;
        const before = ow.records.length;
        await until(() => ow.records.length >= before + 4 * level, `records at level ${level}`);
        peaks.push(ow.counts.peakInFlight);
        during.push(ow.records.length - before);
        await clock.advance(STEP);
      }
      const r = await running;
      assert.deepEqual(peaks, [1, 2, 3]); // exactly L in flight at level L, never more
      assert.equal(r.status, "complete");
      assert.equal(r.errors, 0);
      assert.deepEqual(r.warmups.map((w) => [w.action, w.cold]), [["hello", true]]);
      await out.finish(r.status, {});

      const ds = await readDataset(dir);
      const rows = ds.activations;
      assert.equal(rows.height, r.records);
      assert.equal(r.records, ow.records.length - 1); // every record served but the warm-up's
      // Events: the warm-up, the levels in order, then the end of the ramp.
      const events = ds.events.sort("t_ms", false, true).select("t_ms", "level", "what")
        .toRecords();
      assert.deepEqual(events.map((e) => [e.level, String(e.what).split(":")[0]]), [
        [0, "warmup hello"],
        [1, "level_start"],
        [2, "level_start"],
        [3, "level_start"],
        [3, "ramp_end"],
      ]);
      assert.deepEqual(events.slice(1).map((e) => e.t_ms), [
        T0,
        T0 + STEP,
        T0 + 2 * STEP,
        T0 + 3 * STEP,
      ]);
      // Each row counted at the level current when it returned.
      const starts = [T0, T0 + STEP, T0 + 2 * STEP, Infinity];
      for (const row of rows.toRecords()) {
        const level = row.level as number, t = row.client_receive_ms as number;
        assert.ok(starts[level - 1] <= t && t < starts[level], `${t} at level ${level}`);
      }
      const perLevel = rows.groupBy("level").len().sort("level").getColumn("len").toArray();
      assert.deepEqual(perLevel, r.perLevel);
      perLevel.forEach((n, i) => assert.ok(n >= during[i] - (i + 1)));
      // A new container for each added request: one cold start per level; the rest warm.
      assert.deepEqual(
        rows.filter(pl.col("init_ms").isNotNull()).groupBy("level").len().sort("level")
          .toRecords(),
        [{ level: 1, len: 0 }, { level: 2, len: 1 }, { level: 3, len: 1 }].filter((x) => x.len),
      );

      // The pipeline's warm table and the report read the dataset.
      const warm = allTables(ds).find((t) => t.name === "warm_docker_hello")!;
      assert.deepEqual(warm.frame.getColumn("level").toArray(), [1, 2, 3]);
      assert.deepEqual(
        warm.frame.getColumn("n").toArray(),
        rows.filter(pl.col("init_ms").isNull()).groupBy("level").len().sort("level")
          .getColumn("len").toArray(),
      );
      const report = await quietReport(dir);
      assert.ok(report.tables > 0);
      assert.match(
        await Deno.readTextFile(join(`${dir}.report`, "tables", "warm_docker_hello.md")),
        /level/,
      );
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "ramp() counts a request at the level current when it returned, not when it was sent",
  opts,
  async () => {
    const { clock, ow, api, dir, out } = await setup();
    try {
      const params = workloadParams("hash", { iterations: 7, input: "x" });
      const running = ramp(api, out, {
        runtime: "docker",
        workload: "hash",
        next: () => ({ action: "hash", params }),
        levels: 2,
        stepMs: STEP,
        clock,
      });
      await until(() => clock.waiting === 1 && ow.records.length >= 2, "level 1");
      ow.faults.push({ action: "hash", kind: "slow", delayMs: 400 }); // the next one is slow
      await until(() => ow.faults.length === 0, "the slow request");
      await clock.advance(STEP); // level 2 while it is in flight
      await until(() => clock.waiting === 1, "level 2");
      const before = ow.records.length;
      await until(() => ow.records.length >= before + 6, "records at level 2");
      await clock.advance(STEP);
      const r = await running;
      assert.equal(r.status, "complete");
      await out.finish(r.status, {});
      const rows = (await readDataset(dir)).activations;
      const crossed = rows.filter(
        pl.col("client_send_ms").lt(T0 + STEP).and(pl.col("level").eq(2)),
      );
      assert.equal(crossed.height, 1); // sent at level 1, returned at level 2
      assert.deepEqual(
        rows.filter(pl.col("level").eq(1)).getColumn("client_receive_ms").unique().toArray(),
        [T0],
      );
      assert.deepEqual(rows.getColumn("workload").unique().toArray(), ["hash"]);
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "ramp() stops at once on a missing action, and at a stop request, keeping the rows",
  opts,
  async () => {
    const { clock, ow, api, dir, out } = await setup();
    try {
      const missing = await ramp(api, out, {
        runtime: "docker",
        workload: "nothere",
        next: () => ({ action: "nothere" }),
        levels: 3,
        stepMs: STEP,
        clock,
      });
      assert.deepEqual(
        [missing.status, missing.reason, missing.errors],
        ["stopped", "nothere: HTTP 404: The requested resource does not exist.", 1],
      );
      const stopper = new Stopper();
      const running = ramp(api, out, {
        runtime: "docker",
        workload: "hello",
        next: () => ({ action: "hello" }),
        levels: 15,
        stepMs: STEP,
        clock,
        stopper,
      });
      await until(() => clock.waiting === 1 && ow.records.length >= 3, "level 1");
      stopper.request(); // as Ctrl-C: nothing new, the ones in flight finish
      const r = await running;
      assert.equal(r.status, "interrupted");
      assert.ok(r.records >= 3);
      await out.finish(r.status, {});
      const rows = (await readDataset(dir)).activations;
      assert.equal(rows.height, r.records + 1);
      assert.deepEqual(rows.getColumn("level").unique().sort().toArray(), [1]);
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "ramp(): a 429 is an error row at its level and its slot backs off instead of spinning",
  opts,
  async () => {
    const { clock, ow, api, dir, out } = await setup({ maxInFlight: 1 });
    try {
      const running = ramp(api, out, {
        runtime: "docker",
        workload: "hello",
        next: () => ({ action: "hello" }),
        levels: 2,
        stepMs: STEP,
        clock,
      });
      await until(() => clock.waiting === 1 && ow.records.length >= 2, "level 1");
      await clock.advance(STEP);
      await until(() => ow.counts.rejected429 >= 1, "a 429 at level 2");
      await new Promise((r) => setTimeout(r, 100)); // wall time: no hot loop meanwhile
      assert.equal(ow.counts.rejected429, 1); // the slot waits on the (gated) clock
      await clock.advance(STEP);
      const r = await running;
      assert.equal(r.status, "complete");
      await out.finish(r.status, {});
      const errors = (await readDataset(dir)).activations.filter(
        pl.col("source").eq(pl.lit("error")),
      );
      assert.deepEqual(errors.select("level", "http_status").toRecords(), [
        { level: 2, http_status: 429 },
      ]);
      assert.equal(r.errors, 1);
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "collect concurrency: progress line, SIGINT finishes the level's part and exits 130",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["hello"], runMs: { hello: 5 } });
    const dir = await Deno.makeTempDir({ prefix: "ramp-cli-" });
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "collectors/cli.ts",
          "concurrency",
          "--runtime",
          "docker",
          "--apihost",
          ow.apihost,
          "--auth",
          ow.auth,
          "--step",
          "0.3",
          "--out",
          dir,
        ],
        cwd: new URL("..", import.meta.url).pathname,
        env: { NO_COLOR: "1", HOME: "/nonexistent" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Wait for two parts (one at each level's start), then Ctrl-C.
      const deadline = Date.now() + 30_000;
      while ((await partPaths(join(dir, "activations"))).length < 2) {
        assert.ok(Date.now() < deadline, "timed out waiting for parts of the ramp");
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGINT");
      const out = await child.output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 130, text);
      assert.match(
        text,
        /concurrency docker {2}run 1\/1 {2}level \d+\/15 {2}in flight \d+ {2}done \d+/,
      );
      const m = /wrote (\d+) records, 0 failed .*interrupted\)/.exec(text);
      assert.ok(m, text);
      const ds = await readDataset(dir);
      assert.equal(ds.activations.height, Number(m[1]));
      assert.ok(Number(ds.activations.getColumn("level").max()) >= 2);
      assert.equal((ds.meta.collections as { status: string }[])[0].status, "interrupted");
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
