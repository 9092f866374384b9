/**
 * Sampling past one host: a real OpenSSH server that the test starts on two loopback ports
 * with keys it makes, so this machine is sampled as two "hosts" by `deno task sample ps
 * --host ssh://...,ssh://...`; rows carry each host's name, each host's clock offset is
 * recorded, and the pipeline totals per host, then over hosts.
 *
 * @module
 */
import { startBusy } from "./_processes.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { resourceSeries } from "../pipeline/mod.ts";
import { parseSshUrl } from "../collectors/samplers/ssh.ts";
import { parseRemoteProbe, remoteProbeScript } from "../collectors/samplers/ps.ts";
import { parseFlags } from "../collectors/flags.ts";
import { startStandin } from "./standin/mod.ts";
import { canRunSshd as canRun, startSshd, until } from "./_sshd.ts";

const ROOT = new URL("..", import.meta.url).pathname;
Deno.test({
  name: "deno task sample ps --host: this machine sampled as two hosts over a real sshd",
  ignore: !canRun,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "whiskbench-ssh-" });
    const { sshd, ports, config } = await startSshd(dir);
    const { name, busy } = await startBusy(join(dir, "bin"), "wbs");
    const out = join(dir, "ds");
    const hosts = ports.map((p) => `ssh://root@127.0.0.1:${p}`);
    const sampler = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}cli/sample.ts`,
        "ps",
        "--out",
        out,
        "--name",
        name,
        "--interval",
        "0.2",
        "--flush",
        "0.2",
        "--host",
        hosts.join(","),
      ],
      env: { WHISKBENCH_SSH_CONFIG: config },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    try {
      // Three samples written from each host, then stop.
      await until(async () => {
        try {
          const r = (await readDataset(out)).resources;
          return ports.every((p) =>
            r.filter(pl.col("host").eq(pl.lit(`127.0.0.1:${p}`))).getColumn("sample").max() >= 3
          );
        } catch {
          return false;
        }
      }, "three samples from each host");
      sampler.kill("SIGINT");
      const result = await sampler.output();
      const stderr = new TextDecoder().decode(result.stderr);
      assert.equal(result.code, 0, stderr);
      assert.match(
        new TextDecoder().decode(result.stdout),
        /^wrote \d+ rows in \d+ parts, 0 failed/,
      );

      const ds = await readDataset(out);
      const r = ds.resources;
      assert.deepEqual(
        r.getColumn("host").unique().sort().toArray(),
        ports.map((p) => `127.0.0.1:${p}`).sort(),
      );
      // The busy process's main thread, seen from each "host", used CPU.
      const main = r.filter(pl.col("target").eq(pl.lit(String(busy.pid))));
      for (const p of ports) {
        const seen = main.filter(pl.col("host").eq(pl.lit(`127.0.0.1:${p}`)));
        assert.ok(seen.height >= 3, `${seen.height} samples of the busy thread from port ${p}`);
        const cpu = seen.getColumn("cpu_pct_interval").toArray().slice(1) as number[];
        assert.ok(cpu.some((c) => c > 5), `busy thread's CPU from port ${p}: ${cpu}`);
      }
      // Each host's clock offset and round trip, recorded (one machine: near zero).
      const entry = (ds.meta.samplers as {
        settings: { hosts: { host: string; offset_ms: number; rtt_ms: number }[] };
      }[])[0];
      assert.deepEqual(
        entry.settings.hosts.map((h) => h.host).sort(),
        ports.map((p) => `127.0.0.1:${p}`).sort(),
      );
      for (const h of entry.settings.hosts) {
        assert.ok(
          Math.abs(h.offset_ms) <= h.rtt_ms + 5,
          `offset ${h.offset_ms} ms, rtt ${h.rtt_ms} ms`,
        );
      }
      // Per sample: CPU summed over both hosts; memory one RSS per host, summed over hosts.
      const series = resourceSeries(r);
      const s1 = r.filter(pl.col("sample").eq(1));
      const first = series.filter(pl.col("sample").eq(1));
      assert.ok(
        Math.abs(first.getColumn("cpu_pct").get(0) - (s1.getColumn("cpu_pct").sum() as number)) <
          1e-9,
      );
      const rssPerHost = ports.map((p) =>
        s1.filter(pl.col("host").eq(pl.lit(`127.0.0.1:${p}`))).getColumn("mem_bytes")
          .max() as number
      );
      assert.equal(first.getColumn("mem_bytes").get(0), rssPerHost[0] + rssPerHost[1]);
    } finally {
      try {
        sampler.kill("SIGKILL");
      } catch { /* ended */ }
      await sampler.status;
      busy.kill("SIGKILL");
      await busy.status;
      sshd.kill("SIGTERM");
      await sshd.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "collect capacity --sample ps --ps-host: the experiment's samples from two hosts over sshd",
  ignore: !canRun,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "whiskbench-ssh-collect-" });
    const { sshd, ports, config } = await startSshd(dir);
    const { name, busy } = await startBusy(join(dir, "bin"), "wbc");
    const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 800 }, maxInFlight: 3 });
    try {
      const props = join(dir, "wskprops"), out = join(dir, "ds");
      await Deno.writeTextFile(props, `APIHOST=${ow.apihost}\nAUTH=${ow.auth}\n`);
      const hosts = ports.map((p) => `ssh://root@127.0.0.1:${p}`);
      const r = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${ROOT}collectors/cli.ts`,
          "capacity",
          "--runtime",
          "wasm",
          "--out",
          out,
          "--levels",
          "10",
          "--sample",
          "ps",
          "--ps-name",
          name,
          "--ps-host",
          hosts.join(","),
          "--sample-interval",
          "0.2",
        ],
        env: { NO_COLOR: "1", WSK_CONFIG_FILE: props, WHISKBENCH_SSH_CONFIG: config },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 0, text);
      assert.match(text, /sampler ps: [1-9]\d* rows in [1-9]\d* parts, 0 failed/);
      const ds = await readDataset(out);
      const res = ds.resources;
      assert.deepEqual(
        res.getColumn("host").unique().sort().toArray(),
        ports.map((p) => `127.0.0.1:${p}`).sort(),
      );
      assert.ok(res.toRecords().every((x) => x.experiment === "capacity" && x.runtime === "wasm"));
      const busyRows = res.filter(pl.col("target").eq(pl.lit(String(busy.pid))));
      for (const p of ports) {
        assert.ok(busyRows.filter(pl.col("host").eq(pl.lit(`127.0.0.1:${p}`))).height > 0);
      }
      // Each host's clock offset, with the collection.
      const entry = (ds.meta.collections as { sampled_hosts?: { host: string }[] }[])[0];
      assert.deepEqual(
        entry.sampled_hosts?.map((h) => h.host).sort(),
        ports.map((p) => `127.0.0.1:${p}`).sort(),
      );
    } finally {
      await ow.close();
      busy.kill("SIGKILL");
      await busy.status;
      sshd.kill("SIGTERM");
      await sshd.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("collect --ps-host takes ssh URLs only, naming the flag", () => {
  const p = (h: string) => parseFlags(["capacity", "--sample", "ps", "--ps-host", h], "d");
  assert.deepEqual(p("ssh://a@h1,ssh://b@h2:2222").params.ps_hosts, [
    "ssh://a@h1",
    "ssh://b@h2:2222",
  ]);
  assert.deepEqual(parseFlags(["capacity"], "d").params.ps_hosts, []);
  assert.throws(() => p("unix:///var/run/docker.sock"), /^RangeError: --ps-host: /);
});

Deno.test("ssh URLs are checked, and a remote probe's output is parsed", () => {
  assert.deepEqual(parseSshUrl("ssh://bob@inv-1.example:2222"), {
    url: "ssh://bob@inv-1.example:2222",
    user: "bob",
    host: "inv-1.example",
    port: 2222,
  });
  for (const bad of ["inv-1", "http://x", "ssh://a:pw@x", "ssh://x/path", "ssh://-oProxy@x"]) {
    assert.throws(() => parseSshUrl(bad), RangeError, bad);
  }
  const script = remoteProbeScript("it's");
  assert.match(script, /-C 'it'\\''s'/);
  const probe = parseRemoteProbe(
    " 7  8 Rl 12.5 100 200\n 7  9 S 0.0 100 200\n#ticks\n" +
      "7 8 8 (x y) R 1 7 7 0 -1 0 0 0 0 0 250 50 0 0\n7 9 \n",
    "test",
  );
  assert.equal(probe.threads.length, 2);
  assert.deepEqual([...probe.ticks], [["7/8", 300], ["7/9", null]]);
});
