/**
 * The Docker sampler of another host: the tests' own Docker engine (`_dockerd.ts`) reached
 * through a real sshd on loopback (`_sshd.ts`), its socket forwarded by OpenSSH, sampled by
 * `deno task sample docker --host ssh://root@127.0.0.1:PORT/<socket>`: the rows are the
 * engine's containers, carry the host's name, and its clock offset is recorded.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { parseDockerSshUrl } from "../collectors/samplers/ssh.ts";
import { startEngine } from "./_dockerd.ts";
import { canRunSshd, startSshd, until } from "./_sshd.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("a Docker host over ssh: user, port and socket path from the URL, checked", () => {
  assert.deepEqual(parseDockerSshUrl("ssh://root@h:2222"), {
    target: { url: "ssh://root@h:2222", user: "root", host: "h", port: 2222 },
    socket: "/var/run/docker.sock",
  });
  assert.equal(
    parseDockerSshUrl("ssh://h/run/user/1000/docker.sock").socket,
    "/run/user/1000/docker.sock",
  );
  assert.throws(() => parseDockerSshUrl("ssh://h/../etc/x"), /is not one/);
  assert.throws(() => parseDockerSshUrl("ssh://h/a b"), /is not one/);
  assert.throws(() => parseDockerSshUrl("tcp://h:2375"), /expected ssh:/);
});

Deno.test({
  name: "deno task sample docker --host ssh://...: another host's engine sampled over sshd",
  ignore: !canRunSshd,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const engine = await startEngine();
    const dir = await Deno.makeTempDir({ prefix: "whiskbench-docker-ssh-" });
    const { sshd, ports, config } = await startSshd(dir);
    let sampler: Deno.ChildProcess | undefined;
    try {
      await engine.docker(
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "wb-remote",
        engine.image,
        "sleep",
        "3600",
      );
      const socket = engine.host.slice("unix://".length);
      const out = join(dir, "ds"), host = `127.0.0.1:${ports[0]}`;
      sampler = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          `${ROOT}cli/sample.ts`,
          "docker",
          "--out",
          out,
          "--interval",
          "0.3",
          "--flush",
          "0.3",
          "--host",
          `ssh://root@${host}${socket}`,
        ],
        env: { WHISKBENCH_SSH_CONFIG: config },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      await until(
        async () => {
          try {
            const r = (await readDataset(out)).resources;
            return r.filter(pl.col("target").eq(pl.lit("wb-remote"))).height >= 2;
          } catch {
            return false;
          }
        },
        "two samples of the remote engine's container",
        90_000,
      );
      sampler.kill("SIGINT");
      const result = await sampler.output();
      sampler = undefined;
      const stderr = new TextDecoder().decode(result.stderr);
      assert.equal(result.code, 0, stderr);
      const ds = await readDataset(out);
      const rows = ds.resources.toRecords();
      assert.ok(rows.length >= 2);
      for (const r of rows) {
        assert.equal(r.sampler, "docker_stats");
        assert.equal(r.host, host);
        assert.equal(r.target, "wb-remote");
        assert.ok((r.mem_bytes as number) > 0 && r.pids === 1, JSON.stringify(r));
      }
      // Readings on this machine's clock: within the run, not the engine's raw time.
      const entry = (ds.meta.samplers as {
        settings: { hosts: { host: string; offset_ms: number; rtt_ms: number }[] };
        started: string;
        stopped: string;
      }[])[0];
      assert.deepEqual(entry.settings.hosts.map((h) => h.host), [host]);
      const [from, to] = [Date.parse(entry.started) - 2_000, Date.parse(entry.stopped) + 2_000];
      for (const r of rows) assert.ok((r.t_ms as number) >= from && (r.t_ms as number) <= to);
      // The forward is gone with the sampler: no ssh of ours is left running.
      const ps = await new Deno.Command("pgrep", { args: ["-f", "whiskbench-fwd-"] }).output();
      assert.equal(new TextDecoder().decode(ps.stdout).trim(), "");
    } finally {
      if (sampler) {
        try {
          sampler.kill("SIGKILL");
        } catch { /* ended */ }
        await sampler.status;
      }
      sshd.kill("SIGTERM");
      await sshd.status;
      await engine.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
