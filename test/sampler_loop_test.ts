/**
 * The sampling loop and part writer with a scripted sample function and clock: numbering of
 * kept samples, failures counted while sampling goes on, parts flushed as it goes, the last
 * part written on stop; and phase markers written into events/.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readDataset } from "../dataset/mod.ts";
import { markEvent, tableWriter } from "../collectors/samplers/mod.ts";
import { runLoop } from "../collectors/samplers/_resource_loop.ts";
import type { SampleRow } from "../collectors/samplers/_sample.ts";

const ROW: SampleRow = {
  sampler: "test",
  target: "a",
  cpu_pct: 1,
  cpu_pct_interval: null,
  mem_bytes: 2,
  mem_limit_bytes: null,
  pids: null,
  state: null,
  vsz_bytes: null,
};

Deno.test("runLoop() numbers kept samples, counts failures and goes on, flushes parts as it goes", async () => {
  const out = await Deno.makeTempDir({ prefix: "whiskbench-loop-" });
  let call = 0;
  // Call 2 finds nothing (not kept), call 3 fails, call 5 comes with the source's own time.
  const sample = () => {
    call++;
    if (call === 2) return Promise.resolve([]);
    if (call === 3) return Promise.reject(new Error("engine gone"));
    return Promise.resolve([{ ...ROW, target: `c${call}`, t_ms: call === 5 ? 42 : undefined }]);
  };
  const warnings: string[] = [];
  let now = 1000;
  const writer = tableWriter(out, "resources", "test");
  const loop = runLoop(sample, writer, {
    experiment: "capacity",
    runtime: "wasm",
    interval: 0.05,
    flushEvery: 0.12,
    clock: () => now += 1000,
    warn: (m) => warnings.push(m),
  });
  while (call < 8) await new Promise((r) => setTimeout(r, 10));
  const counts = await loop.stop();
  assert.deepEqual(warnings, ["sample 3: engine gone"]);
  assert.equal(counts.failures, 1);
  assert.equal(counts.samples, call);
  assert.equal(counts.kept, call - 2);
  assert.ok(writer.parts.length >= 2, `${writer.parts.length} parts`);
  await Deno.writeTextFile(`${out}/dataset.json`, "{}\n");
  const r = (await readDataset(out)).resources.sort("sample");
  assert.equal(r.height, call - 2);
  assert.deepEqual(r.getColumn("target").toArray().slice(0, 4), ["c1", "c4", "c5", "c6"]);
  assert.deepEqual(r.getColumn("sample").toArray().slice(0, 4), [1, 2, 3, 4]);
  assert.deepEqual(r.getColumn("t_ms").toArray().slice(0, 4), [2000, 5000, 42, 7000]);
  assert.ok(counts.period_ms!.mean >= 45, `period ${counts.period_ms!.mean} ms, asked 50`);
  await Deno.remove(out, { recursive: true });
});

Deno.test("markEvent() writes an experiment's phase marker into events/ at once", async () => {
  const out = await Deno.makeTempDir({ prefix: "whiskbench-events-" });
  await markEvent(out, { experiment: "capacity", level: 3, what: "level change" }, () => 7);
  await markEvent(out, { experiment: "capacity", level: 4, what: "level change", t_ms: 9 });
  await Deno.writeTextFile(`${out}/dataset.json`, "{}\n");
  const events = (await readDataset(out)).events.sort("t_ms");
  assert.deepEqual(events.toRecords(), [
    { t_ms: 7, experiment: "capacity", level: 3, what: "level change" },
    { t_ms: 9, experiment: "capacity", level: 4, what: "level change" },
  ]);
  await Deno.remove(out, { recursive: true });
});
