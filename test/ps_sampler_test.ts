/**
 * The `ps` sampler against real processes that the test starts under a name of its own: a
 * busy one (a multi-threaded Deno spinning) and an idle one (a shell waiting on its input);
 * then `deno task sample ps` stopped by SIGINT and SIGTERM, with its last part written.
 *
 * @module
 */
import { startAs, startBusy } from "./_processes.ts";
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { capacityTable, resourceSeries, thesisFigures } from "../pipeline/mod.ts";
import { startSampler } from "../collectors/samplers/mod.ts";
import { activations } from "./_frames.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** A busy and an idle process named `name`, stopped and cleaned up whatever `body` does. */
async function withProcesses(
  body: (name: string, busy: Deno.ChildProcess, idle: Deno.ChildProcess) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-ps-" });
  const { name, busy } = await startBusy(`${dir}/busy`, "wbx");
  const idle = await startAs(`${dir}/idle`, name, "/bin/sh", ["-c", "read x"]);
  try {
    // Started: the busy one has spun for a while past Deno's start-up, the idle one waits.
    await until(async () =>
      (await cpuTicks(busy.pid)) >= 30 && (await threadStates(idle.pid)).join() === "S"
    );
    await body(name, busy, idle);
  } finally {
    for (const p of [busy, idle]) {
      try {
        p.kill("SIGKILL");
      } catch {
        // already gone
      }
      await p.status;
    }
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("ps sampler: threads of real processes by name, CPU from /proc deltas, RSS, states", async () => {
  await withProcesses(async (name, busy, idle) => {
    const out = await Deno.makeTempDir({ prefix: "whiskbench-ps-out-" });
    // Eight samples, however long a loaded machine takes for them.
    let eight = () => {};
    const sampled = new Promise<void>((resolve) => eight = resolve);
    const s = await startSampler("ps", {
      out,
      name,
      interval: 0.25,
      all: true,
      warn: assert.fail,
      onSample: (c) => c.samples >= 8 && eight(),
    });
    await sampled;
    const summary = await s.stop();
    assert.equal(summary.failures, 0);
    assert.ok(summary.samples! >= 8, `${summary.samples} samples`);
    await Deno.writeTextFile(`${out}/dataset.json`, "{}\n");
    const ds = await readDataset(out);
    const r = ds.resources.sort(["sample", "target"]);
    const of = (pid: number) => r.filter(pl.col("target").eq(pl.lit(String(pid))));
    const main = of(busy.pid), waiting = of(idle.pid);
    assert.equal(main.height, summary.kept, "the busy main thread is in every sample");
    assert.equal(waiting.height, summary.kept, "the idle process is in every sample");
    // Deno runs several threads: every one is listed, although only the main one has the name.
    const threads = r.filter(pl.col("sample").eq(1)).height;
    assert.ok(threads > 2, `${threads} threads in sample 1, expected the busy Deno's threads too`);
    const interval = main.getColumn("cpu_pct_interval").toArray().slice(1) as number[];
    // Bounds loose enough for a loaded machine (2 cores shared): the busy thread gets CPU in
    // nearly every interval, the idle one none.
    const mean = interval.reduce((a, b) => a + b, 0) / interval.length;
    assert.ok(mean > 5, `busy thread used ${mean.toFixed(1)} % CPU per interval, expected > 5`);
    const busyIntervals = interval.filter((x) => x > 0).length;
    assert.ok(
      busyIntervals >= 0.8 * interval.length,
      `CPU in ${busyIntervals}/${interval.length} intervals`,
    );
    assert.equal(
      main.getColumn("cpu_pct_interval").toArray()[0],
      null,
      "no interval before sample 1",
    );
    assert.ok((main.getColumn("cpu_pct").max() as number) > 3, "ps %CPU of the busy thread");
    assert.ok(main.getColumn("state").toArray().some((st) => String(st).startsWith("R")));
    assert.deepEqual(waiting.getColumn("state").unique().toArray(), ["S"]);
    assert.deepEqual(
      (waiting.getColumn("cpu_pct_interval").toArray().slice(1) as number[]).map(Math.round),
      Array(waiting.height - 1).fill(0),
    );
    assert.ok((r.getColumn("mem_bytes").min() as number) > 0, "RSS > 0");
    assert.ok((r.getColumn("vsz_bytes").min() as number) > 0, "VSZ > 0");
    // Figure 32's series and Table 17: CPU summed over threads, memory one RSS per sample.
    const series = resourceSeries(ds.resources);
    assert.equal(series.height, summary.kept);
    const s1 = r.filter(pl.col("sample").eq(1));
    const first = series.filter(pl.col("sample").eq(1));
    assert.equal(first.getColumn("cpu_pct").get(0), s1.getColumn("cpu_pct").sum());
    assert.equal(first.getColumn("mem_bytes").get(0), s1.getColumn("mem_bytes").max());
    const table = capacityTable(activations([]), ds.resources);
    assert.deepEqual(table.getColumn("runtime").toArray(), ["wasm"]);
    assert.equal(table.getColumn("max_cpu_pct").get(0), series.getColumn("cpu_pct").max());
    const figure = thesisFigures(ds).find((f) => f.id === "figure_32");
    assert.ok(figure, "Figure 32 is drawn from the sampled dataset");
    await Deno.remove(out, { recursive: true });
  });
});

/** States of every thread of `pid`, from /proc. */
async function threadStates(pid: number): Promise<string[]> {
  const states = [];
  for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
    const stat = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/stat`);
    states.push(stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3));
  }
  return states;
}

/** User and system CPU time of `pid` so far, in clock ticks (fields 14 and 15 of its stat). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function until(ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("ps sampler keeps, as the thesis did, only samples where some thread runs", async () => {
  await withProcesses(async (name, busy, idleProcess) => {
    const out = await Deno.makeTempDir({ prefix: "whiskbench-ps-out-" });
    busy.kill("SIGSTOP"); // stopped: state T, so only idle threads are left
    await until(async () => {
      const states = await threadStates(busy.pid), [idle] = await threadStates(idleProcess.pid);
      return states.every((s) => s === "T") && idle === "S";
    });
    // Stopped by a count of samples, not by time: a loaded machine samples late.
    const upTo = (key: "samples" | "kept", n: number) => {
      let stop = () => {};
      const reached = new Promise<void>((resolve) => stop = resolve);
      return { reached, onSample: (c: { samples: number; kept: number }) => c[key] >= n && stop() };
    };
    const three = upTo("samples", 3);
    const idleOnly = await startSampler("ps", {
      out,
      name,
      interval: 0.2,
      onSample: three.onSample,
    });
    await three.reached;
    const stopped = await idleOnly.stop();
    busy.kill("SIGCONT");
    assert.equal(stopped.samples! >= 3, true);
    assert.equal(stopped.rows, 0, "no sample kept while nothing runs");
    const two = upTo("kept", 2);
    const running = await startSampler("ps", { out, name, interval: 0.2, onSample: two.onSample });
    await two.reached;
    const kept = await running.stop();
    assert.ok(kept.kept! >= 2, `${kept.kept} samples kept while the busy process runs`);
    await Deno.remove(out, { recursive: true });
  });
});

/** Starts `deno task sample ps` on the processes `name`; resolves once it has flushed a part. */
async function startTask(name: string) {
  const out = await Deno.makeTempDir({ prefix: "whiskbench-ps-cli-" });
  const args = ["run", "-A", `${ROOT}cli/sample.ts`, "ps", "--out", out, "--name", name];
  const child = new Deno.Command(Deno.execPath(), {
    args: [...args, "--interval", "0.2", "--flush", "0.5"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Whole parts only: a `.parquet.tmp` being written is not one yet.
  const parts = async () => {
    try {
      return (await Array.fromAsync(Deno.readDir(`${out}/resources`)))
        .filter((e) => e.name.endsWith(".parquet")).length;
    } catch {
      return 0;
    }
  };
  // A part flushed and the sampler's entry in dataset.json: what a kill must leave readable.
  const described = () => Deno.stat(`${out}/dataset.json`).then(() => true, () => false);
  await until(async () => await parts() > 0 && await described(), 15_000);
  return { out, child, parts };
}

Deno.test("deno task sample ps stops on SIGINT and on SIGTERM with its last part written", async () => {
  await withProcesses(async (name) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const { out, child, parts } = await startTask(name);
      child.kill(signal);
      const result = await child.output();
      const stdout = new TextDecoder().decode(result.stdout);
      assert.equal(result.code, 0, `${signal}: ${new TextDecoder().decode(result.stderr)}`);
      const m = /^wrote (\d+) rows in (\d+) parts, 0 failed, period (\d+) ms mean/.exec(stdout);
      assert.ok(m, `${signal}: summary line, found ${JSON.stringify(stdout)}`);
      const ds = await readDataset(out);
      assert.equal(ds.resources.height, Number(m[1]), `${signal}: every row read back`);
      assert.equal(await parts(), Number(m[2]));
      assert.deepEqual(ds.events.sort("t_ms").getColumn("what").toArray(), [
        "ps sampler start",
        "ps sampler stop",
      ]);
      const meta = ds.meta.samplers as { kind: string; settings: { name: string } }[];
      assert.deepEqual(meta.map((e) => [e.kind, e.settings.name]), [["ps", name]]);
      await Deno.remove(out, { recursive: true });
    }
  });
});

Deno.test("deno task sample ps killed outright leaves a readable dataset of the parts flushed", async () => {
  await withProcesses(async (name) => {
    const { out, child, parts } = await startTask(name);
    const flushed = await parts();
    child.kill("SIGKILL");
    await child.output();
    const ds = await readDataset(out);
    assert.ok(ds.resources.height > 0 && (await parts()) >= flushed);
    const meta = ds.meta.samplers as { kind: string; stopped: string | null }[];
    assert.deepEqual(meta.map((e) => [e.kind, e.stopped]), [["ps", null]]);
    await Deno.remove(out, { recursive: true });
  });
});
