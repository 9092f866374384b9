/**
 * Scratch files and folders go when a command is stopped by a signal (dataset/scratch.ts),
 * tried on real processes: Deno ends a process on SIGINT without running `finally` blocks.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const SCRATCH = new URL("../dataset/scratch.ts", import.meta.url).href;

/** A process that makes a scratch folder and file in `tmp` (and removes them if `done`). */
function start(tmp: string, done: boolean): Deno.ChildProcess {
  const code = `
    import { makeScratchDir, makeScratchFile, removeScratch } from ${JSON.stringify(SCRATCH)};
    const dir = await makeScratchDir({ prefix: "whiskbench-pieces-" });
    await Deno.writeTextFile(dir + "/0.parquet", "x");
    const file = await makeScratchFile({ prefix: "whiskbench-ids-" });
    if (${done}) { await removeScratch(dir); await removeScratch(file); }
    console.log("ready");
    setInterval(() => {}, 1000);
  `;
  return new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { TMPDIR: tmp },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

/** Waits for the process's "ready" line (its scratch made), then sends `signal`. */
async function readyThenSignal(p: Deno.ChildProcess, signal: Deno.Signal) {
  const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`exited before it was ready: ${text}`);
    text += value;
  }
  p.kill(signal);
  while (!(await reader.read()).done) { /* the rest of its output */ }
  return await p.status;
}

Deno.test("scratch is removed when a command is stopped by SIGINT or SIGTERM, with the signal's exit code", async () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const tmp = await Deno.makeTempDir();
    try {
      const status = await readyThenSignal(start(tmp, false), signal);
      assert.equal(status.code, code, signal);
      assert.deepEqual([...Deno.readDirSync(tmp)], [], `${signal}: scratch left`);
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  }
});

Deno.test("with its scratch removed, a command stops on a signal as before", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const status = await readyThenSignal(start(tmp, true), "SIGTERM");
    assert.equal(status.signal, "SIGTERM");
    assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => join(tmp, e.name)), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
