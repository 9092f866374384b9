import assert from "node:assert/strict";
import openwhisk from "openwhisk";
import { ManualClock } from "../collectors/clock.ts";
import { ContainerPool } from "./standin/pool.ts";
import { startStandin } from "./standin/mod.ts";

// needle (the client's HTTP library) keeps sockets that outlive a test by a tick.
const opts = { sanitizeResources: false, sanitizeOps: false };

/** The client, called with loose types: the test checks shapes at run time, as a user's
 * JavaScript would see them (its typings declare fewer options than it accepts). */
// deno-lint-ignore no-explicit-any
type Loose = any;

Deno.test(
  "the stand-in serves each call of Apache's OpenWhisk client as OpenWhisk does",
  opts,
  async () => {
    // Limits wide enough for a loaded machine: only `slow` outlasts the blocking limit.
    const ow = await startStandin({
      blockingLimitMs: 700,
      runMs: { slow: 1500 },
      failing: ["bad"],
    });
    try {
      const client: Loose = openwhisk({ apihost: ow.apihost, api_key: ow.auth });
      const code = "function main() { return { msg: 'hi' } }";

      const created = await client.actions.create({
        name: "hello",
        action: code,
        kind: "nodejs:20",
      });
      assert.equal(created.name, "hello");
      assert.equal(created.version, "0.0.1");
      assert.equal(created.exec.kind, "nodejs:20");
      await assert.rejects(
        client.actions.create({ name: "hello", action: code, kind: "nodejs:20" }),
        (e: { statusCode: number; message: string }) =>
          e.statusCode === 409 && /resource already exists/.test(e.message),
      );
      const updated = await client.actions.update({
        name: "hello",
        action: code,
        kind: "nodejs:20",
      });
      assert.equal(updated.version, "0.0.2");
      const got = await client.actions.get({ name: "hello" });
      assert.equal(got.exec.code, code);
      await client.actions.create({ name: "slow", action: code, kind: "nodejs:20" });
      await client.actions.create({ name: "bad", action: code, kind: "nodejs:20" });
      const list = await client.actions.list({ limit: 2 });
      assert.equal(list.length, 2);
      assert.deepEqual(
        (await client.actions.list()).map((a: { name: string }) => a.name).sort(),
        ["bad", "hello", "slow"],
      );

      // Blocking: the full record; the first call is cold, the second warm.
      const cold = await client.actions.invoke({ name: "hello", blocking: true });
      const keys = (r: { annotations: { key: string }[] }) => r.annotations.map((a) => a.key);
      assert.deepEqual(keys(cold), ["path", "waitTime", "kind", "timeout", "limits", "initTime"]);
      assert.equal(cold.response.success, true);
      const warm = await client.actions.invoke({ name: "hello", blocking: true });
      assert.deepEqual(keys(warm), ["path", "waitTime", "kind", "timeout", "limits"]);
      // result=true: only the result.
      assert.deepEqual(
        await client.actions.invoke({
          name: "hello",
          blocking: true,
          result: true,
          params: { name: "x" },
        }),
        { msg: "Hello, x!!" },
      );
      // Non-blocking: 202 with an id; the record by id once done.
      const { activationId } = await client.actions.invoke({ name: "hello" });
      assert.match(activationId, /^[0-9a-f]{32}$/);
      // Its record is there once the activation ends (404 until then).
      const deadline = Date.now() + 30_000;
      let byId;
      while (!byId) {
        byId = await client.activations.get({ activationId }).catch((err: unknown) => {
          if (!/HTTP 404/.test(String(err)) || Date.now() > deadline) throw err;
          return new Promise((r) => setTimeout(r, 20)).then(() => undefined);
        });
      }
      assert.equal(byId.activationId, activationId);
      // A blocking call past the limit: 202 with the id.
      const late = await client.actions.invoke({ name: "slow", blocking: true });
      assert.deepEqual(Object.keys(late), ["activationId"]);
      await assert.rejects(client.activations.get({ activationId: late.activationId }), /HTTP 404/);
      // A failing action: 502 with the record as the error body.
      await assert.rejects(
        client.actions.invoke({ name: "bad", blocking: true }),
        (e: { statusCode: number; error: { response: { success: boolean } } }) =>
          e.statusCode === 502 && e.error.response.success === false,
      );
      const acts = await client.activations.list({ limit: 2, skip: 1 });
      assert.equal(acts.length, 2);
      assert.equal(acts[0].activationId, byId.activationId);

      const deleted = await client.actions.delete({ name: "slow" });
      assert.equal(deleted.name, "slow");
      await assert.rejects(client.actions.get({ name: "slow" }), /HTTP 404/);

      const wrong: Loose = openwhisk({ apihost: ow.apihost, api_key: "guest:wrong" });
      await assert.rejects(
        wrong.actions.list(),
        (e: { statusCode: number; message: string }) =>
          e.statusCode === 401 && /authentication is invalid/.test(e.message),
      );
      assert.ok(!JSON.stringify(ow.records).includes(ow.auth.split(":")[1]));
    } finally {
      await ow.close();
    }
  },
);

Deno.test("the container pool starts cold without an idle container and removes idle ones", () => {
  const pool = new ContainerPool(10_000);
  const a = pool.acquire("hello1", 0);
  assert.equal(a.cold, true);
  const b = pool.acquire("hello1", 1); // the first is busy: one activation per container
  assert.equal(b.cold, true);
  pool.release(a.container, 5);
  assert.equal(pool.acquire("hello1", 9_000).cold, false);
  pool.release(b.container, 10);
  assert.deepEqual(pool.alive(10_009), { hello1: 2 });
  assert.deepEqual(pool.alive(10_010), { hello1: 1 }); // b idle since 10: removed at 10 010
  assert.equal(pool.removed, 1);
});

Deno.test("the stand-in answers 429 over its limit of activations in flight", opts, async () => {
  const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 600 }, maxInFlight: 2 });
  try {
    const call = () =>
      fetch(`${ow.apihost}/api/v1/namespaces/_/actions/sleep?blocking=true`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(ow.auth)}` },
      }).then(async (r) => [r.status, await r.json()] as const);
    const answers = await Promise.all([call(), call(), call()]);
    assert.deepEqual(answers.map(([s]) => s).sort(), [200, 200, 429]);
    const [, body] = answers.find(([s]) => s === 429)!;
    assert.match(body.error, /Too many concurrent requests in flight \(count: 2, allowed: 2\)/);
  } finally {
    await ow.close();
  }
});

Deno.test("stand-in records carry waitTime and initTime measured on its clock", opts, async () => {
  const clock = new ManualClock(1_700_000_000_000);
  const ow = await startStandin({
    clock,
    actions: ["hello1"],
    waitMs: 3,
    coldWaitMs: 300,
    initMs: 2000,
    runMs: { hello1: 7 },
    idleTimeoutMs: 10_000,
  });
  try {
    const call = () =>
      fetch(`${ow.apihost}/api/v1/namespaces/_/actions/hello1?blocking=true`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(ow.auth)}` },
      }).then((r) => r.json());
    const ann = (r: { annotations: { key: string; value: unknown }[] }) =>
      Object.fromEntries(r.annotations.map((a) => [a.key, a.value]));
    const first = await call();
    assert.deepEqual([ann(first).waitTime, ann(first).initTime, first.duration], [303, 2000, 2007]);
    const second = await call();
    assert.deepEqual([ann(second).waitTime, ann(second).initTime, second.duration], [
      3,
      undefined,
      7,
    ]);
    clock.advance(10_000);
    assert.equal(ann(await call()).initTime, 2000); // idle container removed: cold again
  } finally {
    await ow.close();
  }
});

Deno.test("`deno task standin` prints the APIHOST and AUTH it serves", opts, async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "test/standin/cli.ts", "--port", "0", "--actions", "hello1"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("serving")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const apihost = /^APIHOST=(\S+)$/m.exec(text)![1];
  const auth = /^AUTH=(\S+)$/m.exec(text)![1];
  const client: Loose = openwhisk({ apihost, api_key: auth });
  assert.deepEqual((await client.actions.list()).map((a: { name: string }) => a.name), ["hello1"]);
  child.kill("SIGINT");
  assert.equal((await child.status).code, 0);
  await reader.cancel();
});

Deno.test(
  "stand-in records have the fields of the thesis's published records, in order",
  opts,
  async () => {
    const log = await Deno.readTextFile(
      new URL("../data/raw/thesis/1_docker_cold_start.log", import.meta.url),
    );
    const group = JSON.parse(log.slice(1, log.indexOf(',{"no_concurrent_requests":2')));
    const published = group.responses[0];
    const ow = await startStandin({ actions: ["hello1"] });
    try {
      const res = await fetch(`${ow.apihost}/api/v1/namespaces/_/actions/hello1?blocking=true`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(ow.auth)}` },
      });
      const ours = await res.json();
      const shape = (r: Record<string, unknown> & { annotations: { key: string }[] }) => ({
        fields: Object.keys(r),
        annotations: r.annotations.map((a) => a.key),
        response: Object.keys(r.response as object),
        limits: Object.keys(
          (r.annotations.find((a) => a.key === "limits") as unknown as { value: object }).value,
        ),
      });
      assert.deepEqual(shape(ours), shape(published));
    } finally {
      await ow.close();
    }
  },
);
