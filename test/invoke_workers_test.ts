import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { capacity } from "../collectors/capacity.ts";
import { ManualClock } from "../collectors/clock.ts";
import type { Connection } from "../collectors/config.ts";
import { InvokeWorkers } from "../collectors/invoke_workers.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { openOutput } from "../collectors/output.ts";
import { readDataset } from "../dataset/mod.ts";
import { type Standin, startStandin } from "./standin/mod.ts";
import { selfSignedCert } from "./standin/tls.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Polls `ok` on every turn of the event loop until it holds. */
async function until(ok: () => boolean): Promise<void> {
  while (!ok()) await new Promise((r) => setTimeout(r, 1));
}

/**
 * A capacity test whose calls all go through `workers`: the experiment's own API client names
 * a port nothing listens on, so a call made in this process would fail.
 */
async function capacityRun(ow: Standin, workers: InvokeWorkers, levels: Record<string, number>) {
  const dir = await Deno.makeTempDir({ prefix: "invoke-workers-" });
  const out = await openOutput(dir, {
    experiment: "capacity",
    runtime: "docker",
    workload: "sleep",
    parameters: {},
    host: {},
    openwhisk: { apihost: ow.apihost, api: {} },
  });
  const unused = new OpenWhiskApi({
    apihost: "http://127.0.0.1:1",
    auth: ow.auth,
    insecure: false,
    authFrom: "t",
  });
  const run = capacity(unused, out, {
    runtime: "docker",
    ...levels,
    invoker: workers.invokeWithPolicy.bind(workers),
  });
  return { dir, out, run };
}

function connOf(ow: Standin): Connection {
  return { apihost: ow.apihost, auth: ow.auth, insecure: false, authFrom: "t" };
}

Deno.test(
  "capacity() over invoke workers: every call's row in the dataset, once, none sent twice",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 20 }, maxInFlight: 500 });
    const workers = InvokeWorkers.start(connOf(ow), { workers: 2 });
    try {
      const { dir, out, run } = await capacityRun(ow, workers, {
        from: 10,
        increment: 25,
        levels: 60,
      });
      const r = await run;
      assert.deepEqual([r.status, r.records, r.errors, r.capacity], ["complete", 105, 0, 60]);
      assert.equal(ow.counts.invocations, 105);
      await out.finish(r.status, {});
      const rows = (await readDataset(dir)).activations;
      assert.deepEqual(
        rows.groupBy("level", "source").len().sort("level").toRecords(),
        [10, 35, 60].map((l) => ({ level: l, source: "record", len: l })),
      );
      const ids = rows.getColumn("activation_id").toArray() as string[];
      assert.equal(new Set(ids).size, 105);
      assert.deepEqual([...ids].sort(), [...ow.served].sort());
      // Send and receive times from the workers' clock, in order.
      assert.equal(
        rows.filter(pl.col("client_receive_ms").ltEq(pl.col("client_send_ms"))).height,
        0,
      );
    } finally {
      workers.close();
      await ow.close();
    }
  },
);

Deno.test(
  "capacity() over invoke workers: calls in flight when the workers end are error rows, and it stops",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 1500 } });
    const workers = InvokeWorkers.start(connOf(ow), { workers: 2 });
    try {
      const { dir, out, run } = await capacityRun(ow, workers, { from: 6, levels: 6 });
      await until(() => ow.counts.inFlight === 6);
      workers.close();
      const r = await run;
      assert.deepEqual([r.status, r.records, r.errors], ["stopped", 0, 6]);
      await out.finish(r.status, {});
      const rows = (await readDataset(dir)).activations;
      assert.deepEqual(
        rows.select("level", "source", "error").unique().toRecords(),
        [{
          level: 6,
          source: "error",
          error: "invoke worker failed: the invoke workers were closed",
        }],
      );
      assert.equal(rows.height, 6);
      assert.equal(ow.counts.invocations, 6);
    } finally {
      workers.close();
      await ow.close();
    }
  },
);

Deno.test("a worker that cannot start answers each call with an error, without the key", async () => {
  const conn: Connection = {
    apihost: "http://[user:secret-key-42",
    auth: "user:secret-key-42",
    insecure: false,
    authFrom: "t",
  };
  const workers = InvokeWorkers.start(conn, { workers: 1 });
  try {
    const answers = await Promise.all([1, 2, 3].map(() => workers.invokeWithPolicy("hello")));
    for (const { attempts, stop } of answers) {
      assert.equal(stop, true);
      assert.equal(attempts.length, 1);
      const [o] = attempts;
      assert.deepEqual([o.record, o.fatal, o.action], [null, true, "hello"]);
      assert.match(o.error!, /^invoke worker failed: .*Invalid URL/);
      assert.doesNotMatch(o.error!, /secret-key-42/);
    }
    // Later calls too: no worker is left.
    const later = await workers.invokeWithPolicy("hello");
    assert.match(later.attempts[0].error!, /^invoke worker failed: /);
  } finally {
    workers.close();
  }
});

Deno.test(
  "invoke workers: an aborted interrupt signal ends the calls in flight as interrupted, not fatal",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 5000 } });
    const workers = InvokeWorkers.start(connOf(ow), { workers: 2 });
    try {
      const stop = new AbortController();
      const calls = [1, 2, 3, 4].map(() =>
        workers.invokeWithPolicy("sleep", { signal: stop.signal, onError: "retry" })
      );
      await until(() => ow.counts.inFlight === 4);
      stop.abort();
      for (const { attempts, stop: fatal } of await Promise.all(calls)) {
        assert.equal(fatal, false);
        assert.deepEqual(
          attempts.map((o) => [o.error, o.fatal]),
          [["interrupted before the answer came", undefined]],
        );
      }
      assert.equal(ow.counts.invocations, 4);
      // A call made after the abort goes out aborted too.
      const late = await workers.invokeWithPolicy("sleep", { signal: stop.signal });
      assert.equal(late.attempts[0].error, "interrupted before the answer came");
    } finally {
      workers.close();
      await ow.close();
    }
  },
);

Deno.test("invoke workers refuse an injected clock", () => {
  const workers = InvokeWorkers.start(
    { apihost: "http://127.0.0.1:1", auth: "a:b", insecure: false, authFrom: "t" },
    { workers: 1 },
  );
  try {
    assert.throws(
      () => workers.invokeWithPolicy("hello", { clock: new ManualClock() }),
      /system clock/,
    );
  } finally {
    workers.close();
  }
});

Deno.test(
  "collect capacity --invoke-workers 2: every record in the dataset once, the key nowhere",
  opts,
  async () => {
    const secret = "w0rk3r-s3cr3t-never-seen";
    const auth = `c0ffee00-0000-4000-8000-000000000000:${secret}`;
    const ow = await startStandin({ auth, actions: ["sleep"], runMs: { sleep: 20 } });
    const tmp = await Deno.makeTempDir({ prefix: "invoke-workers-cli-" });
    const props = join(tmp, "wskprops"), ds = join(tmp, "ds");
    await Deno.writeTextFile(props, `APIHOST=${ow.apihost}\nAUTH=${auth}\n`);
    try {
      const args = ["--runtime", "docker", "--invoke-workers", "2", "--from", "4"];
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "collectors/cli.ts", "capacity", ...args, "--increment", "4"]
          .concat(["--levels", "12", "--out", ds]),
        cwd: new URL("..", import.meta.url).pathname,
        env: { NO_COLOR: "1", HOME: "/nonexistent", WSK_CONFIG_FILE: props },
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, text);
      assert.match(text, /collect: invoking from 2 workers\n/);
      assert.match(text, /wrote 24 records, 0 failed/);
      assert.equal(ow.counts.invocations, 24);
      const data = await readDataset(ds);
      const ids = data.activations.getColumn("activation_id").toArray() as string[];
      assert.deepEqual([...ids].sort(), [...ow.served].sort());
      assert.equal(new Set(ids).size, 24);
      const json = await Deno.readTextFile(join(ds, "dataset.json"));
      assert.equal(JSON.parse(json).collections[0].parameters.invoke_workers, 2);
      assert.ok(!text.includes(secret) && !json.includes(secret));
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect capacity --invoke-workers 2 over HTTPS: the workers trust --ca, and --insecure",
  opts,
  async () => {
    const tmp = await Deno.makeTempDir({ prefix: "invoke-workers-tls-" });
    const tls = await selfSignedCert(join(tmp, "tls"));
    const ow = await startStandin({
      actions: ["sleep"],
      runMs: { sleep: 20 },
      tls: { cert: tls.cert, key: tls.key },
    });
    try {
      for (const trust of [["--ca", tls.certFile], ["--insecure"]]) {
        const before = ow.counts.invocations;
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "collectors/cli.ts", "capacity", "--runtime", "docker"]
            .concat(["--apihost", ow.apihost, "--auth", ow.auth, ...trust])
            .concat(["--invoke-workers", "2", "--from", "3", "--levels", "3"])
            .concat(["--out", join(tmp, trust[0].slice(2))]),
          cwd: new URL("..", import.meta.url).pathname,
          env: { NO_COLOR: "1", HOME: "/nonexistent" },
        }).output();
        const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, `${trust[0]}: ${text}`);
        assert.match(text, /collect: invoking from 2 workers\n/);
        assert.match(text, /wrote 3 records, 0 failed/);
        assert.equal(ow.counts.invocations - before, 3);
      }
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
