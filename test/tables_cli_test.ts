import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { activationLog, levelLines, rawDir } from "./_raw_logs.ts";
import { records } from "./_frames.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function task(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  return text;
}

Deno.test("ingest + tables on unseen raw logs give statistics known in advance", async () => {
  const raw = await rawDir({
    // Cold records mixed into a concurrency log, two runs and a trailer line.
    "1_wasm_concurrency_hello.log": activationLog([
      [
        {
          level: 1,
          records: [{ id: "a", wait: 10, init: 100 }, { id: "b", wait: 2 }, { id: "c", wait: 4 }],
        },
        {
          level: 2,
          records: [{ id: "d", wait: 6 }, { id: "e", wait: 8 }, { id: "f", wait: 20, init: 200 }],
        },
      ],
      [{ level: 1, records: [{ id: "g", wait: 3 }, { id: "h", wait: 30, init: 300 }] }],
    ], 'Final Error:Curl("Failure when receiving data from the peer")'),
    "1_docker_cold_start.log": activationLog([
      [
        { level: 1, records: [{ id: "p", wait: 100, init: 1000 }] },
        {
          level: 2,
          records: [{ id: "q", wait: 110, init: 1100 }, { id: "r", wait: 90, init: 900 }],
        },
      ],
      [{ level: 1, records: [{ id: "s", wait: 300, init: 3000 }, { id: "t", wait: 5 }] }],
    ]),
    "4_docker_concurrency_mixed_1_9.log": levelLines({ 1: [1, 2, 3], 2: [4] }),
    "docker_res.log": "CPU%: 10.5 Memory: 1.5GiB\nCPU%: 20.25 Memory: 512MiB\n",
  });
  const ds = `${raw}-ds`, out = `${raw}-out`;
  const said = await task("cli/ingest.ts", raw, "--out", ds);
  assert.match(said, /run error: 1_wasm_concurrency_hello.log run 2 after level 1/);
  await task("cli/tables.ts", ds, "--out", out);
  const csv = (name: string) => records(pl.readCSV(`${out}/tables/${name}.csv`), 6);
  const pick = (rows: Record<string, unknown>[], ...cols: string[]) =>
    rows.map((r) => cols.map((c) => r[c]));

  // Warm: level 1 = 2, 4, 3; level 2 = 6, 8. Cold records excluded.
  assert.deepEqual(pick(csv("warm_wasm_hello"), "level", "n", "mean", "sd", "min", "max"), [
    [1, 3, 3, 1, 2, 4],
    [2, 2, 7, 1.414214, 6, 8],
  ]);
  // Cold: level 1 = 1100, 3300 (and one warm record, not counted); level 2 = 1210, 990.
  assert.deepEqual(pick(csv("cold_start_docker"), "level", "n", "mean", "median", "n_not_cold"), [
    [1, 2, 2200, 2200, 1],
    [2, 2, 1100, 1100, 0],
  ]);
  assert.deepEqual(pick(csv("warm_docker_mixed_10_90"), "level", "n", "mean"), [[1, 3, 2], [
    2,
    1,
    4,
  ]]);
  assert.deepEqual(pick(csv("capacity"), "runtime", "max_cpu_pct", "max_mem_mib"), [
    ["docker", 20.25, 1536],
  ]);
  const cmp = csv("comparison");
  assert.deepEqual(pick(cmp, "experiment", "workload", "runtime", "n", "mean"), [
    ["cold_start", "hello", "docker", 4, 1650],
    ["concurrency", "hello", "wasm", 5, 4.6],
    ["concurrency", "mixed_10_90", "docker", 4, 2.5],
  ]);
  for (const dir of [raw, ds, out]) await Deno.remove(dir, { recursive: true });
});

Deno.test("tables --levels restricts every per-level table and the comparisons' pooled levels", async () => {
  const out = await Deno.makeTempDir({ prefix: "whiskbench-tables-levels-" });
  const said = await task("cli/tables.ts", "--out", out, "--levels", "1-10");
  assert.match(said, /wrote 27 tables/);
  const csv = (name: string) => records(pl.readCSV(`${out}/tables/${name}.csv`), 6);
  const levels = (name: string) => csv(name).map((r) => r.level);
  assert.deepEqual(levels("cold_start_docker"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(levels("warm_wasm_hello"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const cmp = csv("comparison");
  assert.equal(cmp.length, 16);
  assert.deepEqual([...new Set(cmp.map((r) => r.levels))], [10]);
  assert.deepEqual([...new Set(levels("percentiles"))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual([...new Set(levels("repetitions"))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await task("cli/tables.ts", "--out", out, "--levels", "2,4-5");
  assert.deepEqual(levels("cold_start_wasm"), [2, 4, 5]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("tables --levels with a value that is not levels exits 1 and names it", async () => {
  for (const bad of ["abc", "1-", "0", "5-2"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/tables.ts", "--out", "/nonexistent/never-written", "--levels", bad],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, bad);
    assert.ok(err.includes(`Cannot read levels from --levels: "${bad}", expected`), err);
  }
});
