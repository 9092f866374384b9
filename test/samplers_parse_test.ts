/**
 * The samplers' parsers on captured output: `docker stats` lines in every unit, Engine API
 * stats JSON (cgroup v1 and v2), `ps -L` lines, /proc stat lines, chunked HTTP bodies, and
 * executor output, from a file and from a command, into a dataset that Tables 18, 19 read.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readDataset } from "../dataset/mod.ts";
import { partPaths } from "../dataset/partitions.ts";
import { linesOf } from "../ingest/lines.ts";
import { durationTable, INIT_PHASES, RUN_PHASES } from "../pipeline/mod.ts";
import {
  cpuPercent,
  parseApiStats,
  parseMemUsage,
  parsePercent,
  parseStatsJsonLine,
} from "../collectors/samplers/docker_parse.ts";
import { parsePsOutput, psSampler } from "../collectors/samplers/ps.ts";
import { parseStatLine } from "../collectors/samplers/proc_stat.ts";
import { dechunk } from "../collectors/samplers/unix_http.ts";
import { parseExecutorOutput, startSampler } from "../collectors/samplers/mod.ts";

const KIB = 1024, MIB = 1024 ** 2, GIB = 1024 ** 3;

Deno.test("parseMemUsage() reads every unit docker prints, binary and decimal, exactly", () => {
  const cases: [string, [number | null, number | null]][] = [
    ["0B / 0B", [0, 0]],
    ["512B / 1KiB", [512, KIB]],
    ["1.5KiB / 64MiB", [1.5 * KIB, 64 * MIB]],
    ["20.01MiB / 1.944GiB", [20.01 * MIB, 1.944 * GIB]],
    ["12.5kB / 2GB", [12500, 2e9]],
    ["1.2MB / 8GB", [1.2e6, 8e9]],
    ["3GiB / 7.5GiB", [3 * GIB, 7.5 * GIB]],
    ["-- / --", [null, null]],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseMemUsage(text, "t"), expected, text);
  assert.throws(() => parseMemUsage("12.5 furlongs / 1GiB", "docker stats line 3"), {
    name: "SyntaxError",
    message: /docker stats line 3: memory used: "12.5 furlongs " is not a byte quantity/,
  });
  assert.throws(() => parseMemUsage("12MiB", "line 1"), /is not "<used> \/ <limit>"/);
});

Deno.test("parsePercent() reads percents and --, and rejects anything else", () => {
  assert.equal(parsePercent("0.00%", "t"), 0);
  assert.equal(parsePercent("752.17%", "t"), 752.17);
  assert.equal(parsePercent("--", "t"), null);
  assert.throws(() => parsePercent("12,5%", "line 2"), /line 2: "12,5%" is not a percentage/);
  assert.throws(() => parsePercent("12.5", "line 2"), SyntaxError);
});

Deno.test("parseStatsJsonLine() reads a captured docker stats --format '{{json .}}' line", () => {
  const line =
    '{"BlockIO":"0B / 0B","CPUPerc":"49.87%","Container":"3f1c","ID":"3f1c","MemPerc":"31.27%","MemUsage":"20.01MiB / 64MiB","Name":"wb-busy","NetIO":"0B / 0B","PIDs":"2"}';
  assert.deepEqual(parseStatsJsonLine(line, "t"), {
    name: "wb-busy",
    cpu_pct: 49.87,
    mem_bytes: 20.01 * MIB,
    mem_limit_bytes: 64 * MIB,
    pids: 2,
  });
  // Captured from Docker 20.10 (docker.io) with the docker 28 client, as the docker test runs it.
  const captured = [
    '{"BlockIO":"0B / 0B","CPUPerc":"0.00%","Container":"904729013a49","ID":"904729013a49","MemPerc":"42.54%","MemUsage":"20.42MiB / 48MiB","Name":"wb-mem","NetIO":"0B / 0B","PIDs":"1"}',
    '{"BlockIO":"0B / 0B","CPUPerc":"49.47%","Container":"7b3f84580c60","ID":"7b3f84580c60","MemPerc":"0.93%","MemUsage":"608KiB / 64MiB","Name":"wb-busy","NetIO":"0B / 0B","PIDs":"1"}',
  ];
  assert.deepEqual(captured.map((l) => parseStatsJsonLine(l, "t")), [
    { name: "wb-mem", cpu_pct: 0, mem_bytes: 20.42 * MIB, mem_limit_bytes: 48 * MIB, pids: 1 },
    { name: "wb-busy", cpu_pct: 49.47, mem_bytes: 608 * KIB, mem_limit_bytes: 64 * MIB, pids: 1 },
  ]);
  assert.throws(() => parseStatsJsonLine("CONTAINER ID   NAME", "docker stats line 1"), {
    message: /docker stats line 1: expected one JSON object/,
  });
  assert.throws(
    () => parseStatsJsonLine('{"Name":"a","CPUPerc":"1%","MemUsage":"1B / 2B"}', "line 4"),
    /line 4: docker stats line has no string field PIDs/,
  );
});

Deno.test("parseApiStats() takes page cache out of memory, as the docker CLI does (cgroup v1 and v2)", () => {
  const v1 = {
    name: "/wb-busy",
    read: "2026-11-27T15:00:00.123456789Z",
    pids_stats: { current: 3 },
    cpu_stats: { cpu_usage: { total_usage: 5e8 }, system_cpu_usage: 4e9, online_cpus: 2 },
    memory_stats: { usage: 30 * MIB, limit: 64 * MIB, stats: { total_inactive_file: 4 * MIB } },
  };
  const a = parseApiStats(v1, "t");
  assert.deepEqual(a.sample, {
    name: "wb-busy",
    mem_bytes: 26 * MIB,
    mem_limit_bytes: 64 * MIB,
    pids: 3,
  });
  assert.equal(a.t_ms, Date.parse("2026-11-27T15:00:00.123Z"));
  const v2 = {
    ...v1,
    memory_stats: { usage: 30 * MIB, limit: 64 * MIB, stats: { inactive_file: 10 * MIB } },
  };
  assert.equal(parseApiStats(v2, "t").sample.mem_bytes, 20 * MIB);
  // A stopped container's answer: no counters, so nothing is made up.
  const gone = parseApiStats({ name: "/x", read: "0001-01-01T00:00:00Z", memory_stats: {} }, "t");
  assert.deepEqual(gone, {
    sample: { name: "x", mem_bytes: null, mem_limit_bytes: null, pids: null },
    cpu: null,
    t_ms: null,
  });
  assert.throws(
    () => parseApiStats({ name: "/x", memory_stats: { usage: "lots" } }, "GET /stats"),
    /GET \/stats: memory_stats.usage is "lots", expected a count/,
  );
  // 0.5 s of CPU in 2 s of a 2-core host's time (4 s of CPU time): 0.25 * 2 * 100.
  const b = parseApiStats(
    {
      ...v1,
      cpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 6e9, online_cpus: 2 },
    },
    "t",
  );
  assert.equal(cpuPercent(a.cpu, b.cpu), 50);
  assert.equal(cpuPercent(null, b.cpu), null);
});

Deno.test("parsePsOutput() reads captured ps -L lines and names a bad one", () => {
  const text = "  412   412 Ssl   0.0 25800 58462724\n  412   415 Rl   97.3 25800 58462724\n";
  assert.deepEqual(parsePsOutput(text, "ps").map((t) => [t.spid, t.stat, t.cpu_pct, t.rss_kib]), [
    [412, "Ssl", 0, 25800],
    [415, "Rl", 97.3, 25800],
  ]);
  assert.deepEqual(parsePsOutput("", "ps"), []);
  assert.throws(() => parsePsOutput("412 412 Ssl 0.0 25800\n", "ps -C executor"), {
    message: /ps -C executor line 1: expected "PID SPID STAT %CPU RSS VSZ"/,
  });
});

Deno.test("psSampler() refuses a name ps -C can never match", async () => {
  await assert.rejects(() => psSampler({ name: "executor-with-a-long-name" }), {
    name: "RangeError",
    message: /ps -C matches the kernel's command name, 1 to 15 characters/,
  });
});

Deno.test("parseStatLine() counts fields after the last parenthesis of the name", () => {
  const line = "7 (odd) name)) S 1 7 7 0 -1 4194560 0 0 0 0 120 30 0 0 20 0 1 0 5 0 0";
  assert.deepEqual(parseStatLine(line, "t"), { state: "S", ticks: 150 });
  assert.throws(
    () => parseStatLine("7 (x) S 1", "/proc/7/task/7/stat"),
    /\/proc\/7\/task\/7\/stat: expected/,
  );
});

Deno.test("dechunk() undoes chunked transfer coding and rejects a cut body", () => {
  const body = new TextEncoder().encode('a\r\n{"name":1}\r\n1\r\n \r\n0\r\n\r\n');
  assert.equal(new TextDecoder().decode(dechunk(body, "t")), '{"name":1} ');
  assert.throws(() => dechunk(new TextEncoder().encode("ff\r\nabc"), "GET /x"), /cut short/);
  assert.throws(() => dechunk(new TextEncoder().encode("zz\r\n"), "GET /x"), /is not hex/);
});

const EXECUTOR_OUTPUT = `/init hello
Initializing container with id wsk0_1
timestamp_overhead: 444
timestamp_init: 1100
/run /guest/hello
timestamp_wasi: 152
timestamp_module: 98
2026-11-27T15:00:00.000000000Z /init hello
2026-11-27T15:00:00.000100000Z timestamp_overhead: 448
2026-11-27T15:00:00.000200000Z timestamp_init: 1073
`;

Deno.test("parseExecutorOutput() keeps timings, skips other lines, numbers runs per action and phase", async () => {
  const rows = [];
  const stats = { lines: 0, skipped: 0 };
  for await (const r of parseExecutorOutput(linesOf(EXECUTOR_OUTPUT), "log", "wasm", stats)) {
    rows.push([r.action, r.phase, r.run, r.us]);
  }
  assert.deepEqual(rows, [
    ["hello", "overhead", 1, 444],
    ["hello", "init", 1, 1100],
    ["hello", "wasi", 1, 152],
    ["hello", "module", 1, 98],
    ["hello", "overhead", 2, 448],
    ["hello", "init", 2, 1073],
  ]);
  assert.deepEqual(stats, { lines: 10, skipped: 1 });
  const bad = parseExecutorOutput(linesOf("/init a\ntimestamp_init: 1.2ms\n"), "x.log", "wasm");
  await assert.rejects(() => Array.fromAsync(bad), {
    message: 'x.log line 2: timestamp_init is "1.2ms", expected microseconds',
  });
  const early = parseExecutorOutput(linesOf("timestamp_init: 5\n"), "x.log", "wasm");
  await assert.rejects(() => Array.fromAsync(early), /x.log line 1: timestamp_init before any/);
});

Deno.test("startSampler('timings') writes a file's or a command's timings that Tables 18, 19 read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-timings-" });
  const file = `${dir}/executor.log`;
  await Deno.writeTextFile(file, EXECUTOR_OUTPUT);
  const fromFile = await startSampler("timings", { out: `${dir}/a`, file });
  const summary = await fromFile.done;
  assert.equal(summary.rows, 6);
  assert.equal(summary.failures, 0);
  // From a command's output, stderr included (`docker logs` gives a container's stderr there).
  const command = `head -n 4 ${file}; tail -n +5 ${file} >&2`;
  const fromCommand = await startSampler("timings", { out: `${dir}/b`, command, runtime: "wasm" });
  assert.equal((await fromCommand.done).rows, 6);
  for (const out of [`${dir}/a`, `${dir}/b`]) {
    await Deno.writeTextFile(`${out}/dataset.json`, "{}\n");
    const ds = await readDataset(out);
    const init = durationTable(ds.timings, INIT_PHASES).select("action", "phase", "mean");
    assert.deepEqual(init.toRecords(), [
      { action: "hello", phase: "overhead", mean: 446 },
      { action: "hello", phase: "init", mean: 1086.5 },
    ]);
    assert.equal(durationTable(ds.timings, RUN_PHASES).height, 2);
    assert.deepEqual(ds.events.getColumn("what").toArray(), [
      "timings sampler start",
      "timings sampler stop",
    ]);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("startSampler('timings') stops a command that runs on, with what it printed so far", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-timings-" });
  const command = "printf '/init net\\ntimestamp_init: 798\\n'; sleep 30";
  const s = await startSampler("timings", { out: dir, command, flushEvery: 0.2 });
  // The printed line is in a part (flushed every 0.2 s) while the command still sleeps.
  const deadline = Date.now() + 30_000;
  while ((await partPaths(`${dir}/timings`).catch(() => [])).length === 0) {
    if (Date.now() > deadline) throw new Error("no timings part within 30 s");
    await new Promise((r) => setTimeout(r, 20));
  }
  const summary = await s.stop();
  assert.equal(summary.rows, 1);
  assert.equal(summary.failures, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("startSampler('timings') reports, counts and skips a bad line, keeping the good ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-timings-" });
  const file = `${dir}/executor.log`;
  await Deno.writeTextFile(file, "/init net\ntimestamp_init: 7x\ntimestamp_init: 798\n");
  const warnings: string[] = [];
  const s = await startSampler("timings", { out: dir, file, warn: (m) => warnings.push(m) });
  const summary = await s.done;
  assert.deepEqual([summary.rows, summary.failures], [1, 1]);
  assert.deepEqual(warnings, [
    `timings: ${file} line 2: timestamp_init is "7x", expected microseconds`,
  ]);
  await Deno.remove(dir, { recursive: true });
});
