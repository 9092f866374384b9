/**
 * The `2_`/`4_` level lines read as a stream: long lines come in pieces cut at commas and parse
 * to the values of the whole line, a large file becomes numbered parts of bounded size, and the
 * check against a `1_` log reads the derived file line by line.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import { type Line, readLines } from "../ingest/lines.ts";
import { ingest } from "../ingest/mod.ts";
import { readLevelLines } from "../ingest/sample_logs.ts";
import { filesUnder } from "./_hostile_dataset.ts";
import { activationLog, levelLines, rawDir } from "./_raw_logs.ts";

/** The bytes of `text` in chunks of `size`, as a file read a chunk at a time gives them. */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

const TEXT = "1: , 6, 6, 7, 5, 9, 12, 13, 6, 13, 12, 15, 13, 10, 11, 9, 12, \n" +
  "\n" +
  "2: , 11, 11, 11.5, 11, 12, 13, 13, 12, 5, 5, 10, 12, 10, 12, 11, 12, 12, 12, 10, 1\r\n" +
  "3: , 7,";

Deno.test("readLines cuts a line longer than maxChars at commas; the pieces join to the line", async () => {
  const whole = await all(readLines(chunks(TEXT, 1 << 20)));
  for (const size of [1, 3, 7, 16]) {
    const pieces = await all(readLines(chunks(TEXT, size), "x", { maxChars: 10 }));
    assert.ok(pieces.some((p) => p.continued), `chunks of ${size}: some line cut`);
    assert.ok(pieces.every((p) => !p.continued || p.text.length <= 10), "pieces of maxChars");
    const joined: Line[] = [];
    let open = undefined as Line | undefined;
    for (const p of pieces) {
      const line: Line = open
        ? { text: `${open.text},${p.text}`, line: open.line }
        : { text: p.text, line: p.line };
      assert.equal(p.line, line.line, "a piece carries the number of its line");
      open = p.continued ? line : undefined;
      if (!p.continued) joined.push(line);
    }
    assert.equal(open, undefined, "the last line ends");
    assert.deepEqual(joined, whole, `chunks of ${size}`);
  }
  // A line whose last character is the comma it was cut at still ends, with an empty piece.
  const cutAtEnd = await all(readLines(chunks("1: , 1234,", 10), "x", { maxChars: 9 }));
  assert.deepEqual(cutAtEnd, [{ text: "1: , 1234", line: 1, continued: true }, {
    text: "",
    line: 1,
  }]);
});

Deno.test("readLevelLines gives the same values from pieces as from whole lines", async () => {
  const flat = async (maxChars: number, size: number) =>
    (await all(readLevelLines(readLines(chunks(TEXT, size), "f", { maxChars }), "f")))
      .reduce((acc, p) => {
        const last = acc.at(-1);
        if (last && !last.end) last.values.push(...p.values), last.end = p.end;
        else acc.push({ ...p, values: [...p.values] });
        return acc;
      }, [] as { level: number; values: number[]; line: number; end: boolean }[]);
  const whole = await flat(Infinity, 1 << 20);
  assert.deepEqual(whole.map((l) => [l.level, l.line, l.values.length]), [
    [1, 1, 16],
    [2, 3, 20],
    [3, 4, 1],
  ]);
  assert.equal(whole[1].values[2], 11.5);
  for (const [maxChars, size] of [[5, 1], [10, 3], [20, 7]]) {
    assert.deepEqual(await flat(maxChars, size), whole, `pieces of ${maxChars}, chunks of ${size}`);
  }
});

Deno.test("readLevelLines counts values across pieces in its errors; empty middle fields stay errors", async () => {
  const bad = "1: , 1, 2, 3, 4, 5, 6, 7, 8, x9, 10\n";
  const read = (text: string) =>
    all(readLevelLines(readLines(chunks(text, 4), "4_a.log", { maxChars: 6 }), "4_a.log"));
  await assert.rejects(read(bad), /^SyntaxError: 4_a\.log line 1: value 9 is "x9"/);
  await assert.rejects(read("1: , 1, 2, 3,, 4, 5, 6\n"), /4_a\.log line 1: value 4 is ""/);
  await assert.rejects(read("\n\n"), /4_a\.log: empty file/);
});

Deno.test("ingest() writes a 4_ file of more values than a part holds as numbered parts, all rows kept", async () => {
  // 1.2e-7: a value JavaScript writes with an exponent, through the TSV of the numbered parts.
  const values = { 1: [5, 6, 7], 2: [0.1, 8, 9.5, 11], 3: [12e-8] };
  const raw = await rawDir({
    "4_wasm_concurrency_hello.log": levelLines(values),
    "4_docker_concurrency_hello.log": levelLines({ 1: [1, 2] }),
  });
  const out = `${raw}-out`;
  try {
    const report = await ingest(raw, out, { samplePartValues: 3 });
    assert.deepEqual(await filesUnder(`${out}/activations`), [
      "experiment=concurrency/runtime=docker/4_docker_concurrency_hello.parquet",
      "experiment=concurrency/runtime=wasm/4_wasm_concurrency_hello.0001.parquet",
      "experiment=concurrency/runtime=wasm/4_wasm_concurrency_hello.0002.parquet",
      "experiment=concurrency/runtime=wasm/4_wasm_concurrency_hello.0003.parquet",
    ]);
    assert.deepEqual(report.files.map((f) => f.rows), [2, 8]);
    const ds = await readDataset(out);
    const wasm = ds.activations.filter(pl.col("runtime").eq(pl.lit("wasm")))
      .select("level", "wait_ms", "source").sort(["level", "wait_ms"]);
    assert.deepEqual(
      wasm.toRecords(),
      Object.entries(values).flatMap(([level, vs]) =>
        vs.map((v) => ({ level: Number(level), wait_ms: v, source: "warm_samples" }))
      ),
    );
    // Every column of the numbered parts (TSV rows) as in the one frame of a smaller file.
    const one = `${raw}-one`;
    await ingest(raw, one);
    const sorted = async (dir: string) =>
      (await readDataset(dir)).activations.sort(["runtime", "level", "wait_ms"]);
    const [streamed, framed] = [await sorted(out), await sorted(one)];
    await Deno.remove(one, { recursive: true });
    assert.deepEqual(streamed.schema, framed.schema);
    assert.ok(streamed.frameEqual(framed, true), "numbered parts hold the rows of one part");
  } finally {
    await Deno.remove(raw, { recursive: true });
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
});

Deno.test("ingest() checks 2_ and 4_ level lines against the 1_ log line by line", async () => {
  const r = (id: string, wait: number, init?: number) => ({ id, wait, init });
  const raw = await rawDir({
    "1_wasm_concurrency_hash.log": activationLog([[
      { level: 1, records: [r("a", 5)] },
      { level: 2, records: [r("b", 7, 100), r("c", 8), r("d", 9)] },
      { level: 3, records: [r("e", 1), r("f", 2)] },
    ]]),
    // Level 2 in another order, level 3 with another value.
    "2_wasm_concurrency_hash.log": levelLines({ 1: [5], 2: [9, 8, 7], 3: [1, 3] }),
    // Warm waits only: 7 was a cold start. Level 3 one value short.
    "4_wasm_concurrency_hash.log": levelLines({ 1: [5], 2: [8, 9], 3: [1] }),
  });
  const out = `${raw}-out`;
  try {
    const report = await ingest(raw, out);
    const byFile = Object.fromEntries(report.checks.map((c) => [c.file, c]));
    assert.deepEqual(byFile["2_wasm_concurrency_hash.log"], {
      file: "2_wasm_concurrency_hash.log",
      against: "1_wasm_concurrency_hash.log",
      compared: 6,
      agree: false,
      differences: [
        "line 2 (level 2): 3 values; 1_wasm_concurrency_hash.log: 3 (same values, other order)",
        "line 3 (level 3): 2 values; 1_wasm_concurrency_hash.log: 2",
      ],
    });
    assert.deepEqual(byFile["4_wasm_concurrency_hash.log"], {
      file: "4_wasm_concurrency_hash.log",
      against: "1_wasm_concurrency_hash.log",
      compared: 4,
      agree: false,
      differences: ["line 3 (level 3): 1 values; 1_wasm_concurrency_hash.log: 2"],
    });
  } finally {
    await Deno.remove(raw, { recursive: true });
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
});

Deno.test("readLevelLines reads every field as Number() does, whole numbers and others alike", async () => {
  const fields = [
    " 007",
    "12",
    "1e3",
    " +4 ",
    "\t5",
    "2.50",
    ".5",
    "123456789012345",
    "9007199254740991",
  ];
  const [line] = await all(
    readLevelLines(readLines(chunks(`3: , ${fields.join(",")}, \n`, 64)), "f"),
  );
  assert.deepEqual(line.values, fields.map((f) => Number(f.trim())));
  for (const bad of ["-1", "1 2", " ", "0x10", "1_000", "12345678901234567", "1e16"]) {
    await assert.rejects(
      all(readLevelLines(readLines(chunks(`3: , 1,${bad}, 2\n`, 64)), "f")),
      /f line 1: value 2 is/,
      bad,
    );
  }
});
