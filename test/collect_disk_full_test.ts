/**
 * A full disk under a running collection, for real: the dataset on a small tmpfs that the
 * test mounts (root only; skipped elsewhere, saying so). The collector ends with a plain
 * message and exit 1, no stack trace; dataset.json says `failed` with the counts; the parts
 * already written stay whole and readable, and no temporary file or lock is left.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { filesUnder } from "./_hostile_dataset.ts";
import { startStandin } from "./standin/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test({
  name: "collect on a disk that fills: exit 1, a plain message, status failed, parts intact",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "whiskbench-full-" });
    const mounted = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=400k", "tmpfs", dir],
      stderr: "null",
    }).output().then((r) => r.success, () => false);
    if (!mounted) {
      await t.step({
        name: "skipped: a tmpfs cannot be mounted here (needs root)",
        ignore: true,
        fn() {},
      });
      return;
    }
    const actions = ["hello", ...Array.from({ length: 15 }, (_, i) => `hello${i + 1}`)];
    const ow = await startStandin({ actions, idleTimeoutMs: 30_000, initMs: 5 });
    try {
      const out = join(dir, "ds");
      const r = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "collectors/cli.ts",
          "concurrency",
          "--runtime",
          "docker",
          "--levels",
          "15",
          "--step",
          "2",
          "--flush-every",
          "0.2",
          "--out",
          out,
          "--apihost",
          ow.apihost,
          "--auth",
          ow.auth,
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1", HOME: "/nonexistent" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 1, stderr);
      assert.match(stderr, /^error: Cannot write .*\.parquet: no space left on device/m);
      assert.match(stderr, /collection \S+ failed: \d+ rows in \d+ parts kept in /);
      assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
      const meta = JSON.parse(await Deno.readTextFile(join(out, "dataset.json")));
      const [entry] = meta.collections;
      assert.equal(entry.status, "failed");
      assert.match(entry.error, /no space left on device/);
      const ds = await readDataset(out);
      assert.ok(ds.activations.height > 0, "the parts written before the disk filled are read");
      assert.equal(ds.activations.height, entry.counts.rows);
      assert.ok(entry.counts.lost > 0);
      const left = (await filesUnder(out)).filter((f) => f.endsWith(".tmp") || f.endsWith(".lock"));
      assert.deepEqual(left, []);
    } finally {
      await ow.close();
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
