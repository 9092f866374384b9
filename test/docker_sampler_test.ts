/**
 * The docker stats sampler against a real Docker engine that this test starts and stops
 * (`_dockerd.ts`): containers with known CPU and memory limits, sampled through the Engine API
 * and through `docker stats --no-stream`; limits, usage and PIDs parsed right, and the
 * pipeline's per-sample sum and Table 17 taken from what was written. Where the machine's
 * cgroups do not honour the limits, the test fails saying so.
 *
 * @module
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { capacityTable, resourceSeries, thesisFigures } from "../pipeline/mod.ts";
import { dockerSampler, startSampler } from "../collectors/samplers/mod.ts";
import { activations } from "./_frames.ts";
import { processesUnder, startEngine } from "./_dockerd.ts";

const MIB = 1024 ** 2;
const ROOT = new URL("..", import.meta.url).pathname;

Deno.test({
  name:
    "docker sampler: real containers' CPU limit, memory used and limit, PIDs; the sum is the sum",
  fn: async () => {
    const engine = await startEngine();
    const out = await Deno.makeTempDir({ prefix: "whiskbench-docker-out-" });
    try {
      const info = JSON.parse(await engine.docker("info", "--format", "{{json .}}"));
      const cgroups = `cgroup driver ${info.CgroupDriver}, cgroup version ${info.CgroupVersion}`;
      assert.ok(
        info.MemoryLimit && info.CpuCfsQuota,
        `This machine's cgroups do not honour container limits (docker info: MemoryLimit ${info.MemoryLimit}, CpuCfsQuota ${info.CpuCfsQuota}; ${cgroups}): the docker sampler cannot be checked against --cpus and --memory here`,
      );
      const run = (...args: string[]) => engine.docker("run", "-d", "--network", "none", ...args);
      await run(
        "--name",
        "wb-busy",
        "--cpus",
        "0.5",
        "--memory",
        "64m",
        engine.image,
        "sh",
        "-c",
        "while :; do :; done",
      );
      // 20 MiB written to tmpfs: shared memory, counted as used (not page cache) by the cgroup.
      await run(
        "--name",
        "wb-mem",
        "--memory",
        "48m",
        engine.image,
        "sh",
        "-c",
        "dd if=/dev/zero of=/dev/shm/fill bs=1M count=20 2>/dev/null; exec sleep 3600",
      );
      await run("--name", "wb-idle", engine.image, "sh", "-c", "sleep 3600 & sleep 3600 & wait");
      // Sampled once wb-mem holds its 20 MiB: the file is whole and dd has exec'd into sleep.
      const deadline = Date.now() + 60_000;
      while (
        !(await engine.docker(
          "exec",
          "wb-mem",
          "sh",
          "-c",
          "test -e /proc/1/exe && cat /proc/1/comm",
        )
          .then((comm) => comm.trim() === "sleep", () => false))
      ) {
        if (Date.now() > deadline) throw new Error("wb-mem did not fill its 20 MiB in 60 s");
        await new Promise((r) => setTimeout(r, 100));
      }

      // Four samples kept, however long a loaded machine takes for them.
      let four = () => {};
      const fourKept = new Promise<void>((resolve) => four = resolve);
      const api = await startSampler("docker", {
        out,
        host: engine.host,
        interval: 0.5,
        onSample: (c) => c.kept >= 4 && four(),
      });
      await fourKept;
      const summary = await api.stop();
      assert.equal(summary.failures, 0);
      // The CLI's way, as the thesis sampled: how long one `docker stats --no-stream` takes.
      const cli = await dockerSampler({ host: engine.host, source: "cli" });
      const t0 = performance.now();
      const cliRows = await cli();
      const cliMs = performance.now() - t0;
      console.error(
        `docker sampler periods: Engine API ${summary.period_ms!.mean.toFixed(0)} ms mean ` +
          `(${summary.samples} samples, asked 500 ms), one docker stats --no-stream ${
            cliMs.toFixed(0)
          } ms`,
      );
      assert.ok(summary.period_ms!.mean < cliMs, "the Engine API samples faster than the CLI");

      await Deno.writeTextFile(`${out}/dataset.json`, "{}\n");
      const ds = await readDataset(out);
      const r = ds.resources;
      const kept = summary.kept!;
      assert.ok(kept >= 4, `${kept} samples`);
      assert.equal(r.height, 3 * kept, "one row per container per sample");
      const of = (name: string) => r.filter(pl.col("target").eq(pl.lit(name))).sort("sample");
      const busy = of("wb-busy"), mem = of("wb-mem"), idle = of("wb-idle");
      for (
        const [c, limit] of [[busy, 64 * MIB], [mem, 48 * MIB], [idle, info.MemTotal]] as const
      ) {
        assert.deepEqual(c.getColumn("mem_limit_bytes").unique().toArray(), [limit]);
      }
      const used = mem.getColumn("mem_bytes").toArray() as number[];
      assert.ok(
        used.every((b) => b >= 20 * MIB && b < 48 * MIB),
        `wb-mem used ${used} bytes, expected 20-48 MiB`,
      );
      assert.deepEqual(busy.getColumn("pids").unique().toArray(), [1]);
      assert.deepEqual(mem.getColumn("pids").unique().toArray(), [1]);
      assert.deepEqual(idle.getColumn("pids").unique().toArray(), [3]);
      const cpu = busy.getColumn("cpu_pct").toArray() as number[];
      const mean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
      assert.ok(
        Math.max(...cpu) < 60,
        `--cpus 0.5 is not honoured on this machine (${cgroups}): the busy container used up to ${
          Math.max(...cpu).toFixed(1)
        } % CPU`,
      );
      assert.ok(
        mean > 5,
        `busy container's CPU ${mean.toFixed(1)} %: the sampler does not see it`,
      );
      assert.ok((idle.getColumn("cpu_pct").max() as number) < 5, "idle container near 0 % CPU");
      assert.deepEqual(busy.getColumn("cpu_pct_interval").toArray(), cpu);
      const times = busy.getColumn("t_ms").toArray() as number[];
      assert.ok(
        times.every((t, i) => i === 0 || t > times[i - 1]),
        "engine reading times increase",
      );

      // What the pipeline derives: per-sample sums over containers, Table 17, Figure 31.
      const series = resourceSeries(r).sort("sample");
      const sums = r.groupBy("sample").agg(pl.col("cpu_pct").sum(), pl.col("mem_bytes").sum()).sort(
        "sample",
      );
      assert.deepEqual(series.getColumn("cpu_pct").toArray(), sums.getColumn("cpu_pct").toArray());
      assert.deepEqual(
        series.getColumn("mem_bytes").toArray(),
        sums.getColumn("mem_bytes").toArray(),
      );
      const table = capacityTable(activations([]), r);
      assert.equal(table.getColumn("runtime").get(0), "docker");
      assert.equal(table.getColumn("max_cpu_pct").get(0), sums.getColumn("cpu_pct").max());
      assert.equal(
        table.getColumn("max_mem_mib").get(0),
        (sums.getColumn("mem_bytes").max() as number) / MIB,
      );
      const figure = thesisFigures(ds).find((f) => f.id === "figure_31");
      assert.ok(figure, "Figure 31 is drawn from the sampled dataset");

      // The CLI's numbers agree with the API's: same containers, limits, PIDs; similar usage.
      const byName = new Map(cliRows.map((x) => [x.target, x]));
      assert.deepEqual([...byName.keys()].sort(), ["wb-busy", "wb-idle", "wb-mem"]);
      assert.equal(byName.get("wb-mem")!.mem_limit_bytes, 48 * MIB);
      assert.equal(byName.get("wb-idle")!.pids, 3);
      const cliMem = byName.get("wb-mem")!.mem_bytes!;
      assert.ok(Math.abs(cliMem - used.at(-1)!) < MIB, `CLI ${cliMem} vs API ${used.at(-1)} bytes`);
      assert.ok(byName.get("wb-busy")!.cpu_pct! < 60 && byName.get("wb-busy")!.cpu_pct! > 5);

      // The same through `deno task sample docker`, ended by its --duration.
      const cliOut = `${out}/cli`;
      const task = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${ROOT}cli/sample.ts`, "docker", "--out", cliOut, "--duration", "2.5"],
        env: { DOCKER_HOST: engine.host },
      }).output();
      const said = new TextDecoder().decode(task.stdout);
      assert.equal(task.code, 0, new TextDecoder().decode(task.stderr));
      const period = /^wrote \d+ rows in 1 parts, 0 failed, period (\d+) ms mean/.exec(said);
      assert.ok(period && Number(period[1]) > 900 && Number(period[1]) < 2100, said);
      const sampled = await readDataset(cliOut);
      assert.deepEqual(sampled.resources.getColumn("target").unique().sort().toArray(), [
        "wb-busy",
        "wb-idle",
        "wb-mem",
      ]);
    } finally {
      await engine.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("the test engine is cleaned up after a crash: no process, mount or folder left", async () => {
  const engine = await startEngine();
  const id = (await engine.docker("run", "-d", "--network", "none", engine.image, "sleep", "3600"))
    .trim();
  const pid = Number(await Deno.readTextFile(`${engine.dir}/docker.pid`));
  Deno.kill(pid, "SIGKILL"); // dockerd dies; containerd and the container's shim live on
  assert.ok((await processesUnder(engine.dir)).length > 0, "dockerd left processes behind");
  await engine.stop();
  assert.deepEqual(await processesUnder(engine.dir), []);
  const mounts = await Deno.readTextFile("/proc/mounts");
  assert.ok(!mounts.includes(engine.dir), "no mount left");
  await assert.rejects(() => Deno.stat(engine.dir), Deno.errors.NotFound);
  // The container's own process outlives its shim: it is found by its cgroup and ended.
  for (const cgroup of ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"]) {
    await assert.rejects(() => Deno.stat(`${cgroup}/docker/${id}`), Deno.errors.NotFound);
  }
});
