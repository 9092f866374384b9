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

/** Kinds of the records: one to be escaped in a folder name, and none. */
const KINDS = ["go:1.20", "nodejs:20", "blackbox/x=1 %", null];

/** Records of each kind of {@linkcode KINDS}, cold and warm, in a mixed order. */
function records(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const kinds = KINDS;
  for (let i = 0; i < 12; i++) {
    const r = record({ id: `id${i}`, wait: i + 1, init: i % 3 === 0 ? 40 + i : undefined });
    const annotations = r.annotations as { key: string; value: unknown }[];
    const kind = kinds[(i * 7) % kinds.length];
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
      // A file a part and folder: (part, cold, runtime) as the records hold them.
      const folders = new Set(all.map((r, i) => {
        const ann = r.annotations as { key: string; value: unknown }[];
        const kind = options.runtime ?? ann.find((a) => a.key === "kind")?.value ?? "unknown";
        return `${Math.floor(i / partRows)} ${ann.some((a) => a.key === "initTime")} ${kind}`;
      }));
      assert.equal(w.size, folders.size);
      assert.ok(w.size >= (options.runtime ? 5 : 8));
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

Deno.test("importRecordFile() gives a record whose kind is empty the runtime unknown, as one without a kind", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const all = records().slice(0, 4);
    for (const r of all) {
      const ann = r.annotations as { key: string; value: unknown }[];
      const kind = ann.find((a) => a.key === "kind");
      if (kind) kind.value = "";
      else ann.push({ key: "kind", value: "" });
    }
    // The fast path declines an empty string, so the full parser reads each; one spaced too.
    const text = all.map((r, i) => JSON.stringify(r).replace(/^\{/, i === 1 ? "{ " : "{"))
      .join("\n");
    const read = await importRecordFile(
      (async function* () {
        yield new TextEncoder().encode(text);
      })(),
      "x.jsonl",
      "lines",
      {},
      { dir, stem: "x", partRows: 10 },
    );
    assert.equal(read.rows, 4);
    const found = await parts(dir);
    const runtimes = [...found.values()].flatMap((f) => f.getColumn("runtime").toArray());
    assert.deepEqual(runtimes, ["unknown", "unknown", "unknown", "unknown"]);
    for (const path of found.keys()) {
      assert.match(path, /^experiment=\w+\/runtime=unknown\/x\.0001\.parquet$/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importRecordFile() refuses a kind no folder can be named by, naming the file, byte and line", async () => {
  for (const spaced of [false, true]) {
    const dir = await Deno.makeTempDir();
    try {
      const all = records().slice(0, 3);
      const ann = all[2].annotations as { key: string; value: unknown }[];
      ann.splice(ann.findIndex((a) => a.key === "kind"), 1, {
        key: "kind",
        value: "k".repeat(300),
      });
      // Spaced, the record is read by the full parser instead of the fast path.
      const lines = all.map((r, i) =>
        JSON.stringify(r).replace(/^\{/, spaced && i === 2 ? "{ " : "{")
      );
      const text = lines.join("\n");
      await assert.rejects(
        importRecordFile(
          (async function* () {
            yield new TextEncoder().encode(text);
          })(),
          "x.jsonl",
          "lines",
          {},
          { dir, stem: "x", partRows: 10 },
        ),
        (e: Error) => {
          const at = lines[0].length + lines[1].length + 2;
          assert.match(
            e.message,
            new RegExp(`^x\\.jsonl byte ${at} \\(line 3\\): runtime "k+"\\.\\.\\. is too long`),
          );
          return true;
        },
      );
      assert.deepEqual(await parts(dir), new Map());
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
