/**
 * dataset/store.ts: dataset.json changed by several processes at once loses nothing, a second
 * collector is refused while the first runs, and a killed one's lock is taken over.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { lockFile, lockForWriting, readMeta, updateMeta, writePart } from "../dataset/mod.ts";
import { openOutput } from "../collectors/output.ts";
import { tableWriter } from "../dataset/part_writer.ts";
import pl from "nodejs-polars";
import { withTinyDisk } from "./_tiny_disk.ts";

const STORE = new URL("../dataset/store.ts", import.meta.url).href;

/** Starts a Deno child running `code` (an ES module importing the store as `store`). */
function child(code: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", `import * as store from ${JSON.stringify(STORE)};\n${code}`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

async function waitForFile(path: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} did not appear in 60 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

Deno.test("updateMeta from three processes at once loses no change", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-store-" });
  const add = (who: string) =>
    `for (let i = 0; i < 25; i++) await store.updateMeta(${JSON.stringify(dir)}, (m) => ` +
    `({ ...m, seen: [...((m?.seen as string[]) ?? []), "${who}" + i] }));`;
  const a = child(add("a")), b = child(add("b"));
  const mine = Array.from(
    { length: 25 },
    (_, i) => updateMeta(dir, (m) => ({ ...m, seen: [...((m?.seen as string[]) ?? []), `c${i}`] })),
  );
  await Promise.all(mine);
  for (const p of [a, b]) {
    const r = await p.output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  }
  const seen = (await readMeta(dir))?.seen as string[];
  assert.equal(seen.length, 75);
  assert.equal(new Set(seen).size, 75);
  // No lock or temporary file is left behind.
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  assert.deepEqual(names, ["dataset.json"]);
});

Deno.test("a second collector into one dataset is refused naming the first; a killed one's lock is taken over", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-store-" });
  const ready = join(dir, "..", `${dir.split("/").pop()}.ready`);
  const holder = child(
    `await store.lockForWriting(${
      JSON.stringify(dir)
    }, "collect", "collect cold-start docker");\n` +
      `await Deno.writeTextFile(${JSON.stringify(ready)}, "");\n` +
      `setInterval(() => {}, 1000);`,
  );
  await waitForFile(ready);
  const options = {
    experiment: "cold_start",
    runtime: "docker",
    workload: "hello",
    parameters: {},
    host: {},
    openwhisk: { apihost: "http://127.0.0.1:1", api: null },
  };
  await assert.rejects(
    openOutput(dir, options),
    (err: Error) => {
      assert.match(err.message, new RegExp(`another collect \\(process ${holder.pid} `));
      assert.match(err.message, /collect cold-start docker/);
      return true;
    },
  );
  // Nothing was written by the refused collector.
  assert.equal(await readMeta(dir), null);
  holder.kill("SIGKILL");
  await holder.status;
  const notes: string[] = [];
  const release = await lockForWriting(dir, "collect", "test", (l) => notes.push(l));
  assert.match(notes.join("\n"), new RegExp(`process ${holder.pid}, which is no longer running`));
  // Re-entrant within one process (a campaign opens one dataset for several experiments).
  const again = await lockForWriting(dir, "collect", "test");
  await again();
  await Deno.stat(lockFile(dir, "collect"));
  await release();
  await assert.rejects(Deno.stat(lockFile(dir, "collect")), Deno.errors.NotFound);
});

Deno.test("readMeta names the file of a dataset.json that is not a JSON object", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-store-" });
  assert.equal(await readMeta(dir), null);
  await Deno.writeTextFile(join(dir, "dataset.json"), "{ not json");
  await assert.rejects(readMeta(dir), new RegExp(`${dir}/dataset.json: not JSON`));
  await Deno.writeTextFile(join(dir, "dataset.json"), "[1, 2]");
  await assert.rejects(
    readMeta(dir),
    /dataset.json: the top level is an array, expected a JSON object/,
  );
});

Deno.test("writePart leaves no temporary file and names the part when it cannot write", async () => {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-store-" });
  const frame = pl.DataFrame({ runtime: ["wasm"], us: [1.5] });
  const [path] = await writePart(dir, "timings", "a", frame);
  assert.equal(pl.readParquet(path).height, 1);
  // A part whose folder is a file: the error names the part.
  await Deno.writeTextFile(join(dir, "events"), "");
  await assert.rejects(writePart(dir, "events", "b", frame), /events/);
  const names: string[] = [];
  for await (const e of Deno.readDir(join(dir, "timings"))) names.push(e.name);
  assert.deepEqual(names, ["a.parquet"]);
});

Deno.test("a full disk: the part writer says so plainly, keeps the parts written, leaves no temporary file", async (t) => {
  const ran = await withTinyDisk(256, async (dir) => {
    const w = tableWriter(dir, "timings", "t");
    let error: Error | null = null;
    let rows = 0;
    // Parts of ~40 KB of incompressible text until the 256 KiB disk is full.
    for (let part = 0; part < 50 && !error; part++) {
      for (let i = 0; i < 400; i++) {
        w.push({
          runtime: crypto.randomUUID() + crypto.randomUUID(),
          action: "a",
          phase: "init",
          run: 1,
          us: i,
        });
        rows++;
      }
      w.flushSoon(); // as a timer does: no unhandled rejection may escape
      try {
        await w.flush();
      } catch (err) {
        error = err as Error;
      }
    }
    assert.ok(error, "the disk never filled");
    assert.match(
      error.message,
      /^Cannot write .*timings\/t\.\d{4}\.parquet: no space left on device$/,
    );
    assert.ok(w.parts.length > 0 && w.lost > 0);
    assert.equal(w.rows + w.lost, rows);
    const names: string[] = [];
    for await (const e of Deno.readDir(join(dir, "timings"))) names.push(e.name);
    assert.deepEqual(names.filter((n) => !n.endsWith(".parquet")), []);
    assert.equal(pl.concat(w.parts.map((p) => pl.readParquet(p))).height, w.rows);
  });
  if (!ran) {
    t.step({ name: "skipped: tmpfs cannot be mounted here (needs root)", ignore: true, fn() {} });
  }
});
