/**
 * The guard in front of every folder whiskbench writes as a whole (dataset/folder.ts), through
 * the real CLI: nothing of the user's is deleted, an input is never overwritten, relative
 * paths are the user's own, and a replaced dataset or report is the old one or the new one,
 * whole, whenever the process is killed.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { claimOutput, MARKER, ownerOf, repairLeftovers, within } from "../dataset/folder.ts";
import { claimWork } from "../cli/bench.ts";
import { readDataset } from "../dataset/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const RAW = join(ROOT, "data/raw/thesis");

/** Runs a task's script as `deno task` would (cwd: the project root), typed in `cwd`. */
async function task(
  script: string,
  args: string[],
  cwd = ROOT,
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(ROOT, script), ...args],
    cwd: ROOT,
    env: { INIT_CWD: cwd, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: r.code, out: text.decode(r.stdout), err: text.decode(r.stderr) };
}

/** A raw folder holding the thesis's cold-start logs only (or also its capacity logs). */
async function rawSubset(dir: string, withCapacity = false): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  for await (const e of Deno.readDir(RAW)) {
    if (/cold_start/.test(e.name) || (withCapacity && /capacity/.test(e.name))) {
      await Deno.copyFile(join(RAW, e.name), join(dir, e.name));
    }
  }
  return dir;
}

/** Every file under `dir` (relative path -> SHA-256), to compare folders whole. */
async function fingerprint(dir: string, skip: RegExp = /^$/): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string) {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (!skip.test(relative(dir, p))) {
        out.set(
          relative(dir, p),
          createHash("sha256").update(await Deno.readFile(p)).digest("hex"),
        );
      }
    }
  }
  await walk(dir);
  return new Map([...out].sort());
}

function sameFiles(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

async function names(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) found.push(e.name);
  return found.sort();
}

Deno.test("ingest --out . or .. at the project root is refused and deletes nothing", async () => {
  const raw = await rawSubset(await Deno.makeTempDir({ prefix: "whiskbench-guard-" }));
  const before = await names(ROOT);
  for (const out of [".", "..", "data/..", ROOT]) {
    const r = await task("cli/ingest.ts", [raw, "--out", out]);
    assert.equal(r.code, 1, `--out ${out}: ${r.err}`);
    // `..` may hold the temporary input too (a clone in /tmp): either refusal will do.
    assert.match(r.err, out === ".." ? /holds this project|holds the input/ : /holds this project/);
  }
  assert.deepEqual(await names(ROOT), before);
  assert.ok((await Deno.lstat(join(ROOT, ".git"))) !== null);
});

Deno.test("relative paths are the user's own: --out . in a folder is refused, --out ds lands there", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
  await rawSubset(join(home, "raw"));
  await Deno.writeTextFile(join(home, "thesis-notes.txt"), "mine\n");
  const elsewhere = await rawSubset(await Deno.makeTempDir({ prefix: "whiskbench-guard-" }));
  const dot = await task("cli/ingest.ts", [elsewhere, "--out", "."], home);
  assert.equal(dot.code, 1);
  assert.match(dot.err, /your working folder/);
  assert.equal(await Deno.readTextFile(join(home, "thesis-notes.txt")), "mine\n");
  const sub = join(home, "sub");
  await Deno.mkdir(sub);
  const up = await task("cli/ingest.ts", ["../raw", "--out", ".."], sub);
  assert.equal(up.code, 1, up.err);
  const ok = await task("cli/ingest.ts", ["raw", "--out", "ds"], home);
  assert.equal(ok.code, 0, ok.err);
  assert.equal((await readDataset(join(home, "ds"))).activations.height, 2160);
  await assert.rejects(Deno.stat(join(ROOT, "ds")), Deno.errors.NotFound);
  // The report and tables tasks read --data and DIR from the user's folder too.
  const rep = await task("cli/report.ts", ["--data", "ds", "--out", "rep", "--no-export"], home);
  assert.equal(rep.code, 0, rep.err);
  assert.equal(await ownerOf(join(home, "rep")), "report");
  const tab = await task("cli/tables.ts", ["ds", "--out", "t"], home);
  assert.equal(tab.code, 0, tab.err);
  assert.ok((await names(join(home, "t", "tables"))).includes("cold_start_docker.csv"));
});

Deno.test("an output that is, holds or lies in an input, or holds foreign files, is refused", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
  const raw = await rawSubset(join(home, "raw"));
  const ds = join(home, "ds");
  assert.equal((await task("cli/ingest.ts", [raw, "--out", ds])).code, 0);
  const mine = join(home, "mine");
  await Deno.mkdir(join(mine, "activations"), { recursive: true });
  await Deno.writeTextFile(join(mine, "activations", "keep.txt"), "mine\n");
  await Deno.mkdir(join(mine, "tables"));
  await Deno.writeTextFile(join(mine, "tables", "keep.txt"), "mine\n");
  const report = join(home, "rep");
  assert.equal(
    (await task("cli/report.ts", ["--data", ds, "--out", report, "--no-export"])).code,
    0,
  );
  const rawPrint = await fingerprint(raw);
  const dsPrint = await fingerprint(ds);
  const cases: [string, string[], RegExp][] = [
    ["cli/ingest.ts", [raw, "--out", raw], /inside the input/],
    ["cli/ingest.ts", [raw, "--out", join(raw, "ds")], /inside the input/],
    ["cli/ingest.ts", [raw, "--out", home], /holds the input/],
    ["cli/ingest.ts", [raw, "--out", mine], /did not write/],
    ["cli/ingest.ts", [raw, "--out", report], /holds a whiskbench report, not a dataset/],
    ["cli/ingest.ts", [raw, "--out", join(raw, "1_docker_cold_start.log")], /inside the input/],
    ["cli/report.ts", ["--data", ds, "--out", ds, "--no-export"], /inside the input/],
    ["cli/report.ts", ["--data", ds, "--out", join(ds, "report"), "--no-export"], /inside/],
    ["cli/report.ts", ["--data", ds, "--out", mine, "--no-export"], /did not write/],
    ["cli/report.ts", ["--data", ds, "--out", raw, "--no-export"], /did not write/],
    ["cli/report.ts", ["--data", ds, "--out", home, "--no-export"], /holds the input/],
    ["cli/tables.ts", [ds, "--out", mine], /did not write/],
  ];
  for (const [script, args, message] of cases) {
    const r = await task(script, args);
    assert.equal(r.code, 1, `${script} ${args.join(" ")}: exit ${r.code} ${r.err}`);
    assert.match(r.err, message, `${script} ${args.join(" ")}`);
  }
  assert.ok(sameFiles(await fingerprint(raw), rawPrint));
  assert.ok(sameFiles(await fingerprint(ds), dsPrint));
  assert.equal(await Deno.readTextFile(join(mine, "activations", "keep.txt")), "mine\n");
  assert.deepEqual((await names(home)).filter((n) => n.startsWith(".")), []);
});

Deno.test("notebooks --out: a user's notebook of the same name is never replaced; runs share their own folder", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-notebooks-" });
  const overview = join(ROOT, "notebooks", "00_overview.ipynb");
  // A folder of the user's own, with a notebook the run would write over.
  const mine = join(home, "mine");
  await Deno.mkdir(mine);
  await Deno.writeTextFile(join(mine, "00_overview.ipynb"), "my own notes\n");
  const cases: [string[], string, RegExp][] = [
    [[overview, "--out", mine], ROOT, /did not write/],
    [[overview, "--out", "."], home, /working folder/],
    [[overview, "--out", join(ROOT, "notebooks")], ROOT, /holds the input .*00_overview\.ipynb/],
    [[overview, "--out", join(ROOT, "data")], ROOT, /holds the input .*data\/thesis/],
    [[overview, "--clean", "--out", mine], ROOT, /did not write/],
  ];
  const before = await fingerprint(join(ROOT, "notebooks"));
  for (const [args, cwd, message] of cases) {
    const r = await task("cli/notebooks.ts", args, cwd);
    assert.equal(r.code, 1, `notebooks ${args.join(" ")}: exit ${r.code} ${r.err}`);
    assert.match(r.err, message, `notebooks ${args.join(" ")}`);
  }
  assert.equal(await Deno.readTextFile(join(mine, "00_overview.ipynb")), "my own notes\n");
  assert.deepEqual(await names(mine), ["00_overview.ipynb"]);
  assert.ok(sameFiles(await fingerprint(join(ROOT, "notebooks")), before));

  // Relative to the folder it was typed in; a second run writes into the folder the first made.
  const clean = await task("cli/notebooks.ts", [overview, "--clean", "--out", "nb"], home);
  assert.equal(clean.code, 0, clean.err);
  const run = await task("cli/notebooks.ts", [overview, "--out", "nb"], home);
  assert.equal(run.code, 0, run.err);
  assert.deepEqual(await names(join(home, "nb")), [".whiskbench", "00_overview.ipynb"]);
  assert.equal(await ownerOf(join(home, "nb")), "notebooks");

  // A link planted in the folder under a notebook's name is replaced, not written through to
  // the file it names (a user's, elsewhere); notebooks land whole, nothing partial is left.
  const precious = join(home, "precious.ipynb");
  await Deno.writeTextFile(precious, "not a notebook of whiskbench's\n");
  await Deno.remove(join(home, "nb", "00_overview.ipynb"));
  await Deno.symlink(precious, join(home, "nb", "00_overview.ipynb"));
  const again = await task("cli/notebooks.ts", [overview, "--clean", "--out", "nb"], home);
  assert.equal(again.code, 0, again.err);
  assert.equal(await Deno.readTextFile(precious), "not a notebook of whiskbench's\n");
  assert.ok((await Deno.lstat(join(home, "nb", "00_overview.ipynb"))).isFile);
  assert.equal(
    await Deno.readTextFile(join(home, "nb", "00_overview.ipynb")),
    await Deno.readTextFile(overview),
  );
  assert.deepEqual(await names(join(home, "nb")), [".whiskbench", "00_overview.ipynb"]);
});

Deno.test("bench --work: a folder of the user's is refused before anything in it is removed; its own cache is kept", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-bench-" });
  // The benchmarks remove out/compare in their folder: here it is the user's.
  const mine = join(home, "mine");
  await Deno.mkdir(join(mine, "out", "compare"), { recursive: true });
  await Deno.writeTextFile(join(mine, "out", "compare", "keep.txt"), "mine\n");
  await Deno.writeTextFile(join(mine, "notes.txt"), "mine\n");
  const cases: [string, string, RegExp][] = [[mine, ROOT, /did not write/], [".", home, /working/]];
  for (const [work, cwd, message] of cases) {
    const r = await task("cli/bench.ts", ["--quick", "--only", "5", "--work", work], cwd);
    assert.equal(r.code, 1, `--work ${work}: exit ${r.code} ${r.err}`);
    assert.match(r.err, message);
  }
  assert.equal(await Deno.readTextFile(join(mine, "out", "compare", "keep.txt")), "mine\n");
  assert.deepEqual(await names(mine), ["notes.txt", "out"]);

  // A cache of the benchmarks made before the marker: recognised by its names, kept, marked.
  const cache = join(home, "cache");
  await Deno.mkdir(join(cache, "raw-2000000-1000000-1"), { recursive: true });
  await Deno.mkdir(join(cache, "out", "compare"), { recursive: true });
  for (const f of ["raw-2000000-1000000-1.complete.json", "results.json", "wrk_keep.lua"]) {
    await Deno.writeTextFile(join(cache, f), "{}");
  }
  assert.equal(await claimWork(cache), cache);
  assert.equal(await ownerOf(cache), "bench");
  assert.deepEqual(await names(cache), [
    ".whiskbench",
    "out",
    "raw-2000000-1000000-1",
    "raw-2000000-1000000-1.complete.json",
    "results.json",
    "wrk_keep.lua",
  ]);
  // A folder of only out/ and results.json is not taken for an old cache.
  const bare = join(home, "bare");
  await Deno.mkdir(join(bare, "out"), { recursive: true });
  await Deno.writeTextFile(join(bare, "results.json"), "{}");
  await assert.rejects(claimWork(bare), /did not write/);
  assert.deepEqual(await names(bare), ["out", "results.json"]);
  // A new folder is made and marked; a marked one is taken again.
  const fresh = join(home, "fresh");
  assert.equal(await claimWork(fresh), await Deno.realPath(fresh));
  assert.equal(await claimWork(fresh), await Deno.realPath(fresh));
  assert.equal(await ownerOf(fresh), "bench");

  // The results replace a link planted under their name, never write through it.
  const precious = join(home, "precious.txt");
  await Deno.writeTextFile(precious, "mine\n");
  await Deno.symlink(precious, join(fresh, "results.json"));
  const run = await task("cli/bench.ts", ["--quick", "--only", "5", "--work", fresh], home);
  assert.equal(run.code, 0, run.err);
  assert.equal(await Deno.readTextFile(precious), "mine\n");
  assert.ok((await Deno.lstat(join(fresh, "results.json"))).isFile);
  assert.ok(Array.isArray(JSON.parse(await Deno.readTextFile(join(fresh, "results.json"))).rows));
  assert.ok(!(await names(fresh)).some((n) => /\.(partial|tmp)$/.test(n)));

  // A folder another user owns (as one made first in the shared temporary directory) is
  // refused, marked as the benchmarks' or not, and left as it is. Only root can make one.
  if (Deno.uid() === 0) {
    const theirs = join(home, "theirs");
    await claimWork(theirs);
    await Deno.symlink(precious, join(theirs, "results.json"));
    await Deno.chown(theirs, 65534, 65534);
    await assert.rejects(claimWork(theirs), /belongs to another user \(uid 65534\)/);
    const refused = await task("cli/bench.ts", ["--quick", "--only", "5", "--work", theirs], home);
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, /belongs to another user/);
    assert.deepEqual(await names(theirs), [".whiskbench", "results.json"]);
    assert.equal(await Deno.readTextFile(precious), "mine\n");
  }
});

Deno.test("a report replaces an older report whole: no stale table or figure stays beside it", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
  const ds = join(home, "ds");
  assert.equal(
    (await task("cli/ingest.ts", [await rawSubset(join(home, "raw")), "--out", ds])).code,
    0,
  );
  const out = join(home, "rep");
  assert.equal((await task("cli/report.ts", ["--data", ds, "--out", out, "--no-export"])).code, 0);
  await Deno.writeTextFile(join(out, "tables", "stale_table.csv"), "x\n1\n");
  await Deno.writeTextFile(join(out, "figures", "figure_99.json"), "{}\n");
  assert.equal((await task("cli/report.ts", ["--data", ds, "--out", out, "--no-export"])).code, 0);
  const files = await names(join(out, "tables"));
  assert.ok(!files.includes("stale_table.csv"));
  assert.ok(!(await names(join(out, "figures"))).includes("figure_99.json"));
  assert.ok(files.includes("cold_start_docker.csv"));
});

Deno.test("re-ingesting keeps what ingest does not write (published.json, notes)", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
  const raw = await rawSubset(join(home, "raw"));
  const ds = join(home, "ds");
  assert.equal((await task("cli/ingest.ts", [raw, "--out", ds])).code, 0);
  await Deno.writeTextFile(join(ds, "published.json"), "{}\n");
  await Deno.mkdir(join(ds, "notes"));
  await Deno.writeTextFile(join(ds, "notes", "a.md"), "note\n");
  await Deno.writeTextFile(join(ds, "activations", "stale.parquet"), "not parquet");
  assert.equal((await task("cli/ingest.ts", [raw, "--out", ds])).code, 0);
  assert.equal(await Deno.readTextFile(join(ds, "published.json")), "{}\n");
  assert.equal(await Deno.readTextFile(join(ds, "notes", "a.md")), "note\n");
  assert.equal((await readDataset(ds)).activations.height, 2160);
});

Deno.test("an --out that is a link to a folder elsewhere is written there, the link kept; a dangling one is refused", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
  const raw = await rawSubset(join(home, "raw"));
  // The user's link to a folder on another disk: empty at first, then a dataset.
  const disk = join(home, "disk", "prod");
  await Deno.mkdir(disk, { recursive: true });
  const link = join(home, "prod");
  await Deno.symlink(disk, link);
  for (let i = 0; i < 2; i++) {
    const run = await task("cli/ingest.ts", [raw, "--out", link]);
    assert.equal(run.code, 0, run.err);
    assert.ok((await Deno.lstat(link)).isSymlink);
    assert.equal(await Deno.readLink(link), disk);
    assert.equal((await readDataset(disk)).activations.height, 2160);
  }
  assert.deepEqual(await names(home), ["disk", "prod", "raw"]);
  const dangling = join(home, "gone");
  await Deno.symlink(join(home, "nowhere"), dangling);
  const refused = await task("cli/ingest.ts", [raw, "--out", dangling]);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /is a symbolic link to nothing/);
  assert.ok((await Deno.lstat(dangling)).isSymlink);
  await Deno.remove(home, { recursive: true });
});

Deno.test("leftovers of killed runs are removed, a half-swapped folder put back, live runs' left alone", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
  const target = join(home, "ds");
  const dead = await deadPid();
  await Deno.mkdir(join(home, `.ds.whiskbench-${dead}.new`, "activations"), { recursive: true });
  await Deno.writeTextFile(join(home, `.ds.whiskbench-${dead}.new`, "dataset.json"), "{}\n");
  await Deno.mkdir(join(home, `.ds.whiskbench-${dead}.old`));
  await Deno.writeTextFile(join(home, `.ds.whiskbench-${dead}.old`, "dataset.json"), "[]\n");
  await Deno.mkdir(join(home, `.ds.whiskbench-${Deno.pid}.new`));
  await Deno.mkdir(join(home, `.other.whiskbench-${dead}.new`));
  await Deno.mkdir(join(home, `.ds.whiskbench-x.new`));
  const notes = await repairLeftovers(target);
  assert.equal(notes.length, 2, notes.join("\n"));
  // The target was missing and the swap had begun: the new folder (whole) is put back.
  assert.equal(await Deno.readTextFile(join(target, "dataset.json")), "{}\n");
  assert.deepEqual(await names(home), [
    `.ds.whiskbench-${Deno.pid}.new`,
    ".ds.whiskbench-x.new",
    `.other.whiskbench-${dead}.new`,
    "ds",
  ]);
});

/** A process id that no process has now. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  for (let pid = child.pid;; pid++) {
    try {
      await Deno.stat(`/proc/${pid}`);
    } catch {
      return pid;
    }
  }
}

Deno.test({
  name: "kill -9 at random instants of ingest and report: the output is the old or the new, whole",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
    const rawA = await rawSubset(join(home, "rawA"));
    const rawB = await rawSubset(join(home, "rawB"), true);
    const ds = join(home, "ds");
    const dsB = join(home, "dsB");
    assert.equal((await task("cli/ingest.ts", [rawB, "--out", dsB])).code, 0);
    const t0 = performance.now();
    assert.equal((await task("cli/ingest.ts", [rawA, "--out", ds])).code, 0);
    const ingestMs = performance.now() - t0;
    const old = await fingerprint(ds);
    const fresh = await fingerprint(dsB);
    assert.ok(!sameFiles(old, fresh));

    // Reports of the two datasets: provenance.json and the page's provenance block carry a time.
    const rep = join(home, "rep");
    const repB = join(home, "repB");
    const noTime = /^(provenance\.json|report\.html)$/;
    assert.equal(
      (await task("cli/report.ts", ["--data", dsB, "--out", repB, "--no-export"])).code,
      0,
    );
    const t1 = performance.now();
    assert.equal(
      (await task("cli/report.ts", ["--data", ds, "--out", rep, "--no-export"])).code,
      0,
    );
    const reportMs = performance.now() - t1;
    const oldReport = await fingerprint(rep, noTime);
    const newReport = await fingerprint(repB, noTime);
    assert.ok(!sameFiles(oldReport, newReport));

    let sawOld = 0, sawNew = 0;
    const trials = 20;
    for (let i = 0; i < trials; i++) {
      for (const kind of ["ingest", "report"] as const) {
        const args = kind === "ingest"
          ? ["run", "-A", join(ROOT, "cli/ingest.ts"), rawB, "--out", ds]
          : ["run", "-A", join(ROOT, "cli/report.ts"), "--data", dsB, "--out", rep, "--no-export"];
        const child = new Deno.Command(Deno.execPath(), {
          args,
          cwd: ROOT,
          stdout: "null",
          stderr: "null",
        }).spawn();
        // A random instant within one whole run's time (startup included).
        const at = Math.random() * 1.1 * (kind === "ingest" ? ingestMs : reportMs);
        const finished = await Promise.race([
          child.status.then(() => true),
          new Promise<false>((r) => setTimeout(() => r(false), at)),
        ]);
        if (!finished) {
          // It may end between the timer and the kill: then there is nothing to kill.
          try {
            child.kill("SIGKILL");
          } catch (err) {
            if (!/already terminated/.test(String(err))) throw err;
          }
        }
        await child.status;
        const target = kind === "ingest" ? ds : rep;
        const now = await fingerprint(target, kind === "ingest" ? /^$/ : noTime);
        const [a, b] = kind === "ingest" ? [old, fresh] : [oldReport, newReport];
        const isOld = sameFiles(now, a), isNew = sameFiles(now, b);
        assert.ok(
          isOld || isNew,
          `${kind} trial ${i}: killed at ${at.toFixed(0)} ms, neither whole`,
        );
        if (isOld) sawOld++;
        else sawNew++;
        // Put the old output back for the next trial, through the guard's own replace.
        await repairLeftovers(target);
        if (isNew) {
          const again = kind === "ingest"
            ? await task("cli/ingest.ts", [rawA, "--out", ds])
            : await task("cli/report.ts", ["--data", ds, "--out", rep, "--no-export"]);
          assert.equal(again.code, 0, again.err);
        }
      }
    }
    // The leftovers of the killed runs are gone once the next run has looked.
    assert.deepEqual((await names(home)).filter((n) => n.startsWith(".")), []);
    assert.ok(sawOld > 0, `${sawOld} old, ${sawNew} new`);
  },
});

Deno.test({
  name: "killing `deno task` outright stops its child and removes the folder it was building",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-" });
    const script = join(home, "hang.ts");
    const folder = new URL("../dataset/folder.ts", import.meta.url).href;
    await Deno.writeTextFile(
      script,
      `import { exitWithParent, replaceFolder } from ${JSON.stringify(folder)};\n` +
        `exitWithParent();\n` +
        `await replaceFolder(${JSON.stringify(join(home, "out"))}, "report", async (dir) => {\n` +
        `  await Deno.writeTextFile(${JSON.stringify(join(home, "pid"))}, String(Deno.pid));\n` +
        `  await new Promise(() => setInterval(() => {}, 1000));\n` +
        `});\n`,
    );
    await Deno.writeTextFile(
      join(home, "deno.json"),
      JSON.stringify({ tasks: { hang: `${Deno.execPath()} run -A ${script}` } }),
    );
    const taskProcess = new Deno.Command(Deno.execPath(), {
      args: ["task", "--config", join(home, "deno.json"), "hang"],
      cwd: home,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const pid = await waitFor(async () => Number(await Deno.readTextFile(join(home, "pid"))));
    assert.ok((await names(home)).some((n) => /^\.out\.whiskbench-\d+\.new$/.test(n)));
    taskProcess.kill("SIGKILL");
    await taskProcess.status;
    await waitFor(async () => {
      try {
        await Deno.stat(`/proc/${pid}`);
        return 0;
      } catch {
        return 1;
      }
    });
    assert.deepEqual(
      (await names(home)).filter((n) => n.startsWith(".")),
      [],
      "the folder in flight was removed",
    );
  },
});

/** Polls `probe` until it returns a positive number (bounded: 60 s). */
async function waitFor(probe: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = await probe().catch(() => 0);
    if (v > 0) return v;
    if (Date.now() > deadline) throw new Error("condition not met in 60 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("within() and the report's own marker", () => {
  assert.ok(within("/a/b", "/a"));
  assert.ok(within("/a", "/a"));
  assert.ok(!within("/ab", "/a"));
  assert.ok(!within("/a", "/a/b"));
});

Deno.test("a marker that is not a regular file marks nothing; the marker is written whole, never through a link", async () => {
  const home = await Deno.makeTempDir({ prefix: "whiskbench-guard-marker-" });
  // A link planted under the marker's name, to a user's file that reads like a marker: the
  // folder is not taken for whiskbench's, and the user's file keeps its bytes.
  const precious = join(home, "precious.txt");
  await Deno.writeTextFile(precious, "notebooks\n");
  const linked = join(home, "linked");
  await Deno.mkdir(linked);
  await Deno.symlink(precious, join(linked, MARKER));
  assert.equal(await ownerOf(linked), "foreign");
  await assert.rejects(claimOutput(linked, "notebooks"), /did not write/);
  assert.equal(await Deno.readTextFile(precious), "notebooks\n");
  assert.ok((await Deno.lstat(join(linked, MARKER))).isSymlink);

  // A FIFO there is not read (the read would wait for a writer forever).
  const piped = join(home, "piped");
  await Deno.mkdir(piped);
  const fifo = await new Deno.Command("mkfifo", { args: [join(piped, MARKER)] }).output();
  assert.equal(fifo.code, 0);
  assert.equal(await ownerOf(piped), "foreign");

  // A fresh folder gets a regular marker and nothing else.
  const fresh = await claimOutput(join(home, "fresh"), "notebooks");
  assert.ok((await Deno.lstat(join(fresh, MARKER))).isFile);
  assert.equal(await Deno.readTextFile(join(fresh, MARKER)), "notebooks\n");
  assert.deepEqual([...Deno.readDirSync(fresh)].map((e) => e.name), [MARKER]);
  assert.equal(await ownerOf(fresh), "notebooks");
  await Deno.remove(home, { recursive: true });
});
