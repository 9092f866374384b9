import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { filesUnder } from "./_hostile_dataset.ts";
import { type StandinOptions, startStandin } from "./standin/mod.ts";
import { selfSignedCert } from "./standin/tls.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const opts = { sanitizeResources: false, sanitizeOps: false };
const SECRET = "s3cr3t-k3y-never-to-be-seen";
const AUTH = `c0ffee00-0000-4000-8000-000000000000:${SECRET}`;
const HELLOS = Array.from({ length: 15 }, (_, i) => `hello${i + 1}`);

/** A stand-in with short idle timeouts, so `--idle-wait 0.06` makes every level cold. */
function standin(extra: StandinOptions = {}) {
  return startStandin({ auth: AUTH, actions: HELLOS, idleTimeoutMs: 30, initMs: 5, ...extra });
}

function command(args: string[], env: Record<string, string> = {}) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", HOME: "/nonexistent", ...env },
    stdout: "piped",
    stderr: "piped",
  });
}

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await command(args, env).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

const collect = (args: string[], env?: Record<string, string>) =>
  run(["collectors/cli.ts", "cold-start", ...args], env);

/** Every file under a dataset's activations, in its partition folders too (none if no folder). */
async function parts(dir: string): Promise<string[]> {
  try {
    return await filesUnder(join(dir, "activations"));
  } catch {
    return [];
  }
}

/** Every string cell of a dataset and its dataset.json, to look for the key in. */
async function allText(dir: string): Promise<string> {
  const ds = await readDataset(dir);
  const cells = [ds.activations, ds.events].flatMap((f) =>
    f.columns.filter((c) => f.getColumn(c).dtype.equals(pl.Utf8)).flatMap((c) =>
      f.getColumn(c).toArray()
    )
  );
  return cells.join("\n") + (await Deno.readTextFile(join(dir, "dataset.json")));
}

Deno.test(
  "collect cold-start: a dataset that `deno task tables` and the report read",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-cli-" });
    const props = join(tmp, "wskprops"), ds = join(tmp, "ds");
    await Deno.writeTextFile(props, `APIHOST=${ow.apihost}\nAUTH=${AUTH}\n`);
    try {
      const args = ["--levels", "3", "--reps", "2", "--idle-wait", "0.06", "--out", ds];
      const docker = await collect(["--runtime", "docker", ...args], { WSK_CONFIG_FILE: props });
      assert.equal(docker.code, 0, docker.text);
      assert.match(
        docker.text,
        /wrote 12 records, 0 failed -> .*\(runs 1\.\.2, \d+ parts, complete\)/,
      );
      const wasm = await collect(["--runtime", "wasm", ...args], { WSK_CONFIG_FILE: props });
      assert.equal(wasm.code, 0, wasm.text);
      for (const t of [docker.text, wasm.text]) assert.ok(!t.includes(SECRET));

      const data = await readDataset(ds);
      assert.deepEqual(
        [...data.activations.getColumn("activation_id").toArray()].sort(),
        [...ow.served].sort(),
      );
      assert.ok(!(await allText(ds)).includes(SECRET));
      const entries = data.meta.collections as Record<string, Record<string, unknown>>[];
      assert.deepEqual(entries.map((e) => [e.runtime, e.status, e.first_run]), [
        ["docker", "complete", 1],
        ["wasm", "complete", 1],
      ]);
      assert.equal(
        (entries[0].openwhisk as { api: { api_version_path: string } }).api.api_version_path,
        "v1",
      );
      assert.ok(typeof entries[0].host.uname === "string");

      const tables = await run(["cli/tables.ts", ds, "--out", join(tmp, "out")]);
      assert.equal(tables.code, 0, tables.text);
      for (const runtime of ["docker", "wasm"]) {
        const csv = pl.readCSV(join(tmp, "out", "tables", `cold_start_${runtime}.csv`));
        assert.deepEqual(csv.select("level", "n", "n_not_cold", "n_errors").toRecords(), [
          { level: 1, n: 2, n_not_cold: 0, n_errors: 0 },
          { level: 2, n: 4, n_not_cold: 0, n_errors: 0 },
          { level: 3, n: 6, n_not_cold: 0, n_errors: 0 },
        ]);
      }
      const report = await run(["cli/report.ts", "--data", ds, "--out", join(tmp, "report")]);
      assert.equal(report.code, 0, report.text);
      assert.match(await Deno.readTextFile(join(tmp, "report", "report.md")), /cold/i);
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect: kill -9 mid-run leaves every finished part readable; reruns work",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-kill-" });
    const ds = join(tmp, "killed");
    try {
      const base = ["--runtime", "wasm", "--apihost", ow.apihost, "--auth", AUTH];
      const child = command([
        "collectors/cli.ts",
        "cold-start",
        ...base,
        "--levels",
        "15",
        "--reps",
        "100",
        "--idle-wait",
        "0.02",
        "--out",
        ds,
      ]).spawn();
      const deadline = Date.now() + 30_000;
      while ((await parts(ds)).filter((p) => p.endsWith(".parquet")).length < 3) {
        assert.ok(Date.now() < deadline, "no parts written within 30 s");
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGKILL");
      const status = await child.status;
      assert.equal(status.signal, "SIGKILL");
      await child.stdout.cancel();
      await child.stderr.cancel();

      const data = await readDataset(ds); // every finished part reads; a .tmp part is ignored
      assert.ok(data.activations.height >= 3);
      const served = new Set(ow.records.map((r) => r.activationId));
      for (const id of data.activations.getColumn("activation_id").toArray()) {
        assert.ok(served.has(id), `${id} was not served`);
      }
      const entry = (data.meta.collections as { status: string }[])[0];
      assert.equal(entry.status, "running"); // never finished: the dataset says so

      // A rerun into a new folder works; one into the killed folder continues its run numbers.
      const fresh = await collect([
        ...base,
        "--levels",
        "2",
        "--reps",
        "1",
        "--idle-wait",
        "0.06",
        "--out",
        join(tmp, "new"),
      ]);
      assert.equal(fresh.code, 0, fresh.text);
      assert.equal((await readDataset(join(tmp, "new"))).activations.height, 3);
      const lastRun = Number(data.activations.getColumn("run").max());
      const more = await collect([
        ...base,
        "--levels",
        "1",
        "--reps",
        "1",
        "--idle-wait",
        "0.06",
        "--out",
        ds,
      ]);
      assert.equal(more.code, 0, more.text);
      assert.match(more.text, new RegExp(`runs ${lastRun + 1}\\.\\.${lastRun + 1}`));
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect: SIGINT finishes the part in flight and exits 130, the dataset complete so far",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-int-" });
    const ds = join(tmp, "ds");
    try {
      const child = command([
        "collectors/cli.ts",
        "cold-start",
        "--runtime",
        "wasm",
        "--apihost",
        ow.apihost,
        "--auth",
        AUTH,
        "--levels",
        "15",
        "--reps",
        "100",
        "--idle-wait",
        "0.02",
        "--out",
        ds,
      ]).spawn();
      const deadline = Date.now() + 30_000;
      while ((await parts(ds)).length < 2) {
        assert.ok(Date.now() < deadline, "no parts written within 30 s");
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill("SIGINT");
      const out = await child.output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 130, text);
      assert.match(text, /stopping: letting requests in flight finish/);
      const m = /wrote (\d+) records, 0 failed .*interrupted\)/.exec(text);
      assert.ok(m, text);
      const data = await readDataset(ds);
      assert.equal(data.activations.height, Number(m[1])); // nothing lost
      assert.ok((await parts(ds)).every((p) => p.endsWith(".parquet")));
      assert.equal((data.meta.collections as { status: string }[])[0].status, "interrupted");
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect over HTTPS: --insecure (as wsk -i) or --ca; a clear error without",
  opts,
  async () => {
    const tmp = await Deno.makeTempDir({ prefix: "collect-tls-" });
    const tls = await selfSignedCert(join(tmp, "tls"));
    const ow = await standin({ tls: { cert: tls.cert, key: tls.key } });
    try {
      const base = [
        "--runtime",
        "wasm",
        "--apihost",
        ow.apihost,
        "--auth",
        AUTH,
        "--levels",
        "1",
        "--reps",
        "1",
        "--idle-wait",
        "0",
      ];
      const plain = await collect([...base, "--out", join(tmp, "a")]);
      assert.equal(plain.code, 1);
      assert.match(
        plain.text,
        /Cannot reach OpenWhisk at https:\/\/127\.0\.0\.1:\d+: .*use --insecure, as wsk -i, or --ca FILE/,
      );
      const insecure = await collect([...base, "--insecure", "--out", join(tmp, "b")]);
      assert.equal(insecure.code, 0, insecure.text);
      const ca = await collect([...base, "--ca", tls.certFile, "--out", join(tmp, "c")]);
      assert.equal(ca.code, 0, ca.text);
      assert.equal(ow.served.length, 2);
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);

Deno.test(
  "collect: a missing or rejected key is a clear error before anything is written",
  opts,
  async () => {
    const ow = await standin();
    const tmp = await Deno.makeTempDir({ prefix: "collect-key-" });
    try {
      const base = ["--runtime", "wasm", "--apihost", ow.apihost, "--out", join(tmp, "ds")];
      const missing = await collect(base);
      assert.equal(missing.code, 1);
      assert.match(
        missing.text,
        /error: No OpenWhisk key: give --auth, set __OW_API_KEY, or put AUTH in \/nonexistent\/\.wskprops/,
      );
      const wrong = await collect([...base, "--auth", `guest:${SECRET}`]);
      assert.equal(wrong.code, 1);
      assert.match(
        wrong.text,
        /error: OpenWhisk at http:\/\/127\.0\.0\.1:\d+ rejected the key from --auth \(HTTP 401: The supplied authentication is invalid\)/,
      );
      const env = await collect(base, { __OW_API_KEY: `guest:${SECRET}` });
      assert.match(env.text, /rejected the key from __OW_API_KEY/);
      for (const t of [missing.text, wrong.text, env.text]) assert.ok(!t.includes(SECRET));
      assert.deepEqual(await parts(join(tmp, "ds")), []);
      assert.equal(ow.counts.invocations, 0);
    } finally {
      await ow.close();
      await Deno.remove(tmp, { recursive: true });
    }
  },
);
