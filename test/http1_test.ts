/**
 * The collectors' HTTP/1.1 client (collectors/http1.ts): answers framed right however the bytes
 * arrive, keep-alive where allowed, and never a request sent twice. Servers are started here on
 * 127.0.0.1, raw sockets where the exact bytes matter; every server counts what it received.
 * No timing is asserted; waits are bounded by count.
 */
import assert from "node:assert/strict";
import { Http1Conn } from "../collectors/_http1_conn.ts";
import { Deadlines } from "../collectors/deadlines.ts";
import { Http1Client, Http1Error } from "../collectors/http1.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { selfSignedCert } from "./standin/tls.ts";

const enc = new TextEncoder(), dec = new TextDecoder();
const text = (b: Uint8Array) => dec.decode(b);
const POST = "/api/v1/namespaces/_/actions/hello?blocking=true";

/** A Deno.Conn whose reads return the given pieces one per read, then EOF. */
function scripted(pieces: string[]): Deno.Conn {
  const queue = pieces.map((p) => enc.encode(p));
  const written: Uint8Array[] = [];
  return {
    read(p: Uint8Array) {
      const next = queue.shift();
      if (next === undefined) return Promise.resolve(null);
      const n = Math.min(p.length, next.length);
      p.set(next.subarray(0, n));
      if (n < next.length) queue.unshift(next.subarray(n));
      return Promise.resolve(n);
    },
    write(p: Uint8Array) {
      written.push(p.slice());
      return Promise.resolve(p.length);
    },
    close() {},
    ref() {},
    unref() {},
  } as unknown as Deno.Conn;
}

/** Each byte of `s` as a read of its own. */
const bytewise = (s: string) => [...s];

Deno.test("Http1Conn reads Content-Length and chunked bodies however the reads split", async () => {
  const fixed = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n" +
    '{"a":1}';
  const chunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Twice: a\r\nx-twice: b\r\n\r\n" +
    '4;name=value\r\n{"a"\r\n3\r\n:12\r\nA ; ext\r\n3456789012\r\n1\r\n}\r\n' +
    "0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n";
  for (const split of [(s: string) => [s], bytewise]) {
    const a = await new Http1Conn(scripted(split(fixed))).readResponse("POST");
    assert.deepEqual([a.status, text(a.body), a.reusable], [200, '{"a":1}', true]);
    assert.equal(a.headers["content-type"], "application/json");
    const b = await new Http1Conn(scripted(split(chunked))).readResponse("POST");
    assert.deepEqual([b.status, text(b.body), b.reusable], [200, '{"a":123456789012}', true]);
    assert.equal(b.headers["x-twice"], "a, b");
  }
});

Deno.test("Http1Conn: close, read to close, no body for HEAD/204/304, 1xx skipped", async () => {
  const read = (bytes: string, method = "GET") =>
    new Http1Conn(scripted(bytewise(bytes))).readResponse(method);
  const close = await read("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
  assert.deepEqual([text(close.body), close.reusable], ["ok", false]);
  const toEnd = await read("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it");
  assert.deepEqual([text(toEnd.body), toEnd.reusable], ["all of it", false]);
  const old = await read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
  assert.deepEqual([text(old.body), old.reusable], ["ok", false]);
  for (const [status, method] of [[204, "GET"], [304, "GET"], [200, "HEAD"]] as const) {
    const r = await read(`HTTP/1.1 ${status} X\r\nContent-Length: 99\r\n\r\n`, method);
    assert.deepEqual([r.status, r.body.length, r.reusable], [status, 0, true]);
  }
  const interim = await read(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n" +
      "Content-Length: 2\r\n\r\nhi",
  );
  assert.deepEqual([interim.status, text(interim.body)], [201, "hi"]);
  // Bytes after the answer that nobody asked for, in the same read: the connection is not
  // reused (read later, while idle, they drop it from the pool).
  const extra = await new Http1Conn(
    scripted(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n"]),
  ).readResponse("GET");
  assert.equal(extra.reusable, false);
});

Deno.test("Http1Conn rejects a cut or malformed answer, saying how much came", async () => {
  const read = (bytes: string[]) => new Http1Conn(scripted(bytes)).readResponse("POST");
  await assert.rejects(
    read([]),
    /the server closed the connection before any byte of the answer/,
  );
  await assert.rejects(
    read(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "abc"]),
    /closed the connection in the body \(3 of 10 bytes\), after 42 bytes of the answer/,
  );
  await assert.rejects(read(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"]));
  await assert.rejects(read(["SSH-2.0-OpenSSH\r\n\r\n"]), /not an HTTP\/1.x status line/);
  await assert.rejects(
    read(["HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok"]),
    /invalid Content-Length/,
  );
  await assert.rejects(
    read(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]),
    /malformed chunk-size line/,
  );
});

/** What a raw server does with one request: answer these bytes (then close if asked), or
 * close the connection without a byte. */
type Act = { send: string; close?: boolean } | "drop" | "hang";

/** A raw HTTP/1.1 server on 127.0.0.1 that counts connections and requests. */
function rawServer(
  act: (req: { n: number; onConn: number; body: string }) => Act | Promise<Act>,
  listener: Deno.Listener = Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  scheme = "http",
) {
  const counts = { connections: 0, requests: 0, closedByClient: 0 };
  const conns = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      counts.connections++;
      conns.add(conn);
      serveConn(conn).finally(() => conns.delete(conn));
    }
  })().catch(() => {});
  async function serveConn(conn: Deno.Conn) {
    let buf = new Uint8Array(0), onConn = 0;
    const more = async () => {
      const p = new Uint8Array(4096);
      const n = await conn.read(p).catch(() => null);
      if (n === null) return false;
      const b = new Uint8Array(buf.length + n);
      b.set(buf);
      b.set(p.subarray(0, n), buf.length);
      buf = b;
      return true;
    };
    try {
      while (true) {
        let end;
        while ((end = text(buf).indexOf("\r\n\r\n")) < 0) {
          if (!await more()) return void counts.closedByClient++;
        }
        const head = text(buf.subarray(0, end));
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        while (buf.length < end + 4 + length) if (!await more()) return;
        const body = text(buf.subarray(end + 4, end + 4 + length));
        buf = buf.slice(end + 4 + length);
        const a = await act({ n: ++counts.requests, onConn: ++onConn, body });
        if (a === "hang") {
          if (!await more()) counts.closedByClient++;
          return;
        }
        if (a === "drop") return;
        await conn.write(enc.encode(a.send));
        if (a.close) return;
      }
    } finally {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  }
  return {
    origin: `${scheme}://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    counts,
    close() {
      listener.close();
      for (const c of conns) c.close();
    },
  };
}

const ok = (body: string, extra = "") => ({
  send: `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${enc.encode(body).length}\r\n\r\n${body}`,
});

/** Waits (bounded by count, not asserted on time) until `done()` holds. */
async function until(done: () => boolean, what: string) {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), `still waiting for ${what}`);
}

Deno.test("Http1Client reuses a keep-alive connection, and not one the server closes", async () => {
  const server = rawServer(({ n }) =>
    n === 3 ? { ...ok("3", "Connection: close\r\n"), close: true } : ok(`${n}`)
  );
  const client = new Http1Client();
  try {
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const res = await client.request(server.origin, { method: "POST", path: POST, body: "{}" });
      answers.push(text(res.body));
    }
    assert.deepEqual(answers, ["1", "2", "3", "4"]);
    assert.deepEqual([server.counts.connections, client.opened], [2, 2]);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test(
  "Http1Client: a reused connection dropped with the request on it is an error naming the reuse, never a second POST",
  async () => {
    // The server answers the first request and drops the connection on the second: the race
    // of a keep-alive close with the next request, made certain.
    const server = rawServer(({ onConn }) => onConn === 1 ? ok("first") : "drop");
    const client = new Http1Client();
    try {
      const first = await client.request(server.origin, { method: "POST", path: POST, body: "{}" });
      assert.equal(text(first.body), "first");
      const err = await client.request(server.origin, { method: "POST", path: POST, body: "{}" })
        .then(() => null, (e) => e);
      assert.ok(err instanceof Http1Error, String(err));
      assert.deepEqual([err.reused, err.received], [true, 0]);
      assert.match(
        err.message,
        /^POST \/api\/v1\/namespaces\/_\/actions\/hello\?blocking=true on a reused connection \(idle \d+ ms\): .*before any byte of the answer; not sent again$/,
      );
      // Nothing sent again behind the caller's back: two requests, one connection.
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual([server.counts.requests, server.counts.connections], [2, 1]);
    } finally {
      client.close();
      server.close();
    }
  },
);

Deno.test("Http1Client: a new connection dropped after the request, or cut mid-answer, is an error once", async () => {
  const server = rawServer(({ n }) =>
    n === 1 ? "drop" : { send: "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\npartial", close: true }
  );
  const client = new Http1Client();
  try {
    const send = () =>
      client.request(server.origin, { method: "POST", path: POST, body: "{}" }).then(
        () => null,
        (e) => e,
      );
    const dropped = await send();
    assert.ok(dropped instanceof Http1Error);
    assert.deepEqual([dropped.reused, dropped.received], [false, 0]);
    assert.match(dropped.message, /on a new connection: .*before any byte of the answer/);
    const cut = await send();
    assert.deepEqual([cut.reused, cut.received], [false, 46]);
    assert.match(cut.message, /in the body \(7 of 50 bytes\), after 46 bytes of the answer/);
    assert.deepEqual([server.counts.requests, server.counts.connections], [2, 2]);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("Http1Client notices an idle connection the server closed, and opens a new one", async () => {
  const server = rawServer(() => ({ ...ok("x"), close: true })); // closes without saying so
  const client = new Http1Client();
  try {
    await client.request(server.origin, { method: "GET", path: "/a" });
    await until(() => client.idle(server.origin) === 0, "the closed connection to leave the pool");
    const again = await client.request(server.origin, { method: "POST", path: POST, body: "{}" });
    assert.equal(text(again.body), "x");
    assert.deepEqual([server.counts.requests, server.counts.connections], [2, 2]);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("Http1Client: an abort or time-out rejects and closes that connection", async () => {
  const server = rawServer(({ n }) => n === 1 ? "hang" : ok("late"));
  const client = new Http1Client();
  try {
    await assert.rejects(
      client.request(server.origin, {
        method: "POST",
        path: POST,
        body: "{}",
        signal: AbortSignal.timeout(50),
      }),
      (e: Error) => e.name === "TimeoutError",
    );
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(
      client.request(server.origin, { method: "GET", path: "/", signal: abort.signal }),
      (e: Error) => e.name === "AbortError",
    );
    await until(() => server.counts.closedByClient === 1, "the server to see the close");
    const next = await client.request(server.origin, { method: "GET", path: "/" });
    assert.equal(text(next.body), "late");
    assert.deepEqual([server.counts.requests, server.counts.connections], [2, 2]);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("Http1Client: a deadline of collectors/deadlines.ts aborts a request as a signal does", async () => {
  const server = rawServer(({ n }) => n === 1 ? "hang" : ok("next"));
  const client = new Http1Client();
  const deadlines = new Deadlines();
  try {
    const deadline = deadlines.start(50);
    await assert.rejects(
      client.request(server.origin, { method: "POST", path: POST, body: "{}", deadline }),
      (e: Error) => e.name === "TimeoutError",
    );
    await until(() => server.counts.closedByClient === 1, "the server to see the close");
    // An expired deadline stops a request before it is sent.
    await assert.rejects(
      client.request(server.origin, { method: "POST", path: POST, body: "{}", deadline }),
      (e: Error) => e.name === "TimeoutError",
    );
    const live = deadlines.start(60_000);
    const next = await client.request(server.origin, { method: "GET", path: "/", deadline: live });
    live.done();
    assert.equal(text(next.body), "next");
    assert.deepEqual(server.counts.requests, 2);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("Http1Client: the bytes reused for a path carry each request's own method and body", async () => {
  const server = rawServer(({ body }) => ok(`[${body}]`));
  const client = new Http1Client();
  try {
    const json = { "content-type": "application/json" };
    const bytes = enc.encode("ab");
    const sent: [string, string | Uint8Array | undefined][] = [
      ["POST", "{}"],
      ["POST", "{}"],
      ["POST", '{"a":1}'],
      ["GET", undefined],
      ["POST", bytes],
      ["POST", "{}"],
    ];
    const echoes = [];
    for (const [method, body] of sent) {
      if (method === "POST" && body === bytes) {
        echoes.push(text((await client.request(server.origin, { method, path: POST, body })).body));
        bytes[1] = "c".charCodeAt(0); // the same array, changed: its new bytes go out
      }
      const headers = method === "GET" ? {} : json;
      const res = await client.request(server.origin, { method, path: POST, headers, body });
      echoes.push(text(res.body));
    }
    assert.deepEqual(echoes, ["[{}]", "[{}]", '[{"a":1}]', "[]", "[ab]", "[ac]", "[{}]"]);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("Http1Client closes connections idle longer than idleTimeoutMs", async () => {
  const server = rawServer(() => ok("x"));
  const client = new Http1Client({ idleTimeoutMs: 30 });
  try {
    await Promise.all(
      [1, 2, 3].map(() => client.request(server.origin, { method: "GET", path: "/" })),
    );
    assert.equal(client.idle(server.origin), 3);
    await until(() => server.counts.closedByClient === 3, "the idle connections to close");
    assert.equal(client.idle(server.origin), 0);
  } finally {
    client.close();
    server.close();
  }
});

Deno.test("Http1Client: 200 requests at once get their own answers, over few connects at a time", async () => {
  let inFlight = 0, peak = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const body = await req.text();
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
    inFlight--;
    // Chunked (a stream) or Content-Length, by request.
    const n = Number(JSON.parse(body).n);
    const out = JSON.stringify({ n, path: new URL(req.url).pathname, pad: "x".repeat(n * 50) });
    return new Response(
      n % 2
        ? ReadableStream.from([out.slice(0, 10), out.slice(10)]).pipeThrough(
          new TextEncoderStream(),
        )
        : out,
    );
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const client = new Http1Client({ maxConnecting: 8 });
  try {
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, n) =>
          client.request(origin, {
            method: "POST",
            path: `/r/${n}`,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ n }),
          })),
      );
      answers.forEach((res, n) => {
        assert.deepEqual(JSON.parse(text(res.body)), {
          n,
          path: `/r/${n}`,
          pad: "x".repeat(n * 50),
        });
      });
    }
    assert.ok(client.opened <= 200, `opened ${client.opened}`);
    assert.ok(peak > 8, `peak ${peak}: more in flight than connections being opened at once`);
  } finally {
    client.close();
    await server.shutdown();
  }
});

/**
 * A server that holds every answer until `n` requests of a round have arrived, so that each
 * needs a connection of its own; `nextRound()` before each round after the first.
 */
function gatedServer(n: number) {
  let arrived = 0, rounds = 1;
  let release = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    const gate = release.promise;
    if (++arrived === n * rounds) release.resolve();
    await gate;
    return new Response("{}");
  });
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    nextRound() {
      rounds++;
      release = Promise.withResolvers<void>();
    },
    shutdown: () => server.shutdown(),
  };
}

Deno.test("Http1Client keeps the connections of 2,000 requests in flight for the next 2,000", async () => {
  // The capacity test's top level: 2,000 invocations at once, then as many again.
  const N = 2000;
  const server = gatedServer(N);
  const client = new Http1Client();
  try {
    for (let round = 1; round <= 2; round++) {
      if (round > 1) server.nextRound();
      const answers = await Promise.all(
        Array.from(
          { length: N },
          () => client.request(server.origin, { method: "POST", path: POST }),
        ),
      );
      assert.equal(answers.filter((a) => a.status === 200).length, N);
      assert.equal(client.opened, N, `round ${round}: connections opened so far`);
    }
    assert.equal(client.idle(server.origin), N);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("Http1Client.prepare() opens connections until n are idle; n requests then open none", async () => {
  const N = 300;
  const server = gatedServer(N);
  const client = new Http1Client({ maxConnecting: 16 });
  try {
    await client.prepare(server.origin, N);
    assert.deepEqual([client.opened, client.idle(server.origin)], [N, N]);
    await client.prepare(server.origin, N);
    assert.equal(client.opened, N, "already there: none opened");
    const answers = await Promise.all(
      Array.from(
        { length: N },
        () => client.request(server.origin, { method: "POST", path: POST }),
      ),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, N);
    assert.equal(client.opened, N);
    await assert.rejects(client.prepare("http://127.0.0.1:9", 2), Http1Error);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("Http1Client refuses header injection and a connection it cannot open", async () => {
  const client = new Http1Client();
  try {
    await assert.rejects(
      client.request("http://127.0.0.1:9", {
        method: "GET",
        path: "/",
        headers: { "x-a": "1\r\nX-Injected: 2" },
      }),
      TypeError,
    );
    await assert.rejects(
      client.request("http://127.0.0.1:9", { method: "GET", path: "/ HTTP/1.1" }),
      TypeError,
    );
    await assert.rejects(
      client.request("http://127.0.0.1:9", { method: "GET", path: "/" }),
      (e: Http1Error) =>
        e.reused === false && /^cannot connect to 127\.0\.0\.1:9: /.test(e.message),
    );
  } finally {
    client.close();
  }
});

Deno.test("Http1Client over TLS: --ca's certificate trusted, the connection kept; else a handshake error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "http1-tls-" });
  const tls = await selfSignedCert(dir);
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key });
  const server = rawServer(({ n }) => ok(`${n}`), listener, "https");
  const trusting = new Http1Client({ caCerts: [tls.cert] }), plain = new Http1Client();
  try {
    for (const n of ["1", "2"]) {
      const res = await trusting.request(server.origin, { method: "POST", path: POST, body: "{}" });
      assert.equal(text(res.body), n);
    }
    assert.deepEqual([server.counts.connections, trusting.opened], [1, 1]);
    await assert.rejects(
      plain.request(server.origin, { method: "POST", path: POST, body: "{}" }),
      (e: Http1Error) =>
        e.reused === false &&
        /^TLS handshake with 127\.0\.0\.1:\d+ failed: .*(certificate|UnknownIssuer)/.test(
          e.message,
        ),
    );
    assert.equal(server.counts.requests, 2);
  } finally {
    trusting.close();
    plain.close();
    server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OpenWhiskApi --keep-alive: one connection kept by default, a new one per request at 0", async () => {
  const server = rawServer(({ n }) => ok(`{"n":${n}}`));
  const conn = {
    apihost: server.origin,
    auth: "user:secret",
    insecure: false,
    authFrom: "test",
  };
  const count = async (api: OpenWhiskApi) => {
    const before = server.counts.connections;
    try {
      for (let i = 0; i < 3; i++) {
        const a = await api.request("POST", api.path("actions/hello?blocking=true"), { body: {} });
        assert.equal(a.status, 200);
      }
    } finally {
      api.close();
    }
    return server.counts.connections - before;
  };
  try {
    assert.equal(await count(new OpenWhiskApi(conn)), 1);
    assert.equal(await count(new OpenWhiskApi(conn, { keepAliveMs: 0 })), 3);
  } finally {
    server.close();
  }
});
