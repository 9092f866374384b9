/**
 * `deno task collect <experiment> --sample ps`: a sampler runs beside the experiment into the
 * same dataset, so the capacity table (Table 17) gets its CPU and memory columns from one
 * collected folder; a sampler that cannot start stops the run before any invocation.
 */
import { startBusy } from "./_processes.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { parseFlags } from "../collectors/flags.ts";
import { capacityTable } from "../pipeline/mod.ts";
import { startStandin } from "./standin/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const opts = { sanitizeResources: false, sanitizeOps: false };

async function collect(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "collectors/cli.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", HOME: "/nonexistent", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, text: d.decode(out.stdout) + d.decode(out.stderr) };
}

Deno.test("--sample takes ps, docker or none; anything else is an error naming it", () => {
  const p = (s: string) => parseFlags(["capacity", "--runtime", "wasm", "--sample", s], "d");
  assert.deepEqual(p("ps,docker").params.sample, ["ps", "docker"]);
  assert.deepEqual(p("none").params.sample, []);
  assert.deepEqual(parseFlags(["capacity"], "d").params.sample, []);
  assert.throws(() => p("ps,top"), /--sample names "top", expected ps, docker or none/);
});

Deno.test(
  "collect capacity --sample ps: Table 17 from one collected dataset",
  opts,
  async () => {
    const tmp = await Deno.makeTempDir({ prefix: "collect-sample-" });
    // A busy process under a name of its own stands for the Wasm executor.
    const { name, busy } = await startBusy(tmp, "wbx");
    const ow = await startStandin({ actions: ["sleep"], runMs: { sleep: 400 }, maxInFlight: 3 });
    try {
      const props = join(tmp, "wskprops"), ds = join(tmp, "ds");
      await Deno.writeTextFile(props, `APIHOST=${ow.apihost}\nAUTH=${ow.auth}\n`);
      const r = await collect([
        "capacity",
        "--runtime",
        "wasm",
        "--out",
        ds,
        "--levels",
        "10",
        "--sample",
        "ps",
        "--ps-name",
        name,
        "--sample-interval",
        "0.2",
      ], { WSK_CONFIG_FILE: props });
      assert.equal(r.code, 0, r.text);
      assert.match(r.text, /sampler ps: [1-9]\d* rows in [1-9]\d* parts, 0 failed/);
      const data = await readDataset(ds);
      const res = data.resources.toRecords();
      assert.ok(res.length > 0);
      assert.ok(res.every((x) => x.experiment === "capacity" && x.runtime === "wasm"));
      assert.ok(res.every((x) => x.sampler === "ps" && (x.mem_bytes as number) > 0));
      const t17 = capacityTable(data.activations, data.resources).toRecords();
      assert.equal(t17.length, 1);
      assert.equal(t17[0].runtime, "wasm");
      assert.equal(t17[0].capacity, 3, "the stand-in's in-flight limit");
      assert.ok((t17[0].max_cpu_pct as number) > 5, `busy executor CPU ${t17[0].max_cpu_pct}`);
      assert.ok((t17[0].max_mem_mib as number) > 1);
      const what = data.events.getColumn("what").toArray() as string[];
      assert.ok(what.some((w) => /start/.test(w)) && what.some((w) => /stop/.test(w)), `${what}`);

      // A sampler that cannot start: no invocation is made.
      const served = ow.served.length;
      const bad = await collect([
        "capacity",
        "--runtime",
        "docker",
        "--out",
        join(tmp, "ds2"),
        "--sample",
        "docker",
        "--docker-host",
        `unix://${tmp}/no-such.sock`,
      ], { WSK_CONFIG_FILE: props });
      assert.equal(bad.code, 1, bad.text);
      assert.match(bad.text, /Cannot start the samplers: /);
      assert.equal(ow.served.length, served);
    } finally {
      busy.kill("SIGKILL");
      await busy.status;
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
