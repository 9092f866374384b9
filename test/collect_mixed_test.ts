import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { quietReport } from "./_quiet_report.ts";
import { ramp } from "../collectors/concurrency.ts";
import type { Connection } from "../collectors/config.ts";
import { mixedSpec } from "../collectors/experiments.ts";
import { parseFlags } from "../collectors/flags.ts";
import { MIXED_CONFIGS, mixedChooser, mixedWeights, seededRandom } from "../collectors/mixed.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";
import { openOutput } from "../collectors/output.ts";
import { readDataset } from "../dataset/mod.ts";
import { allTables } from "../pipeline/mod.ts";
import { GatedClock, until } from "./_gated_clock.ts";
import { startStandin } from "./standin/mod.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Whether `k` IO choices of `n` lie within 4 standard deviations of the binomial mean. */
function withinBinomial(k: number, n: number, p: number): boolean {
  return Math.abs(k - n * p) <= 4 * Math.sqrt(n * p * (1 - p));
}

Deno.test("mixedWeights(): the thesis's five configurations by name, and any IO:CPU", () => {
  assert.deepEqual(
    Object.keys(MIXED_CONFIGS).map((name) => mixedWeights(name).workload),
    ["mixed_10_90", "mixed_25_75", "mixed_50_50", "mixed_75_25", "mixed_90_10"],
  );
  assert.deepEqual(
    ["mixed_1_9", "mixed_5_5", "mixed_9_1"].map((n) => mixedWeights(n).workload),
    ["mixed_10_90", "mixed_50_50", "mixed_90_10"], // the thesis's file names
  );
  assert.deepEqual(mixedWeights("30:70"), { io: 30, cpu: 70, workload: "mixed_30_70" });
  assert.equal(mixedWeights("1:2").workload, "mixed_33.3_66.7");
  assert.equal(mixedWeights("0:1").workload, "mixed_0_100");
  assert.throws(() => mixedWeights("half"), /Mixed load "half": expected a configuration/);
  assert.throws(() => mixedWeights("0:0"), /sum to 0/);
  const params = (args: string[]) => parseFlags(["mixed", ...args], "2026-01-01").params;
  assert.equal(mixedSpec(params(["--workload", "mixed_25_75"])).workload, "mixed_25_75");
  assert.equal(mixedSpec(params(["--weights", "75:25"])).workload, "mixed_75_25");
  assert.equal(mixedSpec(params([])).workload, "mixed_50_50");
  assert.throws(
    () => mixedSpec(params(["--workload", "mixed_10_90", "--weights", "25:75"])),
    /--workload mixed_10_90 and --weights 25:75 disagree/,
  );
});

Deno.test("mixedChooser(): weights within binomial bounds, the same choices for a seed", () => {
  const n = 10_000;
  for (const [name, [io, cpu]] of Object.entries(MIXED_CONFIGS)) {
    for (const seed of [1, 2, 3]) {
      const next = mixedChooser({ io, cpu }, seed);
      const k = Array.from({ length: n }, next).filter((r) => r.action === "net").length;
      assert.ok(withinBinomial(k, n, io / 100), `${name} seed ${seed}: ${k} of ${n} IO`);
    }
  }
  const seq = (seed: number) => {
    const next = mixedChooser({ io: 50, cpu: 50 }, seed);
    return Array.from({ length: 64 }, () => next().action).join(",");
  };
  assert.equal(seq(42), seq(42));
  assert.notEqual(seq(42), seq(43));
  const r = seededRandom(0);
  assert.ok(Array.from({ length: 1000 }, r).every((x) => x >= 0 && x < 1));
});

Deno.test(
  "mixed ramp: net or prime by weight, rows of workload mixed_10_90 that the pipeline reads",
  opts,
  async () => {
    const clock = new GatedClock(1_700_000_000_000);
    const ow = await startStandin({ actions: ["net", "prime"], runMs: { net: 20, prime: 10 } });
    const conn: Connection = {
      apihost: ow.apihost,
      auth: ow.auth,
      insecure: false,
      authFrom: "t",
    };
    const dir = await Deno.makeTempDir({ prefix: "mixed-" });
    try {
      const spec = mixedWeights("mixed_10_90");
      const out = await openOutput(dir, {
        experiment: "concurrency",
        runtime: "wasm",
        workload: spec.workload,
        parameters: {},
        host: {},
        openwhisk: { apihost: ow.apihost, api: {} },
        clock,
      });
      const running = ramp(new OpenWhiskApi(conn), out, {
        runtime: "wasm",
        workload: spec.workload,
        next: mixedChooser(spec, 5),
        warmup: [{ action: "net" }, { action: "prime" }],
        levels: 3,
        stepMs: 5_000,
        clock,
      });
      for (let level = 1; level <= 3; level++) {
        await until(() => clock.waiting === 1, `level ${level}`);
        const before = ow.records.length;
        await until(() => ow.records.length >= before + 15 * level, `records at level ${level}`);
        await clock.advance(5_000);
      }
      const r = await running;
      assert.deepEqual([r.status, r.errors], ["complete", 0]);
      assert.deepEqual(r.warmups.map((w) => w.action), ["net", "prime"]);
      await out.finish(r.status, {});

      const ds = await readDataset(dir);
      const rows = ds.activations;
      assert.deepEqual(rows.getColumn("experiment").unique().toArray(), ["concurrency"]);
      assert.deepEqual(rows.getColumn("workload").unique().toArray(), ["mixed_10_90"]);
      const io = rows.filter(pl.col("action").eq(pl.lit("net"))).height;
      const cpu = rows.filter(pl.col("action").eq(pl.lit("prime"))).height;
      assert.equal(io + cpu, rows.height);
      assert.ok(rows.height >= 90);
      assert.ok(withinBinomial(io, rows.height, 0.1), `${io} of ${rows.height} IO`);

      const names = allTables(ds).map((t) => t.name);
      assert.ok(names.includes("warm_wasm_mixed_10_90"), names.join(", "));
      const report = await quietReport(dir);
      assert.ok(report.tables > 0);
      await Deno.stat(join(`${dir}.report`, "tables", "warm_wasm_mixed_10_90.csv"));
    } finally {
      await ow.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
