/**
 * `ingest` of other tools' data (ingest/formats/): OpenWhisk activation records (JSON array,
 * JSON lines), SeBS perf-cost results (result.csv, processed JSON) and In-Vitro per-invocation
 * CSVs, from fixtures written for these tests after each tool's own header and shape. Each:
 * format told from content, rows in = rows out, known statistics through the real CLI, and
 * malformed input naming the file and the place.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { dataFile } from "../render/out_path.ts";
import pl from "nodejs-polars";
import { exists, partPaths, readDataset } from "../dataset/mod.ts";
import { basename } from "node:path";
import { detectFileFormat, detectFormat } from "../ingest/formats/detect.ts";
import { jsonValues } from "../ingest/formats/json_values.ts";
import { checkImportedRows, importFiles, WAIT_MS_NOTE } from "../ingest/formats/mod.ts";
import {
  importRecordFile,
  RECORD_PART_ROWS,
  recordImportColumns,
} from "../ingest/formats/openwhisk_records.ts";
import { sebsCsvFrame, sebsCsvRows } from "../ingest/formats/sebs.ts";
import { FrameBuilder, IMPORTED_COLUMNS } from "../dataset/mod.ts";
import { coldStartTable, warmTable } from "../pipeline/latency_tables.ts";
import { records } from "./_frames.ts";
import { quietReport } from "./_quiet_report.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURES = join(ROOT, "test/fixtures/import");
const OW_JSON = join(FIXTURES, "openwhisk/activations.json");
const OW_JSONL = join(FIXTURES, "openwhisk/activations.jsonl");
const SEBS = join(FIXTURES, "sebs");
const INVITRO = join(FIXTURES, "invitro");

const encoder = new TextEncoder(), decoder = new TextDecoder();

async function task(...args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

async function withTemp(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-import-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One byte a chunk: every boundary falls inside a string, an escape and a number once. */
function bytewise(text: string): Uint8Array[] {
  return [...encoder.encode(text)].map((b) => Uint8Array.of(b));
}

async function values(chunks: Iterable<Uint8Array>, layout: "array" | "lines") {
  const out: { value: unknown; offset: number; line: number }[] = [];
  for await (const v of jsonValues(chunks, "x.json", layout)) {
    out.push({ value: JSON.parse(decoder.decode(v.bytes)), offset: v.offset, line: v.line });
  }
  return out;
}

async function rejects(p: Promise<unknown>, message: string) {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.message, message);
    return true;
  });
}

Deno.test("jsonValues() cuts an array into its objects whatever the chunking", async () => {
  const text = await Deno.readTextFile(OW_JSON);
  const whole = await values([encoder.encode(text)], "array");
  assert.deepEqual(whole.map((v) => v.value), JSON.parse(text));
  assert.deepEqual(await values(bytewise(text), "array"), whole);
  // The first object opens on line 2 at byte 4 ("[\n  {").
  assert.deepEqual([whole[0].offset, whole[0].line], [4, 2]);
  assert.equal(text.slice(whole[3].offset, whole[3].offset + 1), "{");
});

Deno.test("jsonValues() reads JSON lines, braces and quotes inside strings included", async () => {
  const text = '{"a":"}\\"{"}\n\n{"b":{"c":["]"]}}\n';
  assert.deepEqual(await values(bytewise(text), "lines"), [
    { value: { a: '}"{' }, offset: 0, line: 1 },
    { value: { b: { c: ["]"] } }, offset: 14, line: 3 },
  ]);
});

Deno.test("jsonValues() names file, byte and line of what breaks the layout", async () => {
  const cases: [string, "array" | "lines", string][] = [
    ['[{"a":1} {"b":2}]', "array", 'x.json byte 9 (line 1): found "{", expected "," or "]"'],
    ['[{"a":1},\n 7]', "array", 'x.json byte 11 (line 2): found "7", expected an object "{"'],
    [
      '[{"a":1}] x',
      "array",
      'x.json byte 10 (line 1): found "x", expected nothing after the closing ]',
    ],
    [
      '[{"a":1},\n{"b":"}',
      "array",
      "x.json byte 17 (line 2): the file ends inside the object opened at byte 10 (line 2): truncated",
    ],
    ['[{"a":1},', "array", "x.json byte 9 (line 1): the file ends before the closing ]: truncated"],
    [
      '{"a":1}\n[1]',
      "lines",
      'x.json byte 8 (line 2): found "[", expected an object "{" (one activation record a line)',
    ],
  ];
  for (const [text, layout, message] of cases) {
    await rejects(values([encoder.encode(text)], layout), message);
  }
});

Deno.test("detectFormat() tells each format from its first bytes, and nothing else", async () => {
  assert.equal(await detectFileFormat(OW_JSON), "openwhisk-json");
  assert.equal(await detectFileFormat(OW_JSONL), "openwhisk-jsonl");
  assert.equal(await detectFileFormat(join(SEBS, "result.csv")), "sebs-csv");
  assert.equal(await detectFileFormat(join(SEBS, "cold_results_256-processed.json")), "sebs-json");
  assert.equal(await detectFileFormat(join(INVITRO, "openwhisk_duration_1.csv")), "invitro-csv");
  assert.equal(await detectFileFormat(join(INVITRO, "knative_duration_1.csv")), "invitro-csv");
  assert.equal(detectFormat("\uFEFF  [\n"), "openwhisk-json");
  assert.equal(detectFormat("a,b,c\n1,2,3\n"), null);
  assert.equal(detectFormat(""), null);
});

Deno.test("an imported record whose kind is Hive's name of a null folder keeps its kind, and the dataset reads", async () => {
  await withTemp(async (dir) => {
    // The kind becomes the runtime's folder: written as Hive's null folder, the dataset was
    // refused by its own reader ("row 1 is ... but the part lies in folder ...").
    const lines = (await Deno.readTextFile(OW_JSONL)).split("\n").filter(Boolean);
    lines[1] = lines[1].replace('"nodejs:20"', '"__HIVE_DEFAULT_PARTITION__"');
    const file = join(dir, "acts.jsonl");
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    await importFiles([file], join(dir, "ds"));
    const rows = (await readDataset(join(dir, "ds"))).activations;
    assert.equal(rows.height, lines.length);
    assert.deepEqual(
      rows.filter(pl.col("runtime").eq(pl.lit("__HIVE_DEFAULT_PARTITION__")))
        .getColumn("activation_id").toArray(),
      [JSON.parse(lines[1]).activationId],
    );
    assert.equal(rows.getColumn("runtime").nullCount(), 0);
  });
});

Deno.test("OpenWhisk records, JSON array and JSON lines: the same rows, cold-start and warm tables known", async () => {
  await withTemp(async (dir) => {
    const fromArray = await importFiles([OW_JSON], join(dir, "a"));
    await importFiles([OW_JSONL], join(dir, "b"));
    // Rows in id order: a file's rows lie in one part per experiment folder.
    const a = (await readDataset(join(dir, "a"))).activations.sort("activation_id");
    const b = (await readDataset(join(dir, "b"))).activations.sort("activation_id");
    assert.equal(a.height, 6); // rows in = rows out
    assert.deepEqual(records(a.drop("format")), records(b.drop("format")));
    assert.deepEqual(
      records(a.select("activation_id", "experiment", "workload", "runtime", "wait_ms", "init_ms")),
      [
        ["a1", "cold_start", 10, 300],
        ["a2", "concurrency", 5, null],
        ["a3", "cold_start", 20, 400],
        ["a4", "concurrency", 7, null],
        ["a5", "cold_start", 30, 500],
        ["a6", "concurrency", 9, null],
      ].map(([id, experiment, wait_ms, init_ms]) => ({
        activation_id: `000000000000000000000000000000${id}`,
        experiment,
        workload: "hello",
        runtime: "nodejs:20",
        wait_ms,
        init_ms,
      })),
    );
    assert.deepEqual(a.getColumn("memory_mb").toArray(), [256, 256, 256, 256, 256, 256]);
    assert.deepEqual(a.getColumn("error").toArray(), [null, null, null, null, null, "boom"]);
    // The record column keeps the whole record, the tricky string included.
    const tricky = JSON.parse(a.getColumn("record").toArray()[3] as string);
    assert.equal(tricky.response.result.greeting, 'a "}]{[" \\\\ tricky\nstring');
    // Cold latencies 310, 420, 530; warm 5, 7 and a failed one (9 ms: an error, not a
    // latency); level unknown.
    assert.deepEqual(
      records(coldStartTable(a).select("level", "n", "mean", "median", "min", "max", "n_errors")),
      [{ level: null, n: 3, mean: 420, median: 420, min: 310, max: 530, n_errors: 0 }],
    );
    assert.deepEqual(
      records(warmTable(a).select("workload", "level", "n", "mean", "n_errors")),
      [{ workload: "hello", level: null, n: 2, mean: 6, n_errors: 1 }],
    );
    // A trigger's activation (no annotations at all) beside them is counted and left out.
    const trigger = { activationId: "t1", annotations: [], name: "every-minute", start: 1, end: 0 };
    const mixed = join(dir, "mixed.json");
    await Deno.writeTextFile(
      mixed,
      JSON.stringify([trigger, ...JSON.parse(await Deno.readTextFile(OW_JSON))]),
    );
    const withTrigger = await importFiles([mixed], join(dir, "m"));
    assert.deepEqual([withTrigger.files[0].rows, withTrigger.files[0].not_actions], [6, 1]);
    assert.deepEqual(fromArray.files.map((f) => [f.name, f.format, f.rows, f.bytes]), [
      ["activations.json", "openwhisk-json", 6, (await Deno.stat(OW_JSON)).size],
    ]);
    assert.match(fromArray.files[0].sha256, /^[0-9a-f]{64}$/);
  });
});

Deno.test("recordImportColumns() takes memory_mb from the limits annotation however it is written, and only from it", () => {
  const records = [
    `{"annotations":[{"key":"limits","value":{"concurrency":1,"logs":10,"memory":256,"timeout":60000}}]}`,
    `{"annotations":[{"value":{"concurrency":1,"memory":512},"key":"limits"}]}`,
    `{"annotations":[{"value":{"memory":128},"key":"limits"}]}`,
    `{\n  "annotations": [\n    {\n      "key": "limits",\n      "value": {\n        "memory": 1024\n      }\n    }\n  ]\n}`,
    // The annotation's text inside a log line (its quotes escaped) is not the annotation.
    `{"logs":["{\\"key\\":\\"limits\\",\\"value\\":{\\"memory\\":999}}"],"annotations":[{"key":"path","value":"a/b"}]}`,
    `{"annotations":[{"key":"limits","value":{"memory":256.5}}]}`,
    `{"annotations":[{"key":"limits","value":{"memory":0}}]}`,
    `{"annotations":[{"key":"kind","value":"x"},{"key":"limits","value":{"logs":10}}]}`,
  ];
  const frame = pl.DataFrame({
    record: records,
    init_ms: records.map(() => 1),
    action: records.map(() => "a"),
    kind: records.map(() => "k"),
  });
  const memory = recordImportColumns(frame, "openwhisk-json").getColumn("memory_mb").toArray();
  // What a JSON parser reads there: a whole number of MB above 0, else null.
  const parsed = records.map((r) => {
    const limits = JSON.parse(r).annotations.find((a: { key: string }) => a.key === "limits");
    const mb = limits?.value?.memory;
    return Number.isInteger(mb) && mb > 0 ? mb : null;
  });
  assert.deepEqual(memory, parsed);
  assert.deepEqual(memory, [256, 512, 128, 1024, null, null, null, null]);
});

Deno.test("importRecordFile() gives the same rows whatever the chunking and the part size", async () => {
  await withTemp(async (dir) => {
    const text = await Deno.readTextFile(OW_JSONL);
    const read = async (name: string, chunks: Uint8Array[], partRows: number) => {
      const out = join(dir, name);
      const { rows: n } = await importRecordFile(
        (async function* () {
          yield* chunks;
        })(),
        "x.jsonl",
        "lines",
        {},
        { dir: out, stem: "x", partRows },
      );
      assert.equal(n, 6);
      await Deno.writeTextFile(join(out, "dataset.json"), "{}");
      return records((await readDataset(out)).activations.sort("activation_id"));
    };
    const whole = await read("whole", [encoder.encode(text)], 100);
    // One byte a chunk: no record lies within a chunk, so none is taken; parts of 4 rows.
    const bytes = await read("bytes", bytewise(text), 4);
    assert.deepEqual(bytes, whole);
    assert.equal(whole.length, 6);
  });
});

Deno.test("a list's summaries and stored documents import with their status; a CouchDB listing is refused with a hint", async () => {
  await withTemp(async (dir) => {
    const exported = JSON.parse(await Deno.readTextFile(OW_JSON)) as Record<string, unknown>[];
    const codeOf = (r: Record<string, unknown>) => {
      const response = r.response as { success: boolean; status: string };
      return response.success ? 0 : response.status === "application error" ? 1 : 2;
    };
    // The list without docs=true: no response, the code at the top (WhiskActivation's summary).
    const summaries = exported.map((full) => {
      const { response: _, logs: __, ...r } = full;
      return { ...r, statusCode: codeOf(full) };
    });
    // CouchDB's document: the response not extended (statusCode, no success or status).
    const stored = exported.map((r) => ({
      _id: `guest/${r.activationId}`,
      _rev: "1-0",
      ...r,
      entityType: "activation",
      response: { statusCode: codeOf(r), result: (r.response as { result?: unknown }).result },
    }));
    await Deno.writeTextFile(join(dir, "summaries.json"), JSON.stringify(summaries));
    await Deno.writeTextFile(
      join(dir, "stored.jsonl"),
      stored.map((d) => JSON.stringify(d)).join("\n"),
    );
    const status = async (file: string) => {
      await importFiles([join(dir, file)], join(dir, file + ".ds"));
      return records(
        (await readDataset(join(dir, file + ".ds"))).activations.sort("activation_id")
          .select("activation_id", "status", "success", "wait_ms", "init_ms"),
      );
    };
    await importFiles([OW_JSON], join(dir, "api"));
    const api = records(
      (await readDataset(join(dir, "api"))).activations.sort("activation_id")
        .select("activation_id", "status", "success", "wait_ms", "init_ms"),
    );
    assert.ok(api.some((r) => r.success === false) && api.some((r) => r.success === true));
    assert.deepEqual(await status("summaries.json"), api);
    assert.deepEqual(await status("stored.jsonl"), api);
    const listing = join(dir, "all_docs.json");
    await Deno.writeTextFile(
      listing,
      JSON.stringify({
        total_rows: stored.length,
        offset: 0,
        rows: stored.map((doc) => ({ id: doc._id, doc })),
      }),
    );
    await rejects(
      importFiles([listing], join(dir, "couch")),
      "all_docs.json byte 0 (line 1): a CouchDB listing (_all_docs or a view), not activation " +
        "records: give its documents one a line, e.g. jq -c '.rows[].doc | select(.activationId)' " +
        "FILE > activations.jsonl",
    );
  });
});

Deno.test("`wsk activation list --full` output: its header line skipped, each indented record read", async () => {
  await withTemp(async (dir) => {
    const exported = JSON.parse(await Deno.readTextFile(OW_JSON)) as Record<string, unknown>[];
    // As the CLI prints it: "activations", then each record as indented JSON, newest first.
    const list = join(dir, "list.txt");
    await Deno.writeTextFile(
      list,
      "activations\n" + exported.map((r) => JSON.stringify(r, null, 4) + "\n").join(""),
    );
    assert.equal(await detectFileFormat(list), "openwhisk-jsonl");
    await importFiles([list], join(dir, "ds"));
    await importFiles([OW_JSON], join(dir, "array"));
    const rows = async (d: string) =>
      records(
        (await readDataset(join(dir, d))).activations.sort("activation_id").drop(
          "format",
          "record",
        ),
      );
    assert.equal((await readDataset(join(dir, "ds"))).activations.height, exported.length);
    assert.deepEqual(await rows("ds"), await rows("array"));
    // A list of no activation (a quiet day's export): the header line alone, no rows.
    const none = join(dir, "none.txt");
    await Deno.writeTextFile(none, "activations\n");
    assert.equal(await detectFileFormat(none), "openwhisk-jsonl");
    await importFiles([list, none], join(dir, "days"));
    assert.equal((await readDataset(join(dir, "days"))).activations.height, exported.length);
    // A bad record is named by its byte and line in the file as printed.
    const bad = join(dir, "bad.txt");
    await Deno.writeTextFile(bad, 'activations\n{\n    "activationId": 7\n}\n');
    await rejects(
      importFiles([bad], join(dir, "ds2")),
      "bad.txt byte 12 (line 2): activationId is 7, expected a string",
    );
  });
});

Deno.test("importFiles() writes record files in parts of at most RECORD_PART_ROWS rows", async () => {
  await withTemp(async (dir) => {
    // A record of the fixture again under new ids, cold and warm: one row more than a part.
    const first = JSON.parse((await Deno.readTextFile(OW_JSONL)).split("\n")[0]);
    const n = RECORD_PART_ROWS + 1, lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const annotations = i % 3 === 0
        ? first.annotations
        : first.annotations.filter((a: { key: string }) => a.key !== "initTime");
      const id = i.toString(16).padStart(32, "0");
      lines.push(JSON.stringify({ ...first, activationId: id, annotations }));
    }
    const file = join(dir, "many.jsonl");
    await Deno.writeTextFile(file, lines.join("\n") + "\n");
    const out = join(dir, "ds");
    await importFiles([file], out); // partRows left at its default, 100,000
    const perPart = new Map<string, number>();
    for (const path of await partPaths(join(out, "activations"))) {
      const name = basename(path);
      perPart.set(name, (perPart.get(name) ?? 0) + pl.readParquet(path).height);
    }
    assert.deepEqual([...perPart.entries()].sort(), [
      ["many.jsonl.0001.parquet", RECORD_PART_ROWS],
      ["many.jsonl.0002.parquet", 1],
    ]);
    const a = (await readDataset(out)).activations;
    assert.equal(a.height, n);
    assert.equal(a.filter(pl.col("cold")).height, Math.ceil(n / 3));
  });
});

Deno.test("`wsk activation get` output: its ok line is skipped, bytes and lines keep their numbers", async () => {
  await withTemp(async (dir) => {
    const exported = JSON.parse(await Deno.readTextFile(OW_JSON));
    const id = exported[0].activationId;
    const good = join(dir, "get.json");
    await Deno.writeTextFile(
      good,
      `ok: got activation ${id}\n${JSON.stringify(exported[0], null, 4)}\n`,
    );
    assert.equal(await detectFileFormat(good), "openwhisk-jsonl");
    await importFiles([good], join(dir, "ds"));
    const a = (await readDataset(join(dir, "ds"))).activations;
    assert.deepEqual(records(a.select("activation_id", "wait_ms", "init_ms")), [
      { activation_id: id, wait_ms: 10, init_ms: 300 },
    ]);
    // A byte order mark before a JSON array.
    const bom = join(dir, "bom.json");
    await Deno.writeTextFile(bom, `\uFEFF${JSON.stringify(exported)}`);
    assert.equal(await detectFileFormat(bom), "openwhisk-json");
    await importFiles([bom], join(dir, "ds3"));
    assert.equal((await readDataset(join(dir, "ds3"))).activations.height, 6);
    const bad = join(dir, "bad.json");
    const header = `ok: got activation ${id}\n`;
    await Deno.writeTextFile(
      bad,
      `${header}{"activationId": "${id}", "annotations": [{"key": "kind", "value": "go:1.20"}]}\n`,
    );
    await rejects(
      importFiles([bad], join(dir, "ds2")),
      `bad.json byte ${header.length} (line 2) (activation ${id}): waitTime is missing, expected a number`,
    );
  });
});

Deno.test("SeBS result.csv: client_time as the latency, no wait/init split, units converted", async () => {
  await withTemp(async (dir) => {
    await importFiles([join(SEBS, "result.csv")], join(dir, "s"));
    const { activations: a, meta } = await readDataset(join(dir, "s"));
    assert.equal(a.height, 6);
    const cols = ["experiment", "source", "latency", "cold", "client_ms", "exec_ms", "connect_ms"];
    assert.deepEqual(
      records(a.select(...cols, "duration_ms", "memory_mb", "mem_used_mb"), 6),
      [
        ["cold_start", true, 310, 1.5, 2.1, 305, 41.5],
        ["cold_start", true, 420, 1.6, 2.3, 410, null],
        ["cold_start", true, 530, 1.7, 1.9, null, 42],
        ["concurrency", false, 5, 0.9, 1.1, 3, 40],
        ["concurrency", false, 7, 1, 1.2, 4, 40],
        ["concurrency", false, 9, 1.1, 1.3, 5, 40.5],
      ].map(([experiment, cold, client_ms, exec_ms, connect_ms, duration_ms, mem_used_mb]) => ({
        experiment,
        source: "client",
        latency: "client_time",
        cold,
        client_ms,
        exec_ms,
        connect_ms,
        duration_ms,
        memory_mb: 256,
        mem_used_mb,
      })),
    );
    assert.equal(a.getColumn("wait_ms").nullCount(), 6);
    // Client times are not waitTimes: no latency table takes them.
    assert.equal(coldStartTable(a).height, 0);
    assert.equal(warmTable(a).height, 0);
    const imp = meta.import as { latency: Record<string, string> };
    assert.match(imp.latency["sebs-csv"], /^client_time/);
  });
});

Deno.test("SeBS result.csv read by polars gives the line reader's rows, every column", async () => {
  await withTemp(async (dir) => {
    // The fixture's lines and what else the format allows: spaces around values, None and
    // empty optional fields, quoted fields, burst and sequential, memory 0, provider time 0,
    // a column SeBS does not write, blank lines, numbers in exponent form.
    const lines = [
      "memory,type,is_cold,exec_time,connection_time,client_time,provider_time,mem_used,note",
      ...(await Deno.readTextFile(join(SEBS, "result.csv"))).trim().split(/\r?\n/).slice(1)
        .map((l, i) => `${l},n${i}`),
      ' 512 , burst ,TRUE, 1.5e3 ,None,310000,0, None ,"a, ""quoted"" note"',
      "0,sequential,false,900,,5000,3000,,",
      "",
      "128,warm,False,900,0.0011,5000,3000,40.0,\u00e9t\u00e9",
      "",
    ];
    // Python's csv module ends lines with CRLF; both readers take either.
    for (const eol of ["\n", "\r\n"]) {
      const csv = lines.join(eol) + eol;
      const path = join(dir, "result.csv");
      await Deno.writeTextFile(path, csv);
      const chunks = async function* () {
        yield encoder.encode(csv);
      };
      const options = { runtime: "python:3.11", workload: "110.dynamic-html" };
      const b = new FrameBuilder(IMPORTED_COLUMNS);
      for await (const row of sebsCsvRows(chunks(), "result.csv", options)) b.push(row);
      const byLine = b.toFrame();
      const read = await sebsCsvFrame(path, "result.csv", chunks, options);
      const polars = read.frame;
      assert.equal(read.rows, 9);
      assert.equal(byLine.height, 9);
      assert.deepEqual(polars.schema, byLine.schema);
      assert.deepEqual(polars.toRecords(), byLine.toRecords(), JSON.stringify(eol));
    }
    // SeBS before December 2020 wrote no mem_used column: both readers leave mem_used_mb null.
    const csv = "memory,type,is_cold,exec_time,connection_time,client_time,provider_time\n" +
      "256,cold,True,1500,0.0021,305000,250000\n";
    const path = join(dir, "result.csv");
    await Deno.writeTextFile(path, csv);
    const chunks = async function* () {
      yield encoder.encode(csv);
    };
    const b = new FrameBuilder(IMPORTED_COLUMNS);
    for await (const row of sebsCsvRows(chunks(), "result.csv")) b.push(row);
    const { frame } = await sebsCsvFrame(path, "result.csv", chunks);
    assert.deepEqual(frame.toRecords(), b.toFrame().toRecords());
    assert.deepEqual(
      records(frame.select("client_ms", "duration_ms", "exec_ms", "mem_used_mb", "memory_mb")),
      [{ client_ms: 305, duration_ms: 250, exec_ms: 1.5, mem_used_mb: null, memory_mb: 256 }],
    );
  });
});

Deno.test("SeBS result.csv: a bad value is named by line and field, whatever reads the file", async () => {
  await withTemp(async (dir) => {
    const good = (await Deno.readTextFile(join(SEBS, "result.csv"))).trim().split(/\r?\n/);
    const cases: [string, RegExp][] = [
      [
        "256,cold,True,1500,0.0021,-5,305000,41.5",
        /line 3: client_time is -5, expected a number >= 0/,
      ],
      ["256,hot,True,1500,0.0021,5,305000,41.5", /line 3: type is "hot", expected cold, warm/],
      [
        "256,cold,yes,1500,0.0021,5,305000,41.5",
        /line 3: is_cold is "yes", expected true or false/,
      ],
      ["256.5,cold,True,1500,0.0021,5,305000,41.5", /line 3: memory is 256.5, expected a whole/],
      // Past 2^53 no integer column holds it: polars' cast to Int64 made 1e30 null.
      ["1e30,cold,True,1500,0.0021,5,305000,41.5", /line 3: memory is 1e\+30, expected a whole/],
      ["256,cold,True,inf,0.0021,5,305000,41.5", /line 3: exec_time is "inf", expected a number/],
    ];
    for (const [line, message] of cases) {
      const csv = [good[0], good[1], line, ...good.slice(2)].join("\n") + "\n";
      const path = join(dir, "result.csv");
      await Deno.writeTextFile(path, csv);
      await assert.rejects(
        sebsCsvFrame(path, "result.csv", async function* () {
          yield encoder.encode(csv);
        }),
        message,
      );
    }
  });
});

Deno.test("CSV imports read in slices give the rows of one read; a bad line is named in any slice", async () => {
  await withTemp(async (dir) => {
    const sebs = (await Deno.readTextFile(join(SEBS, "result.csv"))).trim().split(/\r?\n/);
    const invitro = (await Deno.readTextFile(join(INVITRO, "openwhisk_duration_1.csv"))).trim()
      .split(/\r?\n/);
    // 200 data lines each, no two alike (a copied part is refused when read), a blank line in
    // the middle (skipped by both readers).
    const many = (lines: string[]) => {
      const body = Array.from({ length: 200 }, (_, i) => {
        const fields = lines[1 + (i % (lines.length - 1))].split(",");
        if (fields.length > 10) {
          fields[2] = `inv-${i}`; // In-Vitro: invocationID, activationID
          fields[10] = fields[10] === "" ? "" : i.toString(16).padStart(32, "0");
        } else fields[5] = String(1000 + i); // SeBS: client_time
        return fields.join(",");
      });
      return [lines[0], ...body.slice(0, 100), "", ...body.slice(100)].join("\r\n") + "\r\n";
    };
    for (const [name, text] of [["result.csv", many(sebs)], ["x_duration_1.csv", many(invitro)]]) {
      const path = join(dir, name);
      await Deno.writeTextFile(path, text);
      const rowsOf = async (out: string, csvSliceBytes?: number) => {
        await importFiles([path], join(dir, out), { csvSliceBytes });
        const ds = await readDataset(join(dir, out));
        const parts = (await partPaths(join(dir, out, "activations"))).length;
        // Rows come back grouped by partition folder: compared as a set.
        const rows = ds.activations.drop("record").toRecords().map((r) => JSON.stringify(r));
        return { rows: rows.sort(), parts };
      };
      const whole = await rowsOf(`${name}-whole`);
      const sliced = await rowsOf(`${name}-sliced`, 1000);
      assert.equal(whole.rows.length, 200);
      // A part per partition folder (cold_start, concurrency) read at once, a part per slice
      // and folder read in slices.
      assert.ok(whole.parts <= 2, `${whole.parts} parts`);
      assert.ok(sliced.parts > 5, `${sliced.parts} parts`);
      assert.deepEqual(sliced.rows, whole.rows);
      assert.ok(!(await exists(join(dir, `${name}-sliced`, ".slices"))));
      // A bad value on line 150, in a later slice: named by its line in the file.
      const lines = text.split("\r\n");
      const fields = lines[149].split(",");
      fields[name === "result.csv" ? 5 : 6] = "abc";
      lines[149] = fields.join(",");
      await Deno.writeTextFile(path, lines.join("\r\n"));
      await assert.rejects(
        importFiles([path], join(dir, `${name}-bad`), { csvSliceBytes: 1000 }),
        new RegExp(`${name} line 150: (client_time|responseTime) is "abc"`),
      );
    }
  });
});

Deno.test("SeBS processed JSON adds ids, benchmark, runtime, batch size and initTime; its CSV is checked, not imported twice", async () => {
  await withTemp(async (dir) => {
    const report = await importFiles([SEBS], join(dir, "s"));
    assert.deepEqual(report.files.map((f) => [f.name, f.rows, f.skipped !== undefined]), [
      ["cold_results_256-processed.json", 3, false],
      ["result.csv", 0, true],
      ["warm_results_256-processed.json", 3, false],
    ]);
    const a = (await readDataset(join(dir, "s"))).activations;
    assert.equal(a.height, 6);
    assert.deepEqual(
      records(a.select("workload", "runtime", "level", "client_ms", "init_ms").head(3)),
      [310, 420, 530].map((client_ms, k) => ({
        workload: "110.dynamic-html",
        runtime: "python:3.11",
        level: 3,
        client_ms,
        init_ms: [290, 395, null][k],
      })),
    );
    assert.deepEqual(
      a.getColumn("activation_id").toArray().slice(0, 2),
      ["00000000000000000000000005eb5000", "00000000000000000000000005eb5001"],
    );
  });
});

Deno.test("In-Vitro CSVs: OpenWhisk rows fill the tables from waitTime/initTime, others carry responseTime", async () => {
  await withTemp(async (dir) => {
    await importFiles([INVITRO], join(dir, "v"), { runtime: "docker" });
    // Rows by kind of latency, then time: a file's rows lie in one part per experiment folder.
    const byTime = (f: pl.DataFrame) => f.sort(["latency", "start_ms"], false, true);
    const a = byTime((await readDataset(join(dir, "v"))).activations);
    assert.equal(a.height, 8);
    assert.deepEqual(
      records(a.select("source", "latency", "wait_ms", "init_ms", "client_ms", "start_ms")),
      [
        ["client", "client_time", null, null, 15, 1700000000000],
        ["client", "client_time", null, null, 25, 1700000001000],
        ["client", "client_time", null, null, 35, 1700000002000],
        ["record", "waitTime+initTime", 12, 350, 520, 1700000000000],
        ["record", "waitTime+initTime", 4, null, 110, 1700000001000],
        ["record", "waitTime+initTime", 18, 402, 580, 1700000002000],
        ["record", "waitTime+initTime", 6, null, 120, 1700000003000],
        ["error", null, null, null, null, 1700000004000],
      ].map(([source, latency, wait_ms, init_ms, client_ms, start_ms]) => ({
        source,
        latency,
        wait_ms,
        init_ms,
        client_ms,
        start_ms,
      })),
    );
    assert.equal(a.getColumn("error").toArray()[7], "function timeout");
    // Blank lines are skipped, as gocsv never writes them but an edited file may hold them.
    const text = await Deno.readTextFile(join(INVITRO, "openwhisk_duration_1.csv"));
    const lines = text.split("\n");
    await Deno.writeTextFile(
      join(dir, "blank.csv"),
      [...lines.slice(0, 3), "", ...lines.slice(3)].join("\n") + "\n",
    );
    await importFiles([join(dir, "blank.csv")], join(dir, "b"));
    const blank = byTime((await readDataset(join(dir, "b"))).activations);
    assert.deepEqual(
      records(blank.drop("runtime")),
      records(a.filter(pl.col("format").eq(pl.lit("invitro-csv"))).tail(5).drop("runtime")),
    );
    // Cold: 362, 420; warm: 4, 6 and the timed-out invocation's error.
    assert.deepEqual(records(coldStartTable(a).select("runtime", "n", "mean", "min", "max")), [
      { runtime: "docker", n: 2, mean: 391, min: 362, max: 420 },
    ]);
    assert.deepEqual(
      records(warmTable(a).select("workload", "n", "mean", "n_errors")),
      [{ workload: "trace-func-0-2052", n: 2, mean: 5, n_errors: 1 }],
    );
  });
});

Deno.test("In-Vitro CSVs of spring 2023 with waitTime in milliseconds are read so, and dataset.json says it", async () => {
  await withTemp(async (dir) => {
    const text = await Deno.readTextFile(join(INVITRO, "openwhisk_duration_1.csv"));
    // The fixture's waitTimes (12000, 4000, 18000, 6000 µs) as that version wrote them: 12, 4...
    const lines = text.trim().split("\n").map((l, i) => {
      if (i === 0) return l;
      const f = l.split(",");
      f[13] = String(Number(f[13]) / 1000);
      return f.join(",");
    });
    await Deno.mkdir(join(dir, "ms"));
    const path = join(dir, "ms", "openwhisk_duration_1.csv");
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const report = await importFiles([path], join(dir, "m"), { runtime: "docker" });
    assert.equal(report.files[0].units, WAIT_MS_NOTE);
    const us = await importFiles([join(INVITRO, "openwhisk_duration_1.csv")], join(dir, "us"), {
      runtime: "docker",
    });
    assert.equal(us.files[0].units, undefined);
    const rows = async (d: string) =>
      records((await readDataset(join(dir, d))).activations.sort("start_ms").drop("record"));
    assert.deepEqual(await rows("m"), await rows("us"));
    // A first slice whose waitTime (1000 ms) could be microseconds: the next slice tells, and the
    // file is read again as milliseconds, the part written first left out.
    const late = lines.map((l, i) => i === 1 ? l.split(",").with(13, "1000").join(",") : l);
    await Deno.writeTextFile(path, late.join("\n") + "\n");
    const sliced = await importFiles([path], join(dir, "late"), { csvSliceBytes: 1 });
    assert.equal(sliced.files[0].units, WAIT_MS_NOTE);
    assert.equal(sliced.files[0].rows, 5);
    const wait = async (d: string) =>
      (await readDataset(join(dir, d))).activations.sort("start_ms").getColumn("wait_ms").toArray();
    assert.deepEqual(await wait("late"), [1000, ...(await wait("m")).slice(1)]);
    const meta = JSON.parse(await Deno.readTextFile(join(dir, "m", "dataset.json")));
    assert.equal(meta.import.files[0].units, WAIT_MS_NOTE);
    // A failed row's waitTime is not imported: it does not make the others milliseconds.
    const failed = text.trim().split("\n");
    const timedOut = failed.findIndex((l) => l.includes(",false,true,"));
    failed[timedOut] = failed[timedOut].split(",").with(13, "4500").join(",");
    await Deno.writeTextFile(path, failed.join("\n") + "\n");
    for (const csvSliceBytes of [undefined, 1]) {
      const read = await importFiles([path], join(dir, "f"), { runtime: "docker", csvSliceBytes });
      assert.equal(read.files[0].units, undefined);
      assert.deepEqual(await rows("f"), await rows("us"));
    }
  });
});

Deno.test("In-Vitro CSVs of older versions: without grpcConnEstablish (before May 2023), with 2022's memory and cluster columns", async () => {
  await withTemp(async (dir) => {
    const text = await Deno.readTextFile(join(INVITRO, "openwhisk_duration_1.csv"));
    // The same records as In-Vitro wrote them in May 2023: no grpcConnEstablish column.
    const lines = text.trim().split("\n").map((l) => {
      const f = l.split(",");
      f.splice(5, 1);
      return f.join(",");
    });
    await Deno.mkdir(join(dir, "may"));
    await Deno.writeTextFile(join(dir, "may", "openwhisk_duration_1.csv"), lines.join("\n") + "\n");
    await importFiles([join(dir, "may")], join(dir, "m"), { runtime: "docker" });
    await importFiles([join(INVITRO, "openwhisk_duration_1.csv")], join(dir, "now"), {
      runtime: "docker",
    });
    const rows = async (d: string) =>
      records(
        (await readDataset(join(dir, d))).activations.filter(
          pl.col("format").eq(pl.lit("invitro-csv")),
        )
          .sort("start_ms").drop("record", "connect_ms"),
      );
    assert.deepEqual(await rows("m"), await rows("now"));
    const connect = (await readDataset(join(dir, "m"))).activations.getColumn("connect_ms");
    assert.equal(connect.nullCount(), 5);
    // A 2022 record (no OpenWhisk columns): memory and cluster columns after functionTimeout.
    await Deno.writeTextFile(
      join(dir, "old_duration_1.csv"),
      "phase,instance,invocationID,startTime,requestedDuration,responseTime,actualDuration," +
        "actualMemoryUsage,memoryAllocationTimeout,connectionTimeout,functionTimeout,memory," +
        "mem_load,interval,master_cpu\n" +
        "1,f-1,i-1,1660000000000000,1000,25000,1200,40,false,false,false,128,0.5,1,0.2\n",
    );
    await importFiles([join(dir, "old_duration_1.csv")], join(dir, "o"));
    const old = (await readDataset(join(dir, "o"))).activations;
    assert.deepEqual(
      records(
        old.select("source", "latency", "client_ms", "duration_ms", "connect_ms", "workload"),
      ),
      [{
        source: "client",
        latency: "client_time",
        client_ms: 25,
        duration_ms: 1.2,
        connect_ms: null,
        workload: "f-1",
      }],
    );
    assert.equal(JSON.parse(old.getColumn("record").get(0)).master_cpu, "0.2");
  });
});

const INVITRO_VERSIONS = join(FIXTURES, "invitro_versions");

Deno.test("ingest CLI on In-Vitro's CSVs of 2021-22 (latency and exec records, functionName, memoryAllocationTimeout): rows in = rows out, client latency, memory, errors, tables and report", async () => {
  await withTemp(async (dir) => {
    const ds = join(dir, "ds");
    const said = await task("cli/ingest.ts", INVITRO_VERSIONS, "--out", ds);
    assert.equal(said.code, 0, said.text);
    // One row a data line of each file.
    assert.match(said.text, /imported 6 files, 14 rows/);
    for (const [file, n] of [["exec_feb2022", 2], ["exec_sample-5_phase-1_dur-1", 5]]) {
      assert.match(said.text, new RegExp(`${file}\\.csv: invitro-csv, ${n} rows`));
    }
    const a = (await readDataset(ds)).activations.sort("start_ms");
    const cols = [
      "workload",
      "action",
      "activation_id",
      "source",
      "latency",
      "start_ms",
      "client_ms",
      "duration_ms",
      "mem_used_mb",
      "wait_ms",
      "init_ms",
      "success",
      "error",
    ];
    const row = (...v: unknown[]) => Object.fromEntries(cols.map((c, i) => [c, v[i]]));
    assert.deepEqual(records(a.select(...cols)), [
      // January 2022: only invocations that succeeded were written.
      row(
        "trace-func-2",
        "trace-func-2",
        null,
        "client",
        "client_time",
        1642000000000,
        90,
        70,
        20,
        null,
        null,
        true,
        null,
      ),
      row(
        "trace-func-3",
        "trace-func-3",
        null,
        "client",
        "client_time",
        1642000000333,
        110,
        80,
        30,
        null,
        null,
        true,
        null,
      ),
      // February 2022: latency and runtime (µs), memory in KiB, func_name.
      row(
        "trace-func-7",
        "trace-func-7",
        null,
        "client",
        "client_time",
        1645000000000,
        250,
        200,
        50,
        null,
        null,
        true,
        null,
      ),
      row(
        "trace-func-8",
        "trace-func-8",
        null,
        "error",
        null,
        1645000001000,
        null,
        null,
        null,
        null,
        null,
        false,
        "execution failed",
      ),
      // June to September 2022: no function name; timeout and failed are error rows.
      row(
        "unknown",
        null,
        null,
        "client",
        "client_time",
        1650000000000,
        120,
        101,
        100,
        null,
        null,
        true,
        null,
      ),
      row(
        "unknown",
        null,
        null,
        "client",
        "client_time",
        1650000000500,
        140,
        99,
        130,
        null,
        null,
        true,
        null,
      ),
      row(
        "unknown",
        null,
        null,
        "client",
        "client_time",
        1650000001000,
        160,
        100,
        80,
        null,
        null,
        true,
        null,
      ),
      row(
        "unknown",
        null,
        null,
        "error",
        null,
        1650000001500,
        null,
        null,
        null,
        null,
        null,
        false,
        "connection timeout",
      ),
      row(
        "unknown",
        null,
        null,
        "error",
        null,
        1650000002000,
        null,
        null,
        null,
        null,
        null,
        false,
        "execution failed",
      ),
      // 28 September 2022: functionName, no invocationID, no memory use.
      row(
        "trace-func-0-8",
        "trace-func-0-8",
        null,
        "client",
        "client_time",
        1664300000000,
        33,
        31,
        null,
        null,
        null,
        true,
        null,
      ),
      // 29 September 2022: functionName, actualMemoryUsage in MiB.
      row(
        "trace-func-0-9",
        "trace-func-0-9",
        null, // invocationID inv-a: no activation id
        "client",
        "client_time",
        1664400000000,
        75,
        52,
        12,
        null,
        null,
        true,
        null,
      ),
      row(
        "trace-func-0-9",
        "trace-func-0-9",
        null, // invocationID inv-b: no activation id
        "error",
        null,
        1664400001000,
        null,
        null,
        null,
        null,
        null,
        false,
        "connection timeout",
      ),
      // October 2022: a function that could not allocate its memory did not run its body.
      row(
        "trace-func-1-3",
        "trace-func-1-3",
        null, // invocationID inv-c: no activation id
        "client",
        "client_time",
        1665500000000,
        45,
        41,
        64,
        null,
        null,
        true,
        null,
      ),
      row(
        "trace-func-1-3",
        "trace-func-1-3",
        null, // invocationID inv-d: no activation id
        "error",
        null,
        1665500001000,
        null,
        null,
        null,
        null,
        null,
        false,
        "memory allocation timeout",
      ),
    ]);
    // The cluster's state beside each 2022 invocation is kept, as In-Vitro wrote it.
    const third = JSON.parse(
      a.filter(pl.col("start_ms").eq(1650000001000)).getColumn("record").get(0),
    );
    assert.deepEqual(
      [
        third.coldstart_count,
        third.master_cpu,
        third.autoscaler_stable_queue,
        third.scheduling_p99,
      ],
      ["2", "12", "1.25", "-99"],
    );
    const meta = JSON.parse(await Deno.readTextFile(join(ds, "dataset.json")));
    assert.deepEqual(
      meta.import.files.map((f: { name: string; version: string }) => [f.name, f.version]),
      [
        ["exec_feb2022.csv", "In-Vitro's 2022 exec record (February to September 2022)"],
        [
          "exec_sample-5_phase-1_dur-1.csv",
          "In-Vitro's 2022 exec record (February to September 2022)",
        ],
        [
          "latency_phase-1_dur-1.csv",
          "In-Vitro's latency record (December 2021 to February 2022)",
        ],
        ["memalloc_duration_1.csv", "In-Vitro's per-invocation record (since September 2022)"],
        ["sep2022_duration_1.csv", "In-Vitro's per-invocation record (since September 2022)"],
        ["sep28_duration_1.csv", "In-Vitro's per-invocation record (since September 2022)"],
      ],
    );
    assert.match(meta.import.latency["invitro-csv"], /no waitTime or initTime/);
    // A memory use of 0 is In-Vitro's "not measured" (its HTTP clients): null, not 0 MiB.
    await importFiles([join(INVITRO, "knative_duration_1.csv")], join(dir, "kn"));
    const kn = (await readDataset(join(dir, "kn"))).activations;
    assert.deepEqual([kn.height, kn.getColumn("mem_used_mb").nullCount()], [3, 3]);
    // No waitTime: no latency table, and the report says which sections it cannot fill.
    const t = await task("cli/tables.ts", ds, "--out", join(dir, "out"));
    assert.equal(t.code, 0, t.text);
    assert.match(t.text, /wrote 0 tables/);
    const r = await task("cli/report.ts", "--no-pdf", "--data", ds, "--out", join(dir, "report"));
    assert.equal(r.code, 0, r.text);
    assert.match(
      await Deno.readTextFile(join(dir, "report", "report.html")),
      /<p class="nodata">Left out, without data in this dataset: Benchmark actions; Cold start: waitTime \+ initTime; Warm latency, no load \(hello\);/,
    );
  });
});

Deno.test("In-Vitro's 2022 CSVs: a bad value or a missing column is named by file, line and field; In-Vitro's and SeBS's other output files are refused saying what they are", async () => {
  await withTemp(async (dir) => {
    const exec = await Deno.readTextFile(join(INVITRO_VERSIONS, "exec_sample-5_phase-1_dur-1.csv"));
    const lines = exec.trim().split("\n");
    const edit = (line: number, from: string, to: string) =>
      lines.map((l, i) => (i === line - 1 ? l.replace(from, to) : l)).join("\n") + "\n";
    const cases: [string, string, string][] = [
      [
        "kib.csv",
        edit(3, ",133120,", ",130k,"),
        'kib.csv line 3: memory is "130k", expected a number',
      ],
      [
        "flag.csv",
        edit(2, ",false,false,100,", ",yes,false,100,"),
        'flag.csv line 2: timeout is "yes", expected true or false',
      ],
      // A bad flag after one that is true is named too: the failed row reads every flag.
      [
        "both.csv",
        edit(5, ",true,false,", ",true,maybe,"),
        'both.csv line 5: failed is "maybe", expected true or false',
      ],
      [
        "late.csv",
        edit(4, "1650000001000000,160000", "1650000001000000,-160000"),
        "late.csv line 4: response_time is -160000, expected a number >= 0",
      ],
      [
        "cut.csv",
        lines.map((l) => l.split(",").toSpliced(5, 1).join(",")).join("\n") + "\n",
        "cut.csv line 1: In-Vitro's 2022 exec record (February to September 2022), but the header lacks actual_duration or runtime",
      ],
      [
        "inv_sample-5_phase-1_dur-1.csv",
        "phase,rps,index,duration,num_func_target,num_func_invoked,num_coldstarts\n1,2,0,60,5,5,1\n",
        "inv_sample-5_phase-1_dur-1.csv: In-Vitro's per-minute invocation counts (2022); whiskbench imports no such file: pass the tool's per-invocation results without it",
      ],
      [
        "invoke_phase-1_dur-1.csv",
        "phase,request_per_sec,index,duration,idle_duration,num_func_requested,num_func_invoked," +
        "num_func_failed\n1,3,0,60,0,4,4,0\n",
        "invoke_phase-1_dur-1.csv: In-Vitro's per-minute invocation counts (2022)",
      ],
      [
        "scale_sample-5.csv",
        "timestamp,deployment,desired_scale,actual_scale\n1650000000000000,trace-func-1,1,0\n",
        "scale_sample-5.csv: In-Vitro's deployment scales; whiskbench imports",
      ],
      [
        "x_kn_stats_1.csv",
        "timestamp,desired_pods,unready_pods,pending_pods,requested_pods,running_pods,activator_queue,activator_request_count\n1,1,0,0,1,1,0,3\n",
        "x_kn_stats_1.csv: In-Vitro's Knative statistics; whiskbench imports",
      ],
      [
        "x_cluster_usage_1.csv",
        '{"timestamp":1650000000000000,"master_cpu_pct":12.5,"cpu":["a"]}\n',
        "x_cluster_usage_1.csv: In-Vitro's cluster usage samples; whiskbench imports",
      ],
      [
        "invocations.csv",
        "HashOwner,HashApp,HashFunction,Trigger,1,2\no,a,f,http,1,0\n",
        "invocations.csv: an Azure Functions trace, In-Vitro's input",
      ],
      [
        "Azure2021_30.csv",
        "app,func,end_timestamp,duration\na1,f1,0.25,0.2\n",
        "Azure2021_30.csv: the Azure Functions 2021 invocation trace, In-Vitro's input",
      ],
      [
        "dag_structure.csv",
        "\uFEFFWidth,WidthPercentile,Depth,DepthPercentile,TotalNodes\n1,0.5,2,0.5,2\n",
        "dag_structure.csv: In-Vitro's workflow shape distribution, an input",
      ],
      [
        "durations.csv",
        "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 12\n",
        "durations.csv: a Git LFS pointer, not the file's content (fetch it with git lfs pull)",
      ],
      ["blank.csv", "\n\n", "blank.csv: an empty file; whiskbench imports no such file"],
      // SeBS's experiments other than perf-cost, written after its sources.
      [
        "result.csv",
        "size,repetition,is_cold,connection_time,start_timestamp,finish_timestamp,request_id\n" +
        "1024,0,1,0.004,1700000000.25,1700000000.75,r-1\n",
        "result.csv: SeBS's invocation-overhead result (the time until the function starts",
      ],
      [
        "result-processed.csv",
        "payload_size,repetition,is_cold,connection_time,start_timestamp,finish_timestamp," +
        "request_id,clock_drift_mean,clock_drift_std,invocation_time\n" +
        "1024,0,1,0.004,1700000000.25,1700000000.75,r-1,0.01,0.002,0.5\n",
        "result-processed.csv: SeBS's processed invocation-overhead result",
      ],
      [
        "server-r-1.csv",
        "id,server_rcv,server_send\n1,1700000000.5,1700000000.5001\n",
        "server-r-1.csv: SeBS's clock-synchronization datagram times",
      ],
      [
        "results_4_2_10.json",
        '{\n  "10": [\n    [\n      {\n        "is_cold": false\n      }\n    ]\n  ]\n}\n',
        "results_4_2_10.json: SeBS's eviction-model result",
      ],
      [
        "local.csv",
        "func,start,end,is_cold,container_id,provider.request_id,blob.upload,blob.download," +
        "request_id,rep\nprocess,1700000000.1,1700000000.2,False,c1,p1,0,0,w1,0\n",
        "local.csv: SeBS's workflow measurements (its workflows branch)",
      ],
    ];
    for (const [name, text, message] of cases) {
      await Deno.writeTextFile(join(dir, name), text);
      const out = join(dir, `out-${name}`);
      const said = await task("cli/ingest.ts", join(dir, name), "--out", out);
      assert.equal(said.code, 1, said.text);
      assert.ok(said.text.includes(message), `${said.text}\n does not include\n${message}`);
      await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
    }
    // An activation record whose result holds the cluster's keys is still a record.
    assert.equal(
      detectFormat(
        '{"activationId":"a","response":{"result":{"timestamp":1,"master_cpu_pct":2}}}\n',
      ),
      "openwhisk-jsonl",
    );
  });
});

Deno.test("ingest CLI on a tool's output folder: files beside the results are left out and named, the results imported", async () => {
  await withTemp(async (dir) => {
    const folder = join(dir, "invitro-out");
    await Deno.mkdir(folder);
    await Deno.copyFile(
      join(INVITRO, "openwhisk_duration_1.csv"),
      join(folder, "exec_duration_1.csv"),
    );
    await Deno.writeTextFile(
      join(folder, "cluster_usage_1.csv"),
      '{"timestamp":1650000000000000,"master_cpu_pct":12.5,"cpu":["a"]}\n',
    );
    // A folder inside is named, not read.
    await Deno.mkdir(join(folder, "plots"));
    await Deno.writeTextFile(join(folder, "plots", "x_duration_1.csv"), "not read\n");
    const alone = await task(
      "cli/ingest.ts",
      join(INVITRO, "openwhisk_duration_1.csv"),
      "--out",
      join(dir, "alone"),
    );
    assert.equal(alone.code, 0, alone.text);
    const said = await task("cli/ingest.ts", folder, "--out", join(dir, "ds"));
    assert.equal(said.code, 0, said.text);
    assert.match(said.text, /imported 1 files/);
    assert.match(said.text, /cluster_usage_1\.csv: left out, In-Vitro's cluster usage samples/);
    const { activations, meta } = await readDataset(join(dir, "ds"));
    const before = (await readDataset(join(dir, "alone"))).activations;
    assert.ok(
      activations.drop("record").sort("start_ms").frameEqual(
        before.drop("record").sort("start_ms"),
        true,
      ),
    );
    assert.deepEqual((meta.import as { left_out: unknown }).left_out, [
      { name: "plots", what: "a folder, not read (pass its path to import its files)" },
      { name: "cluster_usage_1.csv", what: "In-Vitro's cluster usage samples" },
    ]);
    await Deno.remove(join(folder, "plots"), { recursive: true });
    // A Git LFS pointer stands for missing data: an error in a folder too.
    await Deno.writeTextFile(
      join(folder, "lfs_duration_1.csv"),
      "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 12\n",
    );
    const lfs = await task("cli/ingest.ts", folder, "--out", join(dir, "lfs"));
    assert.equal(lfs.code, 1);
    assert.match(lfs.text, /lfs_duration_1\.csv: a Git LFS pointer/);
    await Deno.remove(join(folder, "lfs_duration_1.csv"));
    // Given by name it is an error; a folder of nothing else has nothing to import.
    const named = await task(
      "cli/ingest.ts",
      join(folder, "cluster_usage_1.csv"),
      "--out",
      join(dir, "named"),
    );
    assert.equal(named.code, 1);
    await Deno.remove(join(folder, "exec_duration_1.csv"));
    const none = await task("cli/ingest.ts", folder, "--out", join(dir, "none"));
    assert.equal(none.code, 1);
    assert.match(
      none.text,
      /no per-invocation results to import: cluster_usage_1\.csv is In-Vitro's cluster usage samples/,
    );
    await assert.rejects(Deno.stat(join(dir, "none")), Deno.errors.NotFound);
  });
});

Deno.test("ingest CLI on `sebs benchmark invoke` output: experiments.json's invocations, replaced by results.json once processed", async () => {
  await withTemp(async (dir) => {
    const folder = join(FIXTURES, "sebs_invoke");
    const raw = await task(
      "cli/ingest.ts",
      join(folder, "experiments.json"),
      "--out",
      join(dir, "raw"),
    );
    assert.equal(raw.code, 0, raw.text);
    assert.match(raw.text, /imported 1 files, 3 rows/);
    const cols = [
      "experiment",
      "level",
      "runtime",
      "workload",
      "activation_id",
      "cold",
      "client_ms",
      "exec_ms",
      "connect_ms",
      "init_ms",
      "duration_ms",
      "wait_ms",
      "source",
      "latency",
    ];
    const rows = async (d: string) =>
      records((await readDataset(join(dir, d))).activations.sort("activation_id").select(...cols));
    const row = (...v: unknown[]) => Object.fromEntries(cols.map((c, i) => [c, v[i]]));
    const [hello, py] = ["fn-hello-python-3-11", "python:3.11"];
    // One call at a time: level 1; each invocation's own cold-start flag gives its experiment.
    assert.deepEqual(await rows("raw"), [
      row(
        "cold_start",
        1,
        py,
        hello,
        "a1",
        true,
        350,
        1.2,
        4,
        null,
        null,
        null,
        "client",
        "client_time",
      ),
      row(
        "concurrency",
        1,
        py,
        hello,
        "a2",
        false,
        20,
        0.8,
        1,
        null,
        null,
        null,
        "client",
        "client_time",
      ),
      row(
        "concurrency",
        1,
        py,
        hello,
        "a3",
        false,
        24,
        1,
        2,
        null,
        null,
        null,
        "client",
        "client_time",
      ),
    ]);
    // With results.json beside it (`sebs benchmark process`): its rows, with the provider's times.
    const both = await task("cli/ingest.ts", folder, "--out", join(dir, "both"));
    assert.equal(both.code, 0, both.text);
    assert.match(both.text, /imported 2 files, 3 rows/);
    assert.match(
      both.text,
      /experiments\.json: sebs-json, 0 rows \(results\.json holds the same invocations\)/,
    );
    assert.deepEqual(await rows("both"), [
      row(
        "cold_start",
        1,
        py,
        hello,
        "a1",
        true,
        350,
        1.2,
        4,
        300,
        1.5,
        null,
        "client",
        "client_time",
      ),
      row(
        "concurrency",
        1,
        py,
        hello,
        "a2",
        false,
        20,
        0.8,
        1,
        null,
        0.9,
        null,
        "client",
        "client_time",
      ),
      row(
        "concurrency",
        1,
        py,
        hello,
        "a3",
        false,
        24,
        1,
        2,
        null,
        1,
        null,
        "client",
        "client_time",
      ),
    ]);
    // A client round trip, no waitTime: no latency table; the report builds.
    const t = await task("cli/tables.ts", join(dir, "both"), "--out", join(dir, "out"));
    assert.equal(t.code, 0, t.text);
    assert.match(t.text, /wrote 0 tables/);
    const r = await task(
      "cli/report.ts",
      "--no-pdf",
      "--data",
      join(dir, "both"),
      "--out",
      join(dir, "report"),
    );
    assert.equal(r.code, 0, r.text);
    // Any other name is not SeBS's, and is said so.
    await Deno.writeTextFile(
      join(dir, "mine.json"),
      await Deno.readTextFile(join(folder, "experiments.json")),
    );
    const other = await task("cli/ingest.ts", join(dir, "mine.json"), "--out", join(dir, "other"));
    assert.equal(other.code, 1, other.text);
    assert.match(
      other.text,
      /mine\.json: not a SeBS result file name, expected <type>_results\[_<memory>\]\[-processed\]\.json \(perf-cost\), experiments\.json or results\.json/,
    );
  });
});

Deno.test("OpenWhisk records of activations that reached no container (no waitTime) are error rows of their cell", async () => {
  await withTemp(async (dir) => {
    // As OpenWhisk's invoker writes them when it cannot fetch the action (kind unknown).
    const fallback = (id: string) => ({
      activationId: id,
      name: "hello",
      namespace: "guest",
      start: 1700000000500,
      end: 1700000000500,
      duration: 0,
      annotations: [{ key: "path", value: "guest/hello" }, { key: "kind", value: "unknown" }],
      response: {
        status: "whisk internal error",
        statusCode: 3,
        success: false,
        result: { error: "Failed to fetch action." },
      },
    });
    const ok = (id: string, wait: number) => ({
      activationId: id,
      name: "hello",
      namespace: "guest",
      start: 1700000000000,
      end: 1700000000010,
      duration: 10,
      annotations: [{ key: "kind", value: "nodejs:20" }, { key: "waitTime", value: wait }],
      response: { status: "success", statusCode: 0, success: true, result: {} },
    });
    // As it writes them when the container could not be started: start 0, waitTime negative.
    const noContainer = (id: string) => ({
      ...fallback(id),
      start: 0,
      end: 0,
      annotations: [{ key: "kind", value: "nodejs:20" }, {
        key: "waitTime",
        value: -1700000000400,
      }],
      response: { ...fallback(id).response, result: { error: "Failed to start container." } },
    });
    const path = join(dir, "records.jsonl");
    await Deno.writeTextFile(
      path,
      [ok("a1", 4), fallback("f1"), ok("a2", 6), noContainer("g1")].map((r) => JSON.stringify(r))
        .join("\n") + "\n",
    );
    await importFiles([path], join(dir, "ds"), { runtime: "nodejs:20" });
    const a = (await readDataset(join(dir, "ds"))).activations.sort("activation_id");
    assert.deepEqual(
      records(a.select("activation_id", "source", "success", "wait_ms", "status", "error")),
      [
        {
          activation_id: "a1",
          source: "record",
          success: true,
          wait_ms: 4,
          status: "success",
          error: null,
        },
        {
          activation_id: "a2",
          source: "record",
          success: true,
          wait_ms: 6,
          status: "success",
          error: null,
        },
        {
          activation_id: "f1",
          source: "error",
          success: false,
          wait_ms: null,
          status: "whisk internal error",
          error: "Failed to fetch action. (the activation reached no container: waitTime missing)",
        },
        {
          activation_id: "g1",
          source: "error",
          success: false,
          wait_ms: null,
          status: "whisk internal error",
          error: "Failed to start container. (the activation reached no container: waitTime " +
            "-1700000000400)",
        },
      ],
    );
    assert.equal(JSON.parse(a.getColumn("record").get(2)).activationId, "f1");
    assert.deepEqual(a.getColumn("latency").toArray(), [
      "waitTime+initTime",
      "waitTime+initTime",
      null,
      null,
    ]);
    assert.deepEqual(records(warmTable(a).select("n", "mean", "n_errors")), [
      { n: 2, mean: 5, n_errors: 2 },
    ]);
    // A record without waitTime that did not fail is still an error naming it.
    await Deno.writeTextFile(
      path,
      JSON.stringify({ ...ok("b1", 1), annotations: [{ key: "kind", value: "nodejs:20" }] }) + "\n",
    );
    await assert.rejects(
      importFiles([path], join(dir, "bad")),
      /records\.jsonl byte 0 \(line 1\) \(activation b1\): waitTime is missing/,
    );
  });
});

Deno.test("ingest + tables CLI on an activation export give the known statistics", async () => {
  await withTemp(async (dir) => {
    const ds = join(dir, "ds"), out = join(dir, "out");
    const said = await task("cli/ingest.ts", OW_JSONL, "--out", ds);
    assert.equal(said.code, 0, said.text);
    assert.match(said.text, /imported 1 files, 6 rows/);
    const tables = await task("cli/tables.ts", ds, "--out", out);
    assert.equal(tables.code, 0, tables.text);
    const csv = (name: string) =>
      records(pl.readCSV(dataFile(join(out, "tables"), name, ".csv")), 6);
    assert.deepEqual(
      csv("cold_start_nodejs:20").map((r) => [r.n, r.mean, r.median, r.min, r.max]),
      [[3, 420, 420, 310, 530]],
    );
    assert.deepEqual(csv("warm_nodejs:20_hello").map((r) => [r.n, r.mean, r.n_errors]), [
      [2, 6, 1],
    ]);
  });
});

Deno.test("ingest CLI on In-Vitro's warm-up phase: kept as experiment warmup, in no latency table; the report builds", async () => {
  await withTemp(async (dir) => {
    const lines = (await Deno.readTextFile(join(INVITRO, "openwhisk_duration_1.csv"))).trim()
      .split("\n");
    // The first invocation (a cold start) made in a configured warm-up: phase 1.
    assert.match(lines[1], /^2,.*,cold,/);
    const file = join(dir, "warm_duration_1.csv");
    await Deno.writeTextFile(
      file,
      [lines[0], lines[1].replace(/^2,/, "1,"), ...lines.slice(2)].join("\n") + "\n",
    );
    const a = await task("cli/ingest.ts", file, "--runtime", "docker", "--out", join(dir, "ds"));
    assert.equal(a.code, 0, a.text);
    const rows = (await readDataset(join(dir, "ds"))).activations;
    assert.deepEqual(
      records(
        rows.groupBy("experiment").agg(pl.col("experiment").count().alias("n")).sort("experiment"),
      ),
      [{ experiment: "cold_start", n: 1 }, { experiment: "concurrency", n: 3 }, {
        experiment: "warmup",
        n: 1,
      }],
    );
    const t = await task("cli/tables.ts", join(dir, "ds"), "--out", join(dir, "out"));
    assert.equal(t.code, 0, t.text);
    const cold = records(
      pl.readCSV(dataFile(join(dir, "out", "tables"), "cold_start_docker", ".csv")),
      6,
    );
    assert.deepEqual(cold.map((r) => [r.n, r.mean]), [[1, 420]]);
    const report = await quietReport(join(dir, "ds"));
    assert.ok(report.tables > 0);
  });
});

Deno.test("ingest CLI on SeBS and In-Vitro folders: tables known, the report says what SeBS cannot fill", async () => {
  await withTemp(async (dir) => {
    const invitro = join(dir, "invitro"), sebs = join(dir, "sebs");
    const a = await task("cli/ingest.ts", INVITRO, "--runtime", "docker", "--out", invitro);
    assert.equal(a.code, 0, a.text);
    assert.match(a.text, /imported 2 files, 8 rows/);
    const t = await task("cli/tables.ts", invitro, "--out", join(dir, "out"));
    assert.equal(t.code, 0, t.text);
    const csv = (name: string) =>
      records(pl.readCSV(dataFile(join(dir, "out", "tables"), name, ".csv")), 6);
    assert.deepEqual(csv("cold_start_docker").map((r) => [r.n, r.mean, r.min, r.max]), [
      [2, 391, 362, 420],
    ]);
    assert.deepEqual(csv("warm_docker_trace-func-0-2052").map((r) => [r.n, r.mean, r.n_errors]), [
      [2, 5, 1],
    ]);

    const b = await task("cli/ingest.ts", SEBS, "--out", sebs);
    assert.equal(b.code, 0, b.text);
    assert.match(b.text, /result\.csv: sebs-csv, 0 rows \(its rows are those of the SeBS JSON/);
    const report = await quietReport(sebs);
    assert.equal(report.tables, 0);
    const html = await Deno.readTextFile(report.html);
    // No section has data: each is left out of the page, all listed once.
    assert.match(
      html,
      /<p class="nodata">Left out, without data in this dataset: Benchmark actions; Cold start: waitTime \+ initTime; [^<]*; Tail percentiles and repetitions\.<\/p>/,
    );
    assert.doesNotMatch(html, /<section id="cold_start">/);
  });
});

Deno.test("malformed imports name the file and the place, and leave no dataset", async () => {
  await withTemp(async (dir) => {
    const write = async (name: string, text: string) => {
      await Deno.writeTextFile(join(dir, name), text);
      return join(dir, name);
    };
    const cases: [string, string, string][] = [
      [
        "bad.jsonl",
        '{"activationId":"x","annotations":[{"key":"waitTime","value":1}]}\n{"activationId": tru}\n',
        "bad.jsonl byte 66 (line 2): not a JSON activation record: ",
      ],
      [
        "nowait.json",
        '[\n{"activationId":"y","annotations":[{"key":"kind","value":"nodejs:20"}]}]',
        "nowait.json byte 2 (line 2) (activation y): waitTime is missing, expected a number",
      ],
      [
        "result.csv",
        "memory,type,is_cold,exec_time,connection_time,client_time,provider_time,mem_used\n" +
        "256,cold,True,1500,0.002,abc,0,\n",
        'result.csv line 2: client_time is "abc", expected a number',
      ],
      [
        "types.csv",
        "memory,type,is_cold,exec_time,connection_time,client_time,provider_time,mem_used\n" +
        "256,lukewarm,True,1500,0.002,1,0,\n",
        'types.csv line 2: type is "lukewarm", expected cold, warm, burst or sequential',
      ],
      [
        "iv.csv",
        "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish,responseTime," +
        "actualDuration,connectionTimeout,functionTimeout,activationID,startType,httpStatusCode," +
        "waitTime,initTime\n2,f,i,1,1,1,1,1,false,false,a,tepid,200,1,1\n",
        'iv.csv line 2: startType is "tepid", expected hot or cold',
      ],
      [
        "short.csv",
        "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish,responseTime," +
        "actualDuration,connectionTimeout,functionTimeout\n2,f,i,1\n",
        "short.csv line 2: 4 fields, expected 10 as in the header",
      ],
      [
        "long.csv",
        "memory,type,is_cold,exec_time,connection_time,client_time,provider_time,mem_used\n" +
        "256,cold,True,1500,0.002,1,0,\n256,cold,True,1500,0.002,1,0,,7\n",
        "long.csv line 3: 9 fields, expected 8 as in the header",
      ],
      [
        "commas.csv",
        "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish,responseTime," +
        "actualDuration,connectionTimeout,functionTimeout\n1,f,i,1,1,1,1,1,false,false\n,,,,,,,,,\n",
        'commas.csv line 3: connectionTimeout is "", expected true or false',
      ],
      [
        "negative.csv",
        "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish,responseTime," +
        "actualDuration,connectionTimeout,functionTimeout\n1,f,i,1,1,1,-7,1,false,false\n",
        "negative.csv line 2: responseTime is -7, expected a number >= 0",
      ],
      // Numbers polars' cast takes and the line reader does not: each is named, not imported.
      ...[["inf", "inf"], ["plus", "+5"], ["digits", "\u0665"]].map(([name, n]) =>
        [
          `${name}.csv`,
          "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish," +
          "responseTime,actualDuration,connectionTimeout,functionTimeout\n" +
          `1,f,i,1,1,1,1,1,false,false\n1,f,j,1,1,1,${n},1,false,false\n`,
          `${name}.csv line 3: responseTime is ${JSON.stringify(n)}, expected a number`,
        ] as [string, string, string]
      ),
      ["notes.txt", "some notes\n", "cannot tell its format from its content; pass --format"],
      [
        "list.txt",
        "Datetime            Activation ID                    Kind      Start Duration   Status  Entity\n" +
        "2026-11-30 10:00:00 0123456789abcdef0123456789abcdef nodejs:20 cold  310ms      success guest/hello:0.0.1\n",
        "list.txt: `wsk activation list` output without --full, a table without waitTime",
      ],
      [
        "1_wasm_cold_start.log",
        '[{"no_concurrent_requests":1,"responses":[]}]\n',
        "1_wasm_cold_start.log is a raw log of the thesis's layout: ingest its folder",
      ],
    ];
    for (const [name, text, message] of cases) {
      const path = await write(name, text);
      const out = join(dir, `out-${name}`);
      await assert.rejects(importFiles([path], out), (e: Error) => {
        assert.ok(e.message.includes(message), `${e.message}\n does not include\n${message}`);
        return true;
      });
      await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
    }
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(".")), []);
    // An --out folder that is not a dataset is never replaced.
    const precious = join(dir, "precious");
    await Deno.mkdir(precious);
    await Deno.writeTextFile(join(precious, "thesis.tex"), "keep me");
    await rejects(
      importFiles([OW_JSON], precious),
      `--out ${precious}: holds files that whiskbench did not write; nothing was changed. ` +
        "Give a new or empty folder, or remove this one yourself if you want it replaced.",
    );
    assert.equal(await Deno.readTextFile(join(precious, "thesis.tex")), "keep me");
    const cli = await task("cli/ingest.ts", join(dir, "notes.txt"), "--out", join(dir, "o"));
    assert.equal(cli.code, 1);
    assert.match(cli.text, /^error: .*notes\.txt: cannot tell its format/);
    const forced = await task(
      "cli/ingest.ts",
      join(dir, "notes.txt"),
      "--format",
      "sebs-csv",
      "--out",
      join(dir, "o"),
    );
    assert.equal(forced.code, 1);
    assert.match(forced.text, /^error: notes\.txt line 1: the header lacks memory, type/);
  });
});

Deno.test("hostile CSVs: a line short of fields, a quoted line break, a duplicate header name or a non-UTF-8 byte is named in any slice; a header's spaces, stray CR, blank lines and lines of white space read as the line reader reads them", async () => {
  await withTemp(async (dir) => {
    const header = "memory,type,is_cold,exec_time,connection_time,client_time,provider_time," +
      "mem_used";
    // 40 rows, no two alike; mem_used may be empty, so a line without it looked whole to polars.
    const body = Array.from({ length: 40 }, (_, i) => `256,warm,False,9${i},0.001,5${i},3${i},4`);
    const rowsOf = async (text: string, slice?: number) => {
      const path = join(dir, "result.csv");
      await Deno.writeTextFile(path, text);
      const out = join(dir, `out-${slice}`);
      await importFiles([path], out, { csvSliceBytes: slice });
      const rows = (await readDataset(out)).activations.toRecords().map((r) => JSON.stringify(r));
      await Deno.remove(out, { recursive: true });
      return rows.sort();
    };
    const refused = async (text: string | Uint8Array, message: string) => {
      const path = join(dir, "result.csv");
      await Deno.writeFile(path, typeof text === "string" ? encoder.encode(text) : text);
      // Read whole, and in slices of about two lines: the line is named in a later slice too.
      for (const slice of [undefined, 64]) {
        await rejects(importFiles([path], join(dir, "out")), message);
        await rejects(importFiles([path], join(dir, "out"), { csvSliceBytes: slice }), message);
      }
      await assert.rejects(Deno.stat(join(dir, "out")), Deno.errors.NotFound);
    };
    const clean = await rowsOf([header, ...body].join("\n") + "\n");
    assert.equal(clean.length, 40);
    // Plain and not (a space elsewhere makes the slice careful), early and late in the file.
    for (const [line, spaced] of [[3, false], [3, true], [35, false], [35, true]] as const) {
      const lines = [header, ...body];
      lines[line - 1] = lines[line - 1].replace(/,4$/, ""); // 7 fields
      if (spaced) lines[line + 1] = lines[line + 1].replace(",False,", ", False,");
      await refused(
        lines.join("\n") + "\n",
        `result.csv line ${line}: 7 fields, expected 8 as in the header`,
      );
    }
    // In-Vitro's instance name may be any text: a quoted one spanning lines read as one row by
    // polars, refused by the line reader (which keeps a line a row, so that lines are named).
    const iv = "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish," +
      "responseTime,actualDuration,connectionTimeout,functionTimeout";
    const ivPath = join(dir, "x_duration_1.csv");
    await Deno.writeTextFile(
      ivPath,
      `${iv}\n1,f,a,1,1,1,1,1,false,false\n1,"f\ng",b,1,1,1,1,1,false,false\n1,f,c,1,1,1,1,1,false,false\n`,
    );
    for (const slice of [undefined, 40]) {
      await rejects(
        importFiles([ivPath], join(dir, "out"), { csvSliceBytes: slice }),
        "x_duration_1.csv line 3: a quoted field is not closed on its line",
      );
    }
    await refused(
      `${header},memory\n${body.map((l) => `${l},1`).join("\n")}\n`,
      'result.csv line 1: the header names "memory" twice',
    );
    const before = encoder.encode(
      `${header}\n${body.slice(0, 30).join("\n")}\n256,warm,False,1,1,1,1,`,
    );
    await refused(
      new Uint8Array([...before, 0xff, 0x0a]),
      `result.csv byte ${before.length} (line 32): invalid UTF-8: byte 0xff is not part of a ` +
        "well-formed UTF-8 sequence",
    );
    // The same rows (names in `record` stripped, as the line reader strips them).
    const spaced = header.replaceAll(",", ", ");
    assert.deepEqual(await rowsOf([spaced, ...body].join("\n") + "\n"), clean);
    assert.deepEqual(await rowsOf([spaced, ...body].join("\n") + "\n", 64), clean);
    assert.deepEqual(await rowsOf([header + "\r", ...body].join("\r\n") + "\r\n", 64), clean);
    assert.deepEqual(await rowsOf(`\n \r\n${[header, ...body].join("\n")}\n`, 64), clean);
    // Lines of white space alone, skipped by the line reader, are skipped, not bad rows.
    const white = [header, ...body.slice(0, 20), "   ", "\t", ...body.slice(20)].join("\n") + "\n";
    assert.deepEqual(await rowsOf(white), clean);
    assert.deepEqual(await rowsOf(white, 64), clean);
  });
});

Deno.test("hostile CSVs: a field of megabytes is quoted cut short in the error, a header line of megabytes is refused before any slice repeats it", async () => {
  await withTemp(async (dir) => {
    const header = "memory,type,is_cold,exec_time,connection_time,client_time,provider_time," +
      "mem_used";
    const path = join(dir, "result.csv");
    const big = "9".repeat(2_000_000);
    await Deno.writeTextFile(
      path,
      `${header}\n256,warm,False,1,1,1,1,1\n256,warm,False,1,1,${big},1,1\n`,
    );
    await rejects(
      importFiles([path], join(dir, "out"), { csvSliceBytes: 64 }),
      `result.csv line 3: client_time is "${big.slice(0, 60)}"... (2000000 characters), ` +
        "expected a number",
    );
    await Deno.writeTextFile(path, `${"x".repeat(70_000)},${header}\n256,warm,False,1,1,1,1,1,1\n`);
    await rejects(
      importFiles([path], join(dir, "out"), { format: "sebs-csv" }),
      "result.csv line 1: 70081 characters, more than a CSV header line holds (at most 65536)",
    );
    await assert.rejects(Deno.stat(join(dir, "out")), Deno.errors.NotFound);
  });
});

Deno.test("ingest CLI on a folder with symbolic links (to a file outside, to a folder, to itself) and a file name holding a line break: links named as left out, the name shown escaped", async () => {
  await withTemp(async (dir) => {
    const src = join(dir, "src"), out = join(dir, "out");
    await Deno.mkdir(join(src, "sub"), { recursive: true });
    const csv = await Deno.readTextFile(join(SEBS, "result.csv"));
    await Deno.writeTextFile(join(dir, "outside.csv"), csv);
    await Deno.writeTextFile(join(src, "new\nline.csv"), csv);
    await Deno.symlink(join(dir, "outside.csv"), join(src, "linked.csv"));
    await Deno.symlink(join(src, "sub"), join(src, "dir"));
    await Deno.symlink(src, join(src, "loop"));
    const cli = await task("cli/ingest.ts", src, "--out", out);
    assert.equal(cli.code, 0, cli.text);
    const link = "a symbolic link, not followed (pass its target by name to import it)";
    const folder = "a folder, not read (pass its path to import its files)";
    assert.equal(
      cli.text,
      `imported 1 files, 6 rows -> ${out}\n  new\\nline.csv: sebs-csv, 6 rows\n` +
        ["dir", "linked.csv", "loop"].map((l) => `  ${l}: left out, ${link}\n`).join("") +
        `  sub: left out, ${folder}\n`,
    );
    const meta = JSON.parse(await Deno.readTextFile(join(out, "dataset.json")));
    assert.deepEqual(meta.import.files.map((f: { name: string }) => f.name), ["new\\nline.csv"]);
    assert.deepEqual(meta.import.left_out, [
      { name: "dir", what: link },
      { name: "linked.csv", what: link },
      { name: "loop", what: link },
      { name: "sub", what: folder },
    ]);
  });
});

Deno.test("importFiles(): files of one base name are named relative to their common folder, names alike in a safe alphabet get parts of their own, a file given twice is refused", async () => {
  await withTemp(async (dir) => {
    const csv = await Deno.readTextFile(join(SEBS, "result.csv"));
    // Four files of different rows (a part that copies another is refused when read).
    const names = ["a/result.csv", "b/result.csv", "a b.csv", "a_b.csv"];
    for (const [i, name] of names.entries()) {
      await Deno.mkdir(join(dir, "runs", name, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, "runs", name), csv.replaceAll("\n256,", `\n${256 << i},`));
    }
    const paths = names.map((p) => join(dir, "runs", p));
    const report = await importFiles(paths, join(dir, "out"));
    // No path of this machine in dataset.json.
    assert.deepEqual(report.files.map((f) => f.name), names);
    assert.equal((await readDataset(join(dir, "out"))).activations.height, 24);
    await rejects(
      importFiles([join(dir, "runs", "a"), paths[0]], join(dir, "twice")),
      `${paths[0]}: given twice; its rows would be imported twice`,
    );
    await assert.rejects(Deno.stat(join(dir, "twice")), Deno.errors.NotFound);
  });
});

Deno.test("In-Vitro httpStatusCode that polars' cast or a dataset's reader refuses (200.0, 1e30, 600) is named by line and field; 0 or less is no status", async () => {
  await withTemp(async (dir) => {
    const lines = (await Deno.readTextFile(join(INVITRO, "openwhisk_duration_1.csv"))).trim()
      .split(/\r?\n/);
    const path = join(dir, "x_duration_1.csv");
    const withStatus = (status: string) =>
      Deno.writeTextFile(
        path,
        lines.map((l, i) => i === 2 ? l.split(",").with(12, status).join(",") : l).join("\n"),
      );
    for (const status of ["200.0", "1e30", "600", "99", "9223372036854775807"]) {
      await withStatus(status);
      for (const csvSliceBytes of [undefined, 64]) {
        await rejects(
          importFiles([path], join(dir, "out"), { csvSliceBytes }),
          `x_duration_1.csv line 3: httpStatusCode is "${status}", expected an HTTP status ` +
            "(100-599), or 0 where there was none",
        );
      }
    }
    for (const [status, expected] of [["-1", null], ["0", null], ["503", 503]] as const) {
      await withStatus(status);
      await importFiles([path], join(dir, status));
      const rows = (await readDataset(join(dir, status))).activations.sort("start_ms");
      assert.equal(rows.getColumn("http_status").toArray()[1], expected);
    }
  });
});

Deno.test("In-Vitro's OpenWhisk CSV as its client writes a failed call: startType empty, an error row; one whose record it could not read, too", async () => {
  await withTemp(async (dir) => {
    // In-Vitro's OpenWhisk client (pkg/driver/http_client.go, spring 2023) sets startType,
    // activationID and httpStatusCode only once the call answered, and startType and the times
    // only once `wsk activation get` gave the record: a call that failed leaves them empty or 0.
    const header = "phase,instance,invocationID,startTime,requestedDuration,grpcConnEstablish," +
      "responseTime,actualDuration,connectionTimeout,functionTimeout,activationID,startType," +
      "httpStatusCode,waitTime,initTime";
    const file = join(dir, "openwhisk_duration_1.csv");
    await Deno.writeTextFile(
      file,
      [
        header,
        "2,f,inv-1,1700000000000000,100000,0,110000,100000,false,false," +
        "000000000000000000000000000001e1,hot,200,4000,0",
        "2,f,inv-2,1700000001000000,100000,0,30000000,0,true,false,,,0,0,0",
        "2,f,inv-3,1700000002000000,100000,0,120000,0,false,false," +
        "000000000000000000000000000001e3,,200,0,0",
      ].join("\n") + "\n",
    );
    await importFiles([file], join(dir, "v"));
    const a = (await readDataset(join(dir, "v"))).activations.sort("start_ms");
    assert.deepEqual(
      records(a.select("source", "success", "wait_ms", "client_ms", "http_status", "error")),
      [
        {
          source: "record",
          success: true,
          wait_ms: 4,
          client_ms: 110,
          http_status: 200,
          error: null,
        },
        {
          source: "error",
          success: false,
          wait_ms: null,
          client_ms: null,
          http_status: null,
          error: "connection timeout",
        },
        {
          source: "error",
          success: false,
          wait_ms: null,
          client_ms: null,
          http_status: 200,
          error: "no activation record (In-Vitro could not read it)",
        },
      ],
    );
    assert.deepEqual(records(warmTable(a).select("n", "mean", "n_errors")), [
      { n: 1, mean: 4, n_errors: 2 },
    ]);
    // The line reader takes these rows too: a bad line after them is the one named.
    const bad = join(dir, "bad.csv");
    await Deno.writeTextFile(
      bad,
      await Deno.readTextFile(file) +
        "2,f,inv-4,1700000003000000,100000,0,1,1,false,false,x,tepid,200,0,0\n",
    );
    await rejects(
      importFiles([bad], join(dir, "b")),
      'bad.csv line 5: startType is "tepid", expected hot or cold',
    );
  });
});

Deno.test("a sequence's record without waitTime (OpenWhisk before June 2020) is refused saying why", async () => {
  await withTemp(async (dir) => {
    // As OpenWhisk wrote them before apache/openwhisk#4819: a component of a sequence carries
    // causedBy and no waitTime, the sequence itself kind "sequence" and no waitTime.
    const limits = { key: "limits", value: { concurrency: 1, logs: 10, memory: 256 } };
    const record = (id: string, annotations: unknown[]) =>
      JSON.stringify({
        activationId: id.repeat(32),
        annotations,
        duration: 3,
        end: 1570000000003,
        logs: [],
        name: "step",
        namespace: "guest",
        response: { result: {}, status: "success", success: true },
        start: 1570000000000,
        subject: "guest",
      });
    const why = ": waitTime is missing, expected a number (OpenWhisk before June 2020 recorded " +
      "none for a sequence, a conductor action or their components, apache/openwhisk#4819: " +
      "leave such records out)";
    for (
      const [id, annotations] of [
        ["b", [{ key: "causedBy", value: "sequence" }, { key: "kind", value: "nodejs:10" }]],
        ["c", [{ key: "topmost", value: true }, { key: "kind", value: "sequence" }, limits]],
      ] as const
    ) {
      const file = join(dir, `${id}.jsonl`);
      await Deno.writeTextFile(file, record(id, [...annotations]) + "\n");
      await rejects(
        importFiles([file], join(dir, `ds-${id}`)),
        `${id}.jsonl byte 0 (line 1) (activation ${id.repeat(32)})${why}`,
      );
    }
  });
});

Deno.test("a CouchDB _find result (Mango query of the activation store) is refused with the jq line that turns it into records", async () => {
  await withTemp(async (dir) => {
    const doc = JSON.parse((await Deno.readTextFile(OW_JSONL)).split("\n")[0]);
    const stored = {
      _id: `guest/${doc.activationId}`,
      _rev: "1-a",
      entityType: "activation",
      ...doc,
    };
    const file = join(dir, "find.json");
    await Deno.writeTextFile(
      file,
      JSON.stringify({ docs: [stored, stored], bookmark: "g1AAAA", warning: "No matching index" }),
    );
    await rejects(
      importFiles([file], join(dir, "ds")),
      "find.json byte 0 (line 1): a CouchDB _find result, not activation records: give its " +
        "documents one a line, e.g. jq -c '.docs[] | select(.activationId)' FILE > " +
        "activations.jsonl",
    );
  });
});

Deno.test("ingest CLI on `sebs benchmark invoke`'s output folder: SeBS's own out.log beside the results is left out, not taken for the thesis's raw logs", async () => {
  await withTemp(async (dir) => {
    // SeBS logs to <output-dir>/out.log (its --output-file default), as Python's logging
    // formats it: "%(asctime)s,%(msecs)d %(levelname)s %(name)s: %(message)s", time only.
    const folder = join(dir, "sebs-out");
    await Deno.mkdir(folder);
    for (const name of ["experiments.json", "results.json"]) {
      await Deno.copyFile(join(FIXTURES, "sebs_invoke", name), join(folder, name));
    }
    await Deno.writeTextFile(
      join(folder, "out.log"),
      "12:00:01,7 INFO SeBS-4f2a: Created experiment output at /tmp/sebs-out\n" +
        "12:00:02,113 WARNING OpenWhisk.Config-9b1c: Using user-provided storage\n",
    );
    const said = await task("cli/ingest.ts", folder, "--out", join(dir, "ds"));
    assert.equal(said.code, 0, said.text);
    assert.match(said.text, /out\.log: left out, SeBS's log/);
    assert.equal((await readDataset(join(dir, "ds"))).activations.height, 3);
  });
});

Deno.test("In-Vitro's gRPC record of a failed call (no instance: the function's reply names it) is an error row of workload unknown, and the dataset reads", async () => {
  await withTemp(async (dir) => {
    // In-Vitro's gRPC client (pkg/driver/clients/grpc_client.go) takes `instance` from the
    // function's reply: a call that failed has none.
    const text = await Deno.readTextFile(join(INVITRO, "knative_duration_1.csv"));
    const file = join(dir, "kn_duration_1.csv");
    await Deno.writeTextFile(
      file,
      text.trimEnd() + "\n2,,inv-9,1700000009000000,10000,0,30000000,0,false,true,0,false,0,0,0\n",
    );
    await importFiles([file], join(dir, "v"));
    const a = (await readDataset(join(dir, "v"))).activations;
    assert.deepEqual(
      records(
        a.filter(pl.col("source").eq(pl.lit("error"))).select("workload", "action", "error"),
      ),
      [{ workload: "unknown", action: null, error: "function timeout" }],
    );
  });
});

Deno.test("In-Vitro's invocationID (min0.inv0, counted per function) is no activation id: many functions and two runs import, and the dataset reads", async () => {
  await withTemp(async (dir) => {
    // In-Vitro's trace driver numbers each function's invocations alone
    // (composeInvocationID: "min<minute>.inv<n>"), so every function of a trace, and every run
    // of it, has a min0.inv0.
    const header =
      (await Deno.readTextFile(join(INVITRO, "knative_duration_1.csv"))).split("\n")[0];
    const run = [
      header,
      "2,trace-func-0-1,min0.inv0,1700000000000000,10000,800,15000,10000,false,false,0,false,0,0,0",
      "2,trace-func-1-1,min0.inv0,1700000000100000,10000,800,25000,20000,false,false,0,false,0,0,0",
    ].join("\n") + "\n";
    const files = [join(dir, "a_duration_1.csv"), join(dir, "b_duration_1.csv")];
    await Deno.writeTextFile(files[0], run);
    await Deno.writeTextFile(files[1], run.replaceAll(",17000000", ",17000009")); // a later run
    await importFiles(files, join(dir, "v"));
    const a = (await readDataset(join(dir, "v"))).activations;
    assert.equal(a.height, 4);
    assert.deepEqual(a.getColumn("activation_id").toArray(), [null, null, null, null]);
    // The invocationID stays in the row's record.
    assert.equal(JSON.parse(String(a.getColumn("record").toArray()[0])).invocationID, "min0.inv0");
  });
});

Deno.test("SeBS's name of a failed invocation (failed-<n>, numbered per function and file) is no activation id: two runs with failures import, and the dataset reads", async () => {
  await withTemp(async (dir) => {
    // ExperimentResult.add_invocation (sebs/experiments/result.py) keys an invocation without
    // a request id "failed-<invocations so far>": every run's first failure is failed-0.
    const doc = JSON.parse(
      await Deno.readTextFile(join(FIXTURES, "sebs_invoke", "experiments.json")),
    );
    const [func] = Object.keys(doc._invocations);
    const ok = Object.values(doc._invocations[func])[0] as Record<string, unknown>;
    const failed: Record<string, unknown> = {
      ...ok,
      output: {},
      request_id: "",
      stats: { cold_start: false, failure: true, memory_used: null },
    };
    for (const run of ["run1", "run2"]) {
      await Deno.mkdir(join(dir, run));
      doc._invocations[func] = { "failed-0": failed };
      await Deno.writeTextFile(join(dir, run, "experiments.json"), JSON.stringify(doc));
      failed.times = { ...(failed.times as object), client: 1000 }; // the runs differ
    }
    await importFiles([join(dir, "run1"), join(dir, "run2")], join(dir, "ds"));
    const a = (await readDataset(join(dir, "ds"))).activations;
    assert.deepEqual(records(a.select("activation_id", "success")), [
      { activation_id: null, success: false },
      { activation_id: null, success: false },
    ]);
  });
});

Deno.test("an activation in two imported files (overlapping exports) is refused at import, naming both files and bytes, and leaves no dataset", async () => {
  await withTemp(async (dir) => {
    // The API's since and upto are both inclusive: exports of adjacent windows can share a
    // record, and `wsk activation get` of one listed activation repeats it.
    const lines = (await Deno.readTextFile(OW_JSONL)).trimEnd().split("\n");
    const [a, b] = [join(dir, "day1.jsonl"), join(dir, "day2.jsonl")];
    await Deno.writeTextFile(a, lines.slice(0, 3).join("\n") + "\n");
    await Deno.writeTextFile(b, lines.slice(2).join("\n") + "\n");
    const id = JSON.parse(lines[2]).activationId;
    const at = lines.slice(0, 2).join("\n").length + 1;
    await rejects(
      importFiles([a, b], join(dir, "ds")),
      `activation id "${id}" occurs twice: day1.jsonl byte ${at + 16} and day2.jsonl byte 16 ` +
        "(1 records repeat an id; an activation is one row: do two exports overlap?)",
    );
    await assert.rejects(Deno.stat(join(dir, "ds")), Deno.errors.NotFound);
  });
});

Deno.test("ingest: two files of the same bytes are refused at import, not left to make a dataset no read accepts", async () => {
  await withTemp(async (dir) => {
    const input = join(dir, "in");
    await Deno.mkdir(input);
    // A trace copied under another name: its parts would be copies, which every read refuses.
    const csv = join(INVITRO, "knative_duration_1.csv");
    await Deno.copyFile(csv, join(input, "a_duration_1.csv"));
    await Deno.copyFile(csv, join(input, "b_duration_1.csv"));
    const out = join(dir, "ds");
    const r = await task("cli/ingest.ts", input, "--runtime", "docker", "--out", out);
    assert.equal(r.code, 1, r.text);
    assert.match(r.text, /b_duration_1\.csv: the same bytes as a_duration_1\.csv/);
    assert.equal(await exists(out), false);
  });
});

Deno.test("checkImportedRows: rows an importer wrote that a read refuses fail the import, naming the part", async () => {
  await withTemp(async (dir) => {
    const good = join(dir, "good");
    await importFiles([join(INVITRO, "knative_duration_1.csv")], good, { runtime: "docker" });
    await checkImportedRows(good, "invitro-csv");
    // The same rows with one workload null, as an importer's defect once wrote them.
    const [part] = await partPaths(join(good, "activations"));
    const frame = pl.readParquet(part);
    const broken = frame.withColumns(
      pl.when(pl.col("workload").eq(pl.lit(frame.getColumn("workload").get(0))))
        .then(pl.lit(null).cast(pl.Utf8)).otherwise(pl.col("workload")).alias("workload"),
    );
    broken.writeParquet(part);
    await assert.rejects(
      checkImportedRows(good, "invitro-csv"),
      (err: Error) => {
        assert.match(
          err.message,
          /^the import \(invitro-csv\) wrote rows that whiskbench's readers refuse/,
        );
        assert.match(err.message, /workload/);
        assert.ok(!err.message.includes(join(good, "activations")), err.message);
        return true;
      },
    );
  });
});

Deno.test("ingest: a file in UTF-16 (PowerShell's >) is refused naming the encoding, with or without its mark", async () => {
  await withTemp(async (dir) => {
    const text = await Deno.readTextFile(OW_JSONL);
    const le = (s: string) =>
      new Uint8Array(new Uint16Array([...s].map((c) => c.charCodeAt(0))).buffer);
    const cases: [string, Uint8Array][] = [
      ["marked.jsonl", new Uint8Array([0xff, 0xfe, ...le(text)])],
      ["unmarked.jsonl", le(text)],
    ];
    for (const [name, bytes] of cases) {
      const input = join(dir, name);
      await Deno.writeFile(input, bytes);
      for (const format of [[], ["--format", "openwhisk-jsonl"]]) {
        const r = await task("cli/ingest.ts", input, ...format, "--out", join(dir, "ds"));
        assert.equal(r.code, 1, r.text);
        assert.match(r.text, new RegExp(`${name}: UTF-16 text .*iconv -f UTF-16 -t UTF-8`));
        assert.equal(await exists(join(dir, "ds")), false);
      }
    }
    // A binary file that is not UTF-16 keeps its own error.
    const gz = join(dir, "records.jsonl.gz");
    await Deno.writeFile(
      gz,
      new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7]),
    );
    const r = await task("cli/ingest.ts", gz, "--out", join(dir, "ds"));
    assert.equal(r.code, 1, r.text);
    assert.doesNotMatch(r.text, /UTF-16/);
  });
});
