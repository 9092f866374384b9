/**
 * Benchmark 4's parts that decide its numbers: wrk's output read right (units, percentiles,
 * errors), and the engine driver counting what the no-op server answered. No timing is
 * asserted: the bench prints ratios, tests check the arithmetic.
 */
import assert from "node:assert/strict";
import { drive, quantile } from "../bench/invoke_driver.ts";
import { invokePoint, invokeTable, parseWrk, wrkMs, wrkScript } from "../bench/invoke_bench.ts";
import { serveNoop } from "../bench/noop_invoke_server.ts";

/** Captured from wrk 4.1 (Debian) against the no-op server, 8 connections. */
const WRK_OUT =
  `Running 1s test @ http://127.0.0.1:34133/api/v1/namespaces/_/actions/noop?blocking=true
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   453.25us    1.15ms  14.61ms   94.31%
    Req/Sec    17.69k     5.30k   37.75k    85.71%
  Latency Distribution
     50%  206.00us
     75%  269.00us
     90%  554.00us
     99%    6.13ms
  36986 requests in 1.10s, 21.41MB read
Requests/sec:  33629.75
Transfer/sec:     19.47MB
`;

Deno.test("parseWrk() reads requests, rate and p50/p99 in ms from wrk --latency", () => {
  assert.deepEqual(parseWrk(WRK_OUT), {
    requests: 36986,
    errors: 0,
    rps: 33629.75,
    p50_ms: 0.206,
    p99_ms: 6.13,
  });
  const failing = WRK_OUT.replace(
    "Requests/sec",
    "  Socket errors: connect 3, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec",
  );
  assert.equal(parseWrk(failing).errors, 10);
  assert.throws(() => parseWrk("garbage"), /wrk output has no request count/);
});

Deno.test("wrkMs() converts us, ms and s; anything else is an error", () => {
  assert.equal(wrkMs("635.00us"), 0.635);
  assert.equal(wrkMs("1.23ms"), 1.23);
  assert.equal(wrkMs("2.01s"), 2010);
  assert.throws(() => wrkMs("3m"), /expected a number with us, ms or s/);
});

Deno.test("wrkScript() sends the engine's request; Connection: close only when asked", () => {
  assert.match(wrkScript(false), /wrk.method = "POST"\nwrk.body = "\{\}"/);
  assert.match(wrkScript(false), /Authorization"\] = "Basic YmVuY2g6YmVuY2g="/);
  assert.doesNotMatch(wrkScript(false), /Connection/);
  assert.match(wrkScript(true), /wrk.headers\["Connection"\] = "close"/);
});

Deno.test("quantile() is the nearest-rank quantile", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual([quantile(xs, 0.5), quantile(xs, 0.99), quantile(xs, 1)], [50, 99, 100]);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

for (const workers of [0, 2]) {
  Deno.test(`drive() keeps C invocations in flight and counts every answer (${workers} workers)`, async () => {
    let inFlight = 0, peak = 0, served = 0;
    const server = serveNoop();
    const url = `http://127.0.0.1:${server.addr.port}`;
    // A counting proxy in front of the no-op server shows how many requests are in flight.
    const proxy = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (req) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        const u = new URL(req.url);
        const res = await fetch(url + u.pathname + u.search, { method: "POST", body: "{}" });
        served++;
        inFlight--;
        return new Response(await res.text(), { status: res.status });
      },
    );
    try {
      const r = await drive(`http://127.0.0.1:${proxy.addr.port}`, 4, 0.3, workers);
      assert.equal(r.errors, 0, r.error_samples.join("; "));
      assert.equal(r.workers, workers);
      assert.equal(r.requests, served);
      assert.equal(peak, 4);
      assert.ok(r.p50_ms <= r.p99_ms);
    } finally {
      await proxy.shutdown();
      await server.shutdown();
    }
  });
}

Deno.test("invokePoint() sums requests and errors, takes medians of rate and latency, and the least p99", () => {
  const run = (rps: number, p50: number, p99: number, errors = 0, error_samples?: string[]) => ({
    requests: 100,
    errors,
    rps,
    p50_ms: p50,
    p99_ms: p99,
    error_samples,
  });
  const p = invokePoint("whiskbench invoke engine", 64, [
    run(10, 1, 9),
    run(30, 3, 5, 2, ["connection failed: a", "connection failed: b"]),
    run(20, 2, 7, 3, ["client time-out after 30000 ms", "d", "e"]),
  ]);
  assert.deepEqual(p, {
    client: "whiskbench invoke engine",
    concurrency: 64,
    runs: 3,
    requests: 300,
    errors: 5,
    rps: 20,
    p50_ms: 2,
    p99_ms: 7,
    p99_ms_min: 5,
    error_samples: [
      "connection failed: a",
      "connection failed: b",
      "client time-out after 30000 ms",
    ],
  });
  // An even number of runs: the mean of the middle two.
  assert.equal(invokePoint("wrk keep-alive", 1, [run(1, 1, 4), run(1, 1, 6)]).p99_ms, 5);
  // The table says what the errors were, under the numbers.
  const table = invokeTable({ points: [p], overhead: [], open_files: 1024, skipped: [] });
  assert.match(
    table,
    /\n- whiskbench invoke engine at 64 in flight: connection failed: a; connection failed: b; client time-out after 30000 ms\n$/,
  );
});
