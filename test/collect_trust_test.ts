/**
 * `deno task collect` through its real CLI against the stand-in: when a collection may call
 * itself complete, and what its exit code, closing line, dataset.json and tables then say.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { computeTables } from "../pipeline/mod.ts";
import { type Standin, type StandinOptions, startStandin } from "./standin/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const opts = { sanitizeResources: false, sanitizeOps: false };
const HELLOS = Array.from({ length: 15 }, (_, i) => `hello${i + 1}`);

/** Runs `deno task collect <args>` against `ow`; its exit code and output. */
async function collect(ow: Standin, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "collectors/cli.ts", ...args, "--apihost", ow.apihost, "--auth", ow.auth],
    cwd: ROOT,
    env: { NO_COLOR: "1", HOME: "/nonexistent" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

type Entry = Record<string, unknown> & { status: string; parameters: Record<string, unknown> };

async function entries(dir: string): Promise<Entry[]> {
  return JSON.parse(await Deno.readTextFile(join(dir, "dataset.json"))).collections;
}

/** A stand-in and a temporary folder, closed and removed after `body`. */
async function withStandin(
  options: StandinOptions,
  body: (ow: Standin, tmp: string) => Promise<void>,
): Promise<void> {
  const ow = await startStandin({ actions: HELLOS, idleTimeoutMs: 30, initMs: 5, ...options });
  const tmp = await Deno.makeTempDir({ prefix: "collect-trust-" });
  try {
    await body(ow, tmp);
  } finally {
    await ow.close();
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test(
  "collect capacity: a 403 mid-run stops with exit 1, status stopped, no capacity in the table",
  opts,
  () =>
    withStandin({
      actions: ["sleep"],
      runMs: { sleep: 20 },
      faults: [{ kind: "status", status: 403, action: "sleep", count: 1000 }],
    }, async (ow, tmp) => {
      const ds = join(tmp, "ds");
      const r = await collect(ow, [
        "capacity",
        "--runtime",
        "docker",
        "--levels",
        "5",
        "--out",
        ds,
      ]);
      assert.equal(r.code, 1, r.text);
      assert.match(r.text, /wrote 1 records, 1 failed -> .*\(runs 1\.\.1, \d+ parts, stopped\)/);
      assert.match(r.text, /stopped: sleep: HTTP 403: /);
      assert.doesNotMatch(r.text, /capacity[: ]+0/);
      assert.deepEqual((await entries(ds)).map((e) => [e.status, e.final_error]), [
        ["stopped", undefined],
      ]);
      assert.deepEqual(ow.faults, [{ kind: "status", status: 403, action: "sleep", count: 999 }]);
      const t = computeTables(await readDataset(ds));
      assert.equal(t.capacity.height, 0); // no capacity figure from a stopped test
    }),
);

Deno.test(
  "collect: a missing action stops every experiment at pre-flight, exit 1, nothing invoked",
  opts,
  () =>
    withStandin({ actions: ["hello1", "hello2", "net"] }, async (ow, tmp) => {
      const ds = join(tmp, "ds");
      for (
        const [args, missing] of [
          [["capacity"], "action sleep not found"],
          [["cold-start", "--levels", "4"], "actions hello3, hello4 not found"],
          [["mixed", "--workload", "mixed_10_90"], "action prime not found"],
          [["concurrency", "--workload", "hash"], "action hash not found"],
        ] as const
      ) {
        const r = await collect(ow, [...args, "--runtime", "docker", "--out", ds]);
        assert.equal(r.code, 1, r.text);
        assert.match(r.text, new RegExp(`error: Pre-flight: ${missing} at http://127`));
      }
      assert.equal(ow.counts.invocations, 0);
      await assert.rejects(Deno.stat(join(ds, "dataset.json")), Deno.errors.NotFound);
    }),
);

Deno.test(
  "collect all: a stopped step is never complete; another measuring parameter runs a step again",
  opts,
  () =>
    withStandin({
      actions: [...HELLOS, "sleep"],
      maxInFlight: 2,
      runMs: { sleep: 50 },
      faults: [{ kind: "status", status: 403, action: "sleep" }],
    }, async (ow, tmp) => {
      const plan = join(tmp, "plan.json"), ds = join(tmp, "ds");
      await Deno.writeTextFile(
        plan,
        JSON.stringify([
          { experiment: "cold-start", levels: 2, reps: 1, "idle-wait": 0.06 },
          { experiment: "capacity", levels: 5 },
        ]),
      );
      const all = (...extra: string[]) =>
        collect(ow, ["all", "--runtime", "docker", "--plan", plan, "--out", ds, ...extra]);
      const status = async () => (await entries(ds)).map((e) => `${e.experiment} ${e.status}`);

      const first = await all();
      assert.equal(first.code, 1, first.text);
      assert.match(first.text, /stopped: sleep: HTTP 403/);
      assert.deepEqual(await status(), ["cold_start complete", "capacity stopped"]);

      const second = await all();
      assert.equal(second.code, 0, second.text);
      assert.match(second.text, /step 1\/2: cold-start: skipped, complete in /);
      assert.match(second.text, /capacity: 2\n/);
      assert.match(second.text, /1 steps run, 1 skipped as complete/);
      assert.deepEqual(await status(), [
        "cold_start complete",
        "capacity stopped",
        "capacity complete",
      ]);
      const t = computeTables(await readDataset(ds));
      assert.deepEqual(t.capacity.select("runtime", "capacity").toRecords(), [
        { runtime: "docker", capacity: 2 },
      ]);

      // Another idle wait measures something else: both steps run again.
      const third = await all("--idle-wait", "0.07");
      assert.equal(third.code, 0, third.text);
      assert.match(third.text, /2 steps run, 0 skipped as complete/);
      assert.deepEqual(
        (await entries(ds)).slice(3).map((e) => [e.experiment, e.parameters.idle_wait_s]),
        [["cold_start", 0.07], ["capacity", 0.07]],
      );
      // So does another repetition count, or --iterations, given to the campaign.
      for (const extra of [["--reps", "2"], ["--iterations", "7"]]) {
        const again = await all("--idle-wait", "0.07", ...extra);
        assert.equal(again.code, 0, again.text);
        assert.match(again.text, /2 steps run, 0 skipped as complete/);
      }
      const same = await all("--idle-wait", "0.07", "--iterations", "7");
      assert.match(same.text, /0 steps run, 2 skipped as complete/);
    }),
);

Deno.test(
  "collect: failed activations are errors of their cell, never latencies (rows kept)",
  opts,
  () =>
    withStandin(
      { actions: ["hello", ...HELLOS], failing: ["hello", "hello2"] },
      async (ow, tmp) => {
        const ds = join(tmp, "ds");
        const ramp = await collect(ow, [
          "concurrency",
          "--runtime",
          "docker",
          "--levels",
          "2",
          "--step",
          "0.3",
          "--out",
          ds,
        ]);
        assert.equal(ramp.code, 1, ramp.text);
        const m = /wrote (\d+) records, (\d+) failed -> .*complete\)/.exec(ramp.text);
        assert.ok(m && m[1] === m[2], ramp.text);
        const cold = await collect(ow, [
          "cold-start",
          "--runtime",
          "docker",
          "--levels",
          "2",
          "--reps",
          "1",
          "--idle-wait",
          "0.06",
          "--out",
          ds,
        ]);
        assert.equal(cold.code, 1, cold.text);
        assert.match(cold.text, /wrote 3 records, 1 failed -> /);

        const data = await readDataset(ds);
        const failed = data.activations.filter(pl.col("success").eq(pl.lit(false)));
        assert.equal(failed.height, Number(m![1]) + 1); // every failed activation kept as a row
        assert.ok(failed.getColumn("status").toArray().every((s) => s === "application error"));
        const t = computeTables(data);
        assert.deepEqual(
          t.warm.select("level", "n", "mean", "n_errors").toRecords(),
          [1, 2].map((level) => ({
            level,
            n: 0,
            mean: null,
            n_errors: failed.filter(
              pl.col("level").eq(pl.lit(level)).and(pl.col("experiment").eq(pl.lit("concurrency"))),
            ).height,
          })),
        );
        assert.deepEqual(t.coldStart.select("level", "n", "n_not_cold", "n_errors").toRecords(), [
          { level: 1, n: 1, n_not_cold: 0, n_errors: 0 },
          { level: 2, n: 1, n_not_cold: 0, n_errors: 1 },
        ]);
      },
    ),
);

Deno.test(
  "collect cold-start: a level that stays warm stops with exit 1; --idle-wait auto measures the timeout",
  opts,
  () =>
    withStandin({ idleTimeoutMs: 1000 }, async (ow, tmp) => {
      const base = ["cold-start", "--runtime", "docker", "--levels", "2", "--reps", "1"];
      // 0.3 s is shorter than the stand-in's 1 s idle timeout, and so is 0.6 s.
      const short = join(tmp, "short");
      const stopped = await collect(ow, [
        ...base,
        "--idle-wait",
        "0.3",
        "--cold-retries",
        "1",
        "--out",
        short,
      ]);
      assert.equal(stopped.code, 1, stopped.text);
      assert.match(stopped.text, /trying the level again after 0\.6 s/);
      assert.match(
        stopped.text,
        /stopped: run 1 level 2: 2 of 2 records are not cold \(no initTime\) after an idle wait of 0\.6 s, attempt 2 of 2/,
      );
      const [entry] = await entries(short);
      assert.equal(entry.status, "stopped");
      assert.deepEqual(
        (entry.flags as { level: number; idle_wait_ms: number }[]).map((f) => [
          f.level,
          f.idle_wait_ms,
        ]),
        [[2, 300], [2, 600]],
      );
      const t = computeTables(await readDataset(short));
      assert.deepEqual(t.coldStart.select("level", "n", "n_not_cold").toRecords(), [
        { level: 1, n: 1, n_not_cold: 0 },
      ]);

      // With the default two retries the third wait (1.2 s) is long enough.
      const retried = join(tmp, "retried");
      const ok = await collect(ow, [...base, "--idle-wait", "0.3", "--out", retried]);
      assert.equal(ok.code, 0, ok.text);
      assert.match(ok.text, /not all cold: run 1 level 2: \d of 2 warm after 0\.6 s/);
      assert.deepEqual(
        computeTables(await readDataset(retried)).coldStart.select("level", "n", "n_not_cold")
          .toRecords(),
        [{ level: 1, n: 1, n_not_cold: 0 }, { level: 2, n: 2, n_not_cold: 0 }],
      );

      const auto = join(tmp, "auto");
      const measured = await collect(ow, [...base, "--idle-wait", "auto", "--out", auto]);
      assert.equal(measured.code, 0, measured.text);
      assert.match(measured.text, /idle timeout: warm after [\d.]+ s, cold after [\d.]+ s/);
      const [a] = await entries(auto);
      const idle = a.idle_wait as { cold_after_ms: number; warm_after_ms: number };
      assert.ok(idle.warm_after_ms < 1000 && idle.cold_after_ms >= 1000, JSON.stringify(idle));
      assert.ok(idle.cold_after_ms - idle.warm_after_ms <= Math.max(50, idle.cold_after_ms / 10));
      assert.deepEqual([a.status, a.parameters.idle_wait_s, a.flags], [
        "complete",
        "auto",
        undefined,
      ]);
      assert.deepEqual(
        computeTables(await readDataset(auto)).coldStart.select("level", "n", "n_not_cold")
          .toRecords(),
        [{ level: 1, n: 1, n_not_cold: 0 }, { level: 2, n: 2, n_not_cold: 0 }],
      );
    }),
);

Deno.test(
  "collect: an answer cut after its headers is fetched by its x-openwhisk-activation-id",
  opts,
  () =>
    withStandin({ faults: [{ kind: "cut", action: "hello1", count: 2 }] }, async (ow, tmp) => {
      const ds = join(tmp, "ds");
      const r = await collect(ow, [
        "cold-start",
        "--runtime",
        "docker",
        "--levels",
        "1",
        "--reps",
        "2",
        "--idle-wait",
        "0.06",
        "--out",
        ds,
      ]);
      assert.equal(r.code, 0, r.text);
      assert.match(r.text, /wrote 2 records, 0 failed -> .*complete\)/);
      const rows = (await readDataset(ds)).activations;
      assert.deepEqual(rows.select("source", "http_status", "error").toRecords(), [
        { source: "record", http_status: 200, error: null },
        { source: "record", http_status: 200, error: null },
      ]);
      // Each record came once, by id (the cut answer never reached the collector whole).
      assert.deepEqual(
        [...rows.getColumn("activation_id").toArray()].sort(),
        ow.records.map((x) => x.activationId).sort(),
      );
      assert.equal(ow.served.length, 4); // two cut answers, two fetched by id
    }),
);

Deno.test(
  "collect: GET / limits refuse a plan over them, are recorded; 429 per minute; command and commit recorded",
  opts,
  () =>
    withStandin({ actions: ["hello"], perMinute: 5 }, async (ow, tmp) => {
      const ds = join(tmp, "ds");
      const ramp = ["concurrency", "--runtime", "docker", "--levels", "2", "--step", "0.3"];
      const refused = await collect(ow, [...ramp, "--out", ds]);
      assert.equal(refused.code, 1, refused.text);
      assert.match(
        refused.text,
        /error: concurrency asks about 120 invocations a minute; OpenWhisk allows 5 \(limits\.actions_per_minute of GET \/\): it would measure OpenWhisk's limit/,
      );
      assert.equal(ow.counts.invocations, 0);
      await assert.rejects(Deno.stat(join(ds, "dataset.json")), Deno.errors.NotFound);

      const forced = await collect(ow, [...ramp, "--ignore-limits", "-i", "--out", ds]);
      assert.equal(forced.code, 1, forced.text);
      const m = /wrote (\d+) records, (\d+) failed -> .*complete\)/.exec(forced.text);
      assert.ok(m, forced.text);
      const [entry] = await entries(ds);
      const counts = entry.counts as Record<string, number>;
      assert.equal(counts.rows, Number(m[1])); // the closing line's count is dataset.json's
      assert.equal(counts.errors, Number(m[2]));
      const rows = (await readDataset(ds)).activations;
      assert.equal(rows.height, Number(m[1]));
      // The warm-up and four more were accepted in the minute; the rest were 429s.
      assert.equal(rows.filter(pl.col("source").eq(pl.lit("record"))).height, 4);
      assert.match(
        rows.filter(pl.col("http_status").eq(pl.lit(429))).getColumn("error").get(0),
        /HTTP 429: Too many requests in the last minute \(count: 6, allowed: 5\)/,
      );
      const openwhisk = entry.openwhisk as {
        limits: Record<string, number>;
        runtimes: Record<string, unknown>;
      };
      assert.deepEqual(
        [openwhisk.limits.actions_per_minute, openwhisk.limits.concurrent_actions],
        [5, 30],
      );
      assert.ok(Array.isArray(openwhisk.runtimes.nodejs));
      assert.deepEqual([entry.parameters.insecure, entry.parameters.ca], [true, null]);
      const command = entry.command as string[];
      assert.deepEqual(command.slice(0, 2), ["concurrency", "--runtime"]);
      assert.ok(command.includes("***") && !command.join(" ").includes(ow.auth.split(":")[1]));
      const head = new TextDecoder().decode(
        (await new Deno.Command("git", { args: ["rev-parse", "HEAD"], cwd: ROOT }).output())
          .stdout,
      ).trim();
      assert.equal((entry.git as { commit: string }).commit, head);
    }),
);

Deno.test(
  "collect: an API host path prefix is kept; host:port speaking HTTP says so; blocking timeout sent",
  opts,
  async () => {
    await withStandin({ prefix: "/openwhisk", runMs: { hello1: 2500 } }, async (ow, tmp) => {
      assert.match(ow.apihost, /\/openwhisk$/);
      const ds = join(tmp, "ds");
      // A client time-out of 1.5 s asks OpenWhisk to answer by 0.75 s: a 202, then the record.
      const r = await collect(ow, [
        "cold-start",
        "--runtime",
        "docker",
        "--levels",
        "1",
        "--reps",
        "1",
        "--idle-wait",
        "0",
        "--timeout",
        "1.5",
        "--out",
        ds,
      ]);
      assert.equal(r.code, 0, r.text);
      const rows = (await readDataset(ds)).activations;
      assert.deepEqual(rows.select("source", "http_status", "action").toRecords(), [
        { source: "record", http_status: 202, action: "hello1" },
      ]);
      assert.equal(((await entries(ds))[0].openwhisk as { apihost: string }).apihost, ow.apihost);

      const bare = ow.apihost.replace(/^http:\/\//, "");
      const noScheme = await collect({ ...ow, apihost: bare }, [
        "cold-start",
        "--runtime",
        "docker",
        "--out",
        join(tmp, "bare"),
      ]);
      assert.equal(noScheme.code, 1, noScheme.text);
      assert.match(
        noScheme.text,
        new RegExp(
          `the server speaks HTTP: give --apihost http://${bare.replaceAll(".", "\\.")}\\)`,
        ),
      );
    });
  },
);

Deno.test(
  "collect capacity: no failure up to N is '>= N' per collection, never the capacity; rows and events name their collection",
  opts,
  () =>
    withStandin({ actions: ["sleep"], runMs: { sleep: 20 }, maxInFlight: 4 }, async (ow, tmp) => {
      const ds = join(tmp, "ds");
      const run = (levels: string) =>
        collect(ow, ["capacity", "--runtime", "wasm", "--levels", levels, "--out", ds]);
      const bound = await run("3");
      assert.equal(bound.code, 0, bound.text);
      assert.match(bound.text, /capacity: at least 3 \(no failure up to level 3\)/);
      let t = computeTables(await readDataset(ds));
      assert.equal(t.capacity.height, 0); // a lower bound is not a capacity
      assert.deepEqual(t.collections.select("experiment", "status", "capacity").toRecords(), [
        { experiment: "capacity", status: "complete", capacity: ">= 3" },
      ]);

      const measured = await run("10");
      assert.equal(measured.code, 0, measured.text);
      assert.match(measured.text, /capacity: 4\n/);
      const data = await readDataset(ds);
      t = computeTables(data);
      assert.deepEqual(t.capacity.select("runtime", "capacity").toRecords(), [
        { runtime: "wasm", capacity: 4 },
      ]);
      const ids = (await entries(ds)).map((e) => e.id as string);
      assert.deepEqual(t.collections.select("collection", "capacity").toRecords(), [
        { collection: ids[0], capacity: ">= 3" },
        { collection: ids[1], capacity: "4" },
      ]);
      // Every row and event names its collection (and the events their workload).
      for (const frame of [data.activations, data.events]) {
        assert.deepEqual(
          frame.groupBy("collection").len().sort("collection").getColumn("collection").toArray(),
          [...ids].sort(),
        );
      }
      assert.deepEqual(data.events.getColumn("workload").unique().toArray(), ["sleep"]);
      assert.equal(
        data.events.filter(pl.col("what").eq(pl.lit("level_start"))).groupBy("collection")
          .len().sort("collection").getColumn("len").toArray().join(),
        ids[0] < ids[1] ? "3,5" : "5,3",
      );
    }),
);

Deno.test(
  "collect all: the whole plan is checked against OpenWhisk's limits before its first invocation",
  opts,
  () =>
    withStandin({ actions: [...HELLOS, "hello"], perMinute: 5 }, async (ow, tmp) => {
      const plan = join(tmp, "plan.json"), ds = join(tmp, "ds");
      await Deno.writeTextFile(
        plan,
        JSON.stringify([
          { experiment: "cold-start", levels: 1, reps: 1, "idle-wait": 30 },
          { experiment: "concurrency", workload: "hello", levels: 2, step: 0.3 },
        ]),
      );
      const r = await collect(ow, ["all", "--runtime", "docker", "--plan", plan, "--out", ds]);
      assert.equal(r.code, 1, r.text);
      assert.match(
        r.text,
        /error: concurrency asks about 120 invocations a minute; OpenWhisk allows 5/,
      );
      assert.doesNotMatch(r.text, /step 1\/2/); // nothing ran
      assert.equal(ow.counts.invocations, 0);
      await assert.rejects(Deno.stat(join(ds, "dataset.json")), Deno.errors.NotFound);
    }),
);
