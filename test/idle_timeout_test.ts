import assert from "node:assert/strict";
import { ManualClock } from "../collectors/clock.ts";
import type { Connection } from "../collectors/config.ts";
import { measureIdleTimeout } from "../collectors/idle_timeout.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function setup(idleTimeoutMs: number) {
  const clock = new ManualClock(1_700_000_000_000);
  const ow = await startStandin({ clock, actions: ["hello1"], idleTimeoutMs });
  const conn: Connection = { apihost: ow.apihost, auth: ow.auth, insecure: false, authFrom: "t" };
  return { ow, clock, api: new OpenWhiskApi(conn) };
}

Deno.test(
  "measureIdleTimeout() finds a 10-minute idle timeout within a tenth, by doubling then bisection",
  opts,
  async () => {
    const { ow, clock, api } = await setup(600_000);
    try {
      const found = await measureIdleTimeout(api, "hello1", { clock });
      assert.ok(found.warm_after_ms < 600_000 && found.cold_after_ms >= 600_000);
      assert.ok(found.cold_after_ms - found.warm_after_ms <= found.cold_after_ms / 10);
      // Doubling from 50 ms: warm up to 409.6 s, cold at 819.2 s; then bisection.
      const waits = found.probes.map((p) => p.wait_ms);
      assert.deepEqual(waits.slice(0, 15), Array.from({ length: 15 }, (_, i) => 50 * 2 ** i));
      assert.deepEqual(
        found.probes.map((p) => p.cold),
        found.probes.map((p) => p.wait_ms >= 600_000),
      );
      assert.equal(ow.counts.invocations, found.probes.length + 1); // + the first, warming up
    } finally {
      await ow.close();
    }
  },
);

Deno.test(
  "measureIdleTimeout() gives up past maxMs, and on an invocation without a record",
  opts,
  async () => {
    const { ow, clock, api } = await setup(600_000);
    try {
      await assert.rejects(
        measureIdleTimeout(api, "hello1", { clock, maxMs: 1_000 }),
        /Cannot measure the idle timeout with hello1: still warm after an idle wait of 1 s/,
      );
      await assert.rejects(
        measureIdleTimeout(api, "missing", { clock }),
        /Cannot measure the idle timeout with missing: HTTP 404/,
      );
    } finally {
      await ow.close();
    }
  },
);
