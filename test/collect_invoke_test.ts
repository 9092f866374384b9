import assert from "node:assert/strict";
import { ManualClock } from "../collectors/clock.ts";
import type { Connection } from "../collectors/config.ts";
import { invoke, invokeWithPolicy } from "../collectors/invoke.ts";
import { checkActions, ConnectionError, OpenWhiskApi } from "../collectors/openwhisk.ts";
import { outcomeRow } from "../collectors/rows.ts";
import { startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const ctx = { experiment: "cold_start", workload: "hello", runtime: "wasm", run: 1, level: 1 };

function api(apihost: string, auth: string): OpenWhiskApi {
  const conn: Connection = { apihost, auth, insecure: false, authFrom: "--auth" };
  return new OpenWhiskApi(conn);
}

Deno.test(
  "invoke() turns every fault into a row with its error text and HTTP status",
  opts,
  async () => {
    const ow = await startStandin({
      actions: ["hello1", "bad", "busy"],
      failing: ["bad"],
      maxInFlight: 30,
      faults: [
        { action: "hello1", kind: "status", status: 503 },
        { action: "hello1", kind: "status", status: 502 },
        { action: "hello1", kind: "drop" },
        { action: "hello1", kind: "slow", delayMs: 400 },
      ],
    });
    try {
      const ok = api(ow.apihost, ow.auth);
      const clock = new ManualClock(1000);
      const call = async (a: OpenWhiskApi, action: string, timeoutMs = 5000) =>
        outcomeRow(await invoke(a, action, { clock, timeoutMs }), ctx, `test ${action}`);
      const pick = (r: Awaited<ReturnType<typeof call>>) => [r.source, r.http_status, r.error];

      assert.deepEqual(pick(await call(ok, "hello1")), [
        "error",
        503,
        "HTTP 503: The server is currently unavailable (stand-in fault).",
      ]);
      assert.deepEqual(pick(await call(ok, "hello1")), [
        "error",
        502,
        "HTTP 502: The server is currently unavailable (stand-in fault).",
      ]);
      const dropped = await call(ok, "hello1");
      assert.deepEqual([dropped.source, dropped.http_status], ["error", null]);
      assert.match(dropped.error!, /^connection failed: /);
      const late = await call(ok, "hello1", 100);
      assert.deepEqual(pick(late), ["error", null, "client time-out after 100 ms"]);
      assert.deepEqual(pick(await call(ok, "nothere")), [
        "error",
        404,
        "HTTP 404: The requested resource does not exist.",
      ]);
      assert.deepEqual(pick(await call(api(ow.apihost, "guest:wrongkey"), "hello1")), [
        "error",
        401,
        "HTTP 401: The supplied authentication is invalid",
      ]);
      // A failing action: 502 with its record, kept as a record row that failed.
      const bad = await call(ok, "bad");
      assert.deepEqual([bad.source, bad.http_status, bad.success], ["record", 502, false]);
      assert.match(bad.error!, /action bad failed/);
      // The last one succeeds: a cold record, with client times from the one clock.
      const good = await call(ok, "hello1");
      assert.deepEqual([good.source, good.http_status, good.success], ["record", 200, true]);
      assert.ok(good.init_ms! > 0);
      assert.ok(good.client_send_ms! <= good.client_receive_ms!);
      assert.deepEqual([ow.counts.dropped, ow.served.length], [1, 2]);
      assert.deepEqual([bad.activation_id, good.activation_id], ow.served);
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "invoke() on a kept-alive connection that the server drops: one error row, the POST never re-sent",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["hello1"] });
    const a = api(ow.apihost, ow.auth);
    try {
      const first = await invoke(a, "hello1");
      assert.equal(first.http_status, 200);
      ow.faults.push({ action: "hello1", kind: "drop" });
      const dropped = await invoke(a, "hello1");
      assert.deepEqual([dropped.record, dropped.http_status], [null, null]);
      assert.match(
        dropped.error!,
        /^connection failed: POST \/api\/v1\/namespaces\/_\/actions\/hello1\?blocking=true&result=false on a reused connection \(idle \d+ ms\): the server closed the connection before any byte of the answer; not sent again$/,
      );
      const last = await invoke(a, "hello1");
      assert.equal(last.http_status, 200);
      // Three POSTs, three arrivals: the dropped one was not sent a second time.
      assert.deepEqual([ow.counts.invocations, ow.counts.dropped, ow.served.length], [2, 1, 2]);
    } finally {
      a.close();
      await ow.close();
    }
  },
);

Deno.test(
  "invoke() fetches by the header's id the record of an answer that is an array result",
  opts,
  async () => {
    // OpenWhisk 2 answers an array result alone, even with result=false (Actions.scala).
    const ow = await startStandin({
      actions: ["list", "badlist"],
      arrayResults: ["list", "badlist"],
      failing: ["badlist"],
    });
    try {
      const a = api(ow.apihost, ow.auth);
      const clock = new ManualClock(1000);
      const good = outcomeRow(await invoke(a, "list", { clock }), ctx, "test list");
      const bad = outcomeRow(await invoke(a, "badlist", { clock }), ctx, "test badlist");
      assert.deepEqual(
        [good.source, good.http_status, good.success, good.error],
        ["record", 200, true, null],
      );
      assert.deepEqual([bad.source, bad.http_status, bad.success], ["record", 502, false]);
      assert.match(bad.error!, /action badlist failed/);
      assert.ok(good.init_ms! > 0); // the cold start's record, not an error row
      assert.deepEqual(JSON.parse(good.record!).response.result, [{ msg: "Hello, there!!" }]);
      // Both records came by id (the invoke answers held only the arrays).
      assert.deepEqual(ow.served, [good.activation_id, bad.activation_id]);
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "an action in a package: its record names it without the package, its row as invoked",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["pkg/hello"] });
    try {
      const o = await invoke(api(ow.apihost, ow.auth), "pkg/hello", { clock: new ManualClock() });
      // As OpenWhisk writes it (ContainerProxy.scala): the package only in the path.
      assert.equal(o.record!.name, "hello");
      assert.equal(o.record!.namespace, "guest");
      assert.deepEqual(
        (o.record!.annotations as { key: string; value: unknown }[]).find((a) => a.key === "path"),
        { key: "path", value: "guest/pkg/hello" },
      );
      const row = outcomeRow(o, ctx, "test pkg/hello");
      assert.deepEqual([row.source, row.action], ["record", "pkg/hello"]);
    } finally {
      await ow.close();
    }
  },
);

Deno.test("invoke() answers 429 as an error row", opts, async () => {
  const ow = await startStandin({ actions: ["hello1"], maxInFlight: 0 });
  try {
    const o = await invoke(api(ow.apihost, ow.auth), "hello1");
    assert.equal(o.http_status, 429);
    assert.match(o.error!, /^HTTP 429: Too many concurrent requests in flight/);
  } finally {
    await ow.close();
  }
});

Deno.test(
  "invoke() fetches the record after a 202, with backoff, until it appears",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["slow"], runMs: { slow: 150 }, blockingLimitMs: 20 });
    try {
      const o = await invoke(api(ow.apihost, ow.auth), "slow", { pollMinMs: 20, pollMaxMs: 40 });
      assert.equal(o.http_status, 202);
      assert.equal(o.record?.activationId, o.activation_id);
      assert.deepEqual(ow.served, [o.activation_id]); // served by GET /activations/<id>
      const row = outcomeRow(o, ctx, "test");
      assert.deepEqual([row.source, row.http_status, row.activation_id], [
        "record",
        202,
        o.activation_id,
      ]);
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "invoke() gives up on a 202 record after the deadline, keeping the id",
  opts,
  async () => {
    const ow = await startStandin({ actions: ["slow"], runMs: { slow: 300 }, blockingLimitMs: 10 });
    try {
      const clock = new ManualClock();
      const o = await invoke(api(ow.apihost, ow.auth), "slow", {
        clock,
        pollDeadlineMs: 1000,
        pollMinMs: 100,
        pollMaxMs: 400,
      });
      assert.equal(o.record, null);
      assert.match(
        o.error!,
        /^no record for activation [0-9a-f]{32} within 1000 ms after 202 \(last: not there yet \(404\)\)$/,
      );
      assert.deepEqual(clock.slept, [100, 200, 400, 300]); // backoff, cut at the deadline
      const row = outcomeRow(o, ctx, "test");
      assert.deepEqual([row.source, row.http_status, row.activation_id], [
        "error",
        202,
        o.activation_id,
      ]);
      await ow.settled(); // the stand-in finishes its activation
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "invokeWithPolicy() retries with backoff, stops on 401/404, and keeps every attempt",
  opts,
  async () => {
    const ow = await startStandin({
      actions: ["hello1"],
      faults: [{ action: "hello1", kind: "status", status: 503, count: 2 }],
    });
    try {
      const clock = new ManualClock();
      const a = api(ow.apihost, ow.auth);
      const retried = await invokeWithPolicy(a, "hello1", { onError: "retry", retries: 3, clock });
      assert.deepEqual(retried.attempts.map((o) => o.http_status), [503, 503, 200]);
      assert.deepEqual(clock.slept, [1000, 2000]);
      assert.equal(retried.stop, false);
      const missing = await invokeWithPolicy(a, "nothere", { onError: "retry", clock });
      assert.deepEqual([missing.attempts.length, missing.stop], [1, true]);
      ow.faults.push({ kind: "status", status: 429 });
      const stopped = await invokeWithPolicy(a, "hello1", { onError: "stop", clock });
      assert.deepEqual([stopped.attempts.length, stopped.stop], [1, true]);
      ow.faults.push({ kind: "status", status: 429 });
      const cont = await invokeWithPolicy(a, "hello1", { clock });
      assert.deepEqual([cont.attempts.length, cont.stop], [1, false]);
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "invokeWithPolicy() stops at a 400, as at a controller whose blocking wait is below the timeout asked",
  opts,
  async () => {
    // A deployment may set its blocking wait below 60 s; a longer `timeout` is then a 400
    // for every call, which no retry can change.
    const ow = await startStandin({ actions: ["hello1"], blockingLimitMs: 1000 });
    try {
      const clock = new ManualClock();
      const a = api(ow.apihost, ow.auth);
      const r = await invokeWithPolicy(a, "hello1", { onError: "retry", timeoutMs: 5000, clock });
      assert.deepEqual([r.attempts.length, r.stop], [1, true]);
      assert.deepEqual([r.attempts[0].http_status, r.attempts[0].error], [
        400,
        "HTTP 400: Timeout must be number of milliseconds up to 1000.",
      ]);
      assert.equal(ow.records.length, 0); // refused before anything ran
      // Within the controller's wait, the same call runs.
      const ok = await invokeWithPolicy(a, "hello1", { timeoutMs: 1500, clock });
      assert.deepEqual([ok.attempts.length, ok.attempts[0].http_status], [1, 200]);
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "check() names a rejected key without printing it, before anything runs",
  opts,
  async () => {
    const ow = await startStandin();
    try {
      const secret = "guest:s3cr3t-never-shown";
      await assert.rejects(
        api(ow.apihost, secret).check(),
        (e: Error) =>
          e instanceof ConnectionError &&
          e.message === `OpenWhisk at ${ow.apihost} rejected the key from --auth ` +
              "(HTTP 401: The supplied authentication is invalid)" &&
          !e.message.includes("s3cr3t"),
      );
      const info = await api(ow.apihost, ow.auth).check();
      assert.equal(info.api_version_path, "v1");
      await assert.rejects(
        api("http://127.0.0.1:9", ow.auth).check(),
        /^Error: Cannot reach OpenWhisk at http:\/\/127.0.0.1:9/,
      );
    } finally {
      await ow.close();
    }
  },
);

Deno.test("invoke() keeps a record whatever its status; a body without one is an error row", async () => {
  const answers = [
    new Response(
      JSON.stringify({
        activationId: "r500",
        name: "act",
        annotations: [{ key: "waitTime", value: 3 }],
        response: { status: "whisk internal error", success: false, result: { error: "boom" } },
      }),
      { status: 500 },
    ),
    new Response("<html>502 Bad Gateway</html>", { status: 502 }),
    new Response(JSON.stringify({ activationId: "nowait", response: { success: true } }), {
      status: 200,
    }),
  ];
  const fake = (() => Promise.resolve(answers.shift()!)) as typeof fetch;
  const conn: Connection = {
    apihost: "http://ow",
    auth: "u:k3y",
    insecure: false,
    authFrom: "--auth",
  };
  const a = new OpenWhiskApi(conn, { fetch: fake });
  const clock = new ManualClock();
  const rows = [];
  for (let i = 0; i < 3; i++) {
    rows.push(outcomeRow(await invoke(a, "pkg/act", { clock }), ctx, `fake ${i}`));
  }
  assert.deepEqual(rows.map((r) => [r.source, r.http_status, r.activation_id, r.error]), [
    ["record", 500, "r500", "boom"],
    ["error", 502, null, "HTTP 502: <html>502 Bad Gateway</html>"],
    [
      "error",
      200,
      "nowait",
      "unusable activation record: fake 2 (activation nowait): waitTime is missing, expected a number",
    ],
  ]);
  assert.equal(JSON.parse(rows[2].record!).activationId, "nowait"); // the record is kept
  // Every row takes the name invoked, a record's too (its name lacks the package).
  assert.deepEqual(rows.map((r) => r.action), ["pkg/act", "pkg/act", "pkg/act"]);
});

Deno.test(
  "a namespace with a space or an @ (OpenWhisk's names allow both) is one path segment",
  opts,
  async () => {
    // EntityName allows `[\w@ .-]` inside a name, namespaces included (an IBM Cloud Functions
    // namespace is `org_space`, a space's name may hold blanks): sent raw, a blank ends the
    // request line and `?`, `#` or `/` would ask for something else.
    const namespace = "dev team@example.com_my space";
    const ow = await startStandin({ actions: ["hello1"], namespace });
    try {
      const conn: Connection = {
        apihost: ow.apihost,
        auth: ow.auth,
        insecure: false,
        authFrom: "--auth",
      };
      const a = new OpenWhiskApi(conn, { namespace });
      await checkActions(a, ["hello1"]);
      const o = await invoke(a, "hello1", { clock: new ManualClock() });
      assert.deepEqual([o.http_status, o.error, o.record?.namespace], [200, null, namespace]);
      assert.equal(
        a.path("actions"),
        "/api/v1/namespaces/dev%20team%40example.com_my%20space/actions",
      );
      a.close();
    } finally {
      await ow.close();
    }
  },
);

Deno.test("invoke() fetches the record of a 202 that names its activation in the header only", async () => {
  // OpenWhisk sends the id both in the body and in x-openwhisk-activation-id (Actions.scala,
  // doInvoke); a proxy that drops the body, or an implementation that sends none, leaves the
  // header, which is enough to fetch the record.
  const id = "0123456789abcdef0123456789abcdef";
  const record = {
    activationId: id,
    name: "act",
    annotations: [{ key: "waitTime", value: 4 }],
    response: { status: "success", success: true, result: {} },
  };
  const asked: string[] = [];
  const fake = ((input: string | URL | Request) => {
    asked.push(String(input));
    return Promise.resolve(
      asked.length === 1
        ? new Response("", { status: 202, headers: { "x-openwhisk-activation-id": id } })
        : Response.json(record),
    );
  }) as typeof fetch;
  const conn: Connection = { apihost: "http://ow", auth: "u:k3y", insecure: false, authFrom: "t" };
  const o = await invoke(new OpenWhiskApi(conn, { fetch: fake }), "act", {
    clock: new ManualClock(),
  });
  assert.deepEqual([o.http_status, o.activation_id, o.error], [202, id, null]);
  assert.equal(o.record?.activationId, id);
  assert.ok(asked[1].endsWith(`/activations/${id}`));
});

Deno.test("invoke() fetches the record named by an activation-id header a proxy sent twice", async () => {
  // A server that answers the invocation with a 502 without a record and the id header twice
  // (a client joins repeated fields with ", "), and the record's fetch by that id.
  const id = "0123456789abcdef0123456789abcdef";
  const record = {
    activationId: id,
    annotations: [{ key: "waitTime", value: 7 }, { key: "kind", value: "nodejs:20" }],
    duration: 3,
    end: 1_700_000_000_003,
    name: "hello",
    namespace: "guest",
    response: { result: {}, status: "success", success: true },
    start: 1_700_000_000_000,
  };
  const paths: string[] = [];
  let stored = true;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    paths.push(`${req.method} ${path}`);
    if (req.method === "POST") {
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("x-openwhisk-activation-id", id);
      headers.append("x-openwhisk-activation-id", id);
      return new Response(JSON.stringify(["an array result"]), { status: 502, headers });
    }
    return path.endsWith(`/activations/${id}`) && stored
      ? Response.json(record)
      : Response.json({ error: "The requested resource does not exist." }, { status: 404 });
  });
  try {
    const a = api(`http://127.0.0.1:${server.addr.port}`, "u:p");
    const o = await invoke(a, "hello", { timeoutMs: 10_000, pollMinMs: 1, pollDeadlineMs: 5_000 });
    assert.equal(o.error, null, `${o.error} after ${paths.join(", ")}`);
    assert.equal(o.activation_id, id);
    assert.equal((o.record as { activationId: string }).activationId, id);
    assert.equal(o.http_status, 502);
    // A record that never comes: the error says which answer lacked it.
    stored = false;
    const gone = await invoke(a, "hello", { timeoutMs: 10_000, pollMinMs: 1, pollDeadlineMs: 50 });
    assert.equal(gone.record, null);
    assert.match(gone.error ?? "", /; then no record for activation \w+ within 50 ms after 502 /);
  } finally {
    await server.shutdown();
  }
});
