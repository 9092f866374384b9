/**
 * The record importer's parts, written a partition folder at a time (dataset/activation_groups.ts),
 * against the same rows built by the full parser and written by writePart (which splits a
 * frame by folder in memory): the same files, row for row.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { join, relative } from "node:path";
import { ACTIVATION_COLUMNS, activationRow, FrameBuilder, writePart } from "../dataset/mod.ts";
import { partPaths } from "../dataset/partitions.ts";
import {
  importRecordFile,
  RECORD_CONTEXT,
  RECORD_FORMATS,
  recordImportColumns,
  type RecordImportOptions,
} from "../ingest/formats/openwhisk_records.ts";
import { record } from "./_raw_logs.ts";

/** Records of three kinds (one with none), cold and warm, in a mixed order. */
function records(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const kinds = ["go:1.20", "nodejs:20", null];
  for (let i = 0; i < 12; i++) {
    const r = record({ id: `id${i}`, wait: i + 1, init: i % 3 === 0 ? 40 + i : undefined });
    const annotations = r.annotations as { key: string; value: unknown }[];
    const kind = kinds[(i * 7) % 3];
    const at = annotations.findIndex((a) => a.key === "kind");
    if (kind === null) annotations.splice(at, 1);
    else annotations[at].value = kind;
    out.push(r);
  }
  return out;
}

/** Each part file of `dir`'s activations, by its path inside the table, as a frame. */
async function parts(dir: string): Promise<Map<string, pl.DataFrame>> {
  const table = join(dir, "activations");
  const found = new Map<string, pl.DataFrame>();
  for (const path of await partPaths(table)) found.set(relative(table, path), pl.readParquet(path));
  return found;
}

for (
  const [name, options, spaced] of [
    ["runtime from the kind", {}, false],
    ["a runtime given", { runtime: "wasm" }, false],
    ["a record the fast path declines in a part", {}, true],
  ] as [string, RecordImportOptions, boolean][]
) {
  Deno.test(`importRecordFile() writes the full parser's rows into each folder: ${name}`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const all = records();
      // Spaces make a record not canonical: the fast path declines it, JSON.parse reads it.
      const lines = all.map((r, i) => JSON.stringify(r, null, spaced && i === 4 ? 1 : undefined));
      const bytes = new TextEncoder().encode(`[${lines.join(",\n")}]`);
      const got = join(dir, "got"), want = join(dir, "want"), partRows = 5;
      const read = await importRecordFile(
        (async function* () {
          yield bytes.slice(0, 900); // a record cut in two: read again whole
          yield bytes.slice(900);
        })(),
        "x.json",
        "array",
        options,
        { dir: got, stem: "x", partRows },
      );
      assert.deepEqual(read, { rows: all.length, notActions: 0 });
      for (let p = 0; p * partRows < all.length; p++) {
        const b = new FrameBuilder(ACTIVATION_COLUMNS);
        for (const r of all.slice(p * partRows, (p + 1) * partRows)) {
          b.push(activationRow(r, RECORD_CONTEXT, "here"));
        }
        const frame = recordImportColumns(b.toFrame(), RECORD_FORMATS.array, options);
        await writePart(want, "activations", `x.${String(p + 1).padStart(4, "0")}`, frame);
      }
      const [g, w] = [await parts(got), await parts(want)];
      assert.deepEqual([...g.keys()], [...w.keys()]);
      // 3 parts of up to 6 folders (3 kinds, cold or warm), or 2 with one runtime.
      assert.equal(w.size, options.runtime ? 5 : 8);
      for (const [path, frame] of w) {
        assert.deepEqual(g.get(path)!.toRecords(), frame.toRecords(), path);
      }
      const leftover = [];
      for await (const e of Deno.readDir(join(got, "activations"))) {
        if (e.isFile) leftover.push(e.name);
      }
      assert.deepEqual(leftover, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
