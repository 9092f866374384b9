/**
 * The fast path of ingest (dataset/activation_bytes.ts) against the full parser: for each
 * record text, the row it writes equals activationRow's row of JSON.parse(text), value for
 * value and the `record` column byte for byte; where it cannot promise that, it declines.
 */
import assert from "node:assert/strict";
import type pl from "nodejs-polars";
import { ActivationRows, TsvPartWriter } from "../dataset/activation_bytes.ts";
import { RecordReader } from "../dataset/_record_reader.ts";
import {
  ACTIVATION_COLUMNS,
  activationRow,
  errorRow,
  FrameBuilder,
  readTable,
} from "../dataset/mod.ts";
import { readActivationLog } from "../ingest/activation_log.ts";
import { activationLog, record } from "./_raw_logs.ts";
import { random } from "../bench/random.ts";
import { filesUnder } from "./_hostile_dataset.ts";

const CONTEXT = { experiment: "concurrency", workload: "hello", runtime: "wasm" };

/** The row of `text` from the full parser, or its error message. */
function slow(text: string): pl.DataFrame | string {
  try {
    const b = new FrameBuilder(ACTIVATION_COLUMNS);
    b.push(activationRow(JSON.parse(text), { ...CONTEXT, run: 2, level: 3 }, "here"));
    return b.toFrame();
  } catch (err) {
    return String(err);
  }
}

/** The row of `text` from the fast path, or null where it declines. */
function fast(text: string): pl.DataFrame | null {
  const rows = new ActivationRows(CONTEXT);
  const bytes = new TextEncoder().encode(text);
  rows.begin(2, 3);
  const end = rows.record(bytes, 0);
  if (end < 0) {
    assert.equal(rows.length, 0);
    return null;
  }
  assert.equal(end, bytes.length);
  rows.commit();
  return rows.toFrame();
}

const base = () => record({ id: "a1", wait: 5, init: 40 });
const text = (r: unknown) => JSON.stringify(r);
const edit = (f: (r: Record<string, unknown>) => void) => {
  const r = base();
  f(r);
  return text(r);
};
const response = (v: unknown) => edit((r) => (r.response = v));

/** Records the fast path must take (canonical, plain values). */
const TAKEN: Record<string, string> = {
  "a cold record": text(base()),
  "a warm record": text(record({ id: "w", wait: 7 })),
  "a failed invocation with an error string": text(record({ id: "f", wait: 1, success: false })),
  "a failure with no result: the status, quoted": response({ status: "oops", success: false }),
  "a failure whose result has no error: the result as JSON": response({
    result: { code: 3, why: ["x"] },
    status: "s",
    success: false,
  }),
  "a failure whose error is an object": response({ result: { error: { a: 1 } }, success: false }),
  "a failure whose error is null: status": response({
    result: { error: null },
    status: "s t",
    success: false,
  }),
  "a failure with no status and no result: null": response({ success: false }),
  "a failure whose result is an array": response({ result: [1, "two"], success: false }),
  "a failure whose result is a number": response({ result: 42, success: false }),
  "no response at all": edit((r) => delete r.response),
  "success that is not a boolean": response({ status: "success", success: "yes" }),
  "escaped quotes in an unread string": edit((r) => (r.namespace = 'say "hi"\\ \n\t\u0001')),
  "non-ASCII text": edit((r) => (r.namespace = "grüße 🎉 \u2028")),
  "fractional and large times": edit((r) => {
    r.start = 1692312439560.125;
    r.duration = 999999999999999;
  }),
  "null times": edit((r) => {
    r.start = null;
    delete r.end;
  }),
  "kind that is not a string": edit((r) =>
    (r.annotations as { key: string; value: unknown }[]).splice(2, 1, { key: "kind", value: 3 })
  ),
  "a repeated annotation: the first counts": edit((r) =>
    (r.annotations as unknown[]).push({ key: "waitTime", value: 999 })
  ),
  "an annotation that is not an object": edit((r) => (r.annotations as unknown[]).unshift(7)),
  "a name that is not a string": edit((r) => (r.name = ["x"])),
  "extra top-level fields": edit((r) => (r.extra = { deep: [{ a: [] }, {}] })),
  "an inner object with the keys of the record around it": text(base()).replace(
    '"name":"hello"',
    '"inner":{"name":1,"a":{"name":2}},"name":"hello"',
  ),
};

/** Records the fast path must decline (the full parser decides, row or error). */
const DECLINED: Record<string, string> = {
  "spaces between tokens": JSON.stringify(base(), null, 1),
  "a number not in shortest form": text(base()).replace('"duration":3', '"duration":3.0'),
  "an exponent JSON.stringify would not write": text(base()).replace(
    '"duration":3',
    '"duration":3e0',
  ),
  "negative zero": text(base()).replace('"duration":3', '"duration":-0'),
  "an escape JSON.stringify would not write": text(base()).replace('"guest"', '"gu\\u0065st"'),
  "an escaped slash": text(base()).replace('"guest"', '"gu\\/est"'),
  "a duplicate key": text(base()).replace('"name":"hello"', '"name":"hello","name":"other"'),
  "a duplicate key after an inner object": text(base()).replace(
    '"name":"hello"',
    '"name":"hello","inner":{"a":1,"b":{"c":2}},"name":"other"',
  ),
  "a duplicate key inside an inner object": text(base()).replace(
    '"name":"hello"',
    '"name":"hello","inner":{"a":{"x":1},"a":2}',
  ),
  "an integer-like key (V8 would move it first)": edit((r) => (r["7"] = 1)),
  "an id with an escape": text(base()).replace('"a1"', '"a\\"1"'),
  "an empty id": text(record({ id: "", wait: 1 })),
  "no waitTime": edit((r) => (r.annotations as { key: string }[]).splice(1, 1)),
  "a waitTime string": text(base()).replace('"value":5', '"value":"5"'),
  "a negative initTime": text(base()).replace('"value":40', '"value":-40'),
  "a negative start": edit((r) => (r.start = -1)),
  "a duration above 2^53 - 1, with an exponent": edit((r) => (r.duration = 1e21)),
  "a duration above 2^53 - 1, of 16 digits": edit((r) => (r.duration = 9007199254740992)),
  "a start above 2^53 - 1, with a fraction": edit((r) => (r.start = 12345678901234567.5)),
  "an initTime above 2^53 - 1, of 3 exponent digits": text(base()).replace(
    '"value":40',
    '"value":1e+300',
  ),
  "an error text with an escape": response({ result: { error: "a\nb" }, success: false }),
  "an empty error text": response({ result: { error: "" }, success: false }),
  "an empty name": edit((r) => (r.name = "")),
  "a response that is not an object": response("gone"),
  "not an object": "[1,2]",
  "a list's summary (statusCode, no response)": edit((r) => {
    delete r.response;
    r.statusCode = 1;
  }),
  "a stored document's response (statusCode only)": response({ statusCode: 0, result: {} }),
  "invalid UTF-8": text(base()).replace('"guest"', '"gu\u00ffst"'),
};

for (const [name, t] of Object.entries(TAKEN)) {
  Deno.test(`ActivationRows.record() takes ${name}, row equal to activationRow's`, () => {
    const expected = slow(t);
    assert.ok(typeof expected !== "string", `activationRow failed: ${expected}`);
    const got = fast(t);
    assert.ok(got, "declined");
    assert.deepEqual(got.toRecords(), expected.toRecords());
    assert.ok(got.frameEqual(expected, true));
    assert.equal(got.getColumn("record").toArray()[0], t);
  });
}

for (const [name, t] of Object.entries(DECLINED)) {
  Deno.test(`ActivationRows.record() declines ${name}`, () => {
    let bytes = new TextEncoder().encode(t);
    if (name === "invalid UTF-8") {
      bytes = Uint8Array.from(bytes).map((b) => (b === 0xc3 ? 0xff : b));
    }
    const rows = new ActivationRows(CONTEXT);
    rows.begin(1, 1);
    assert.equal(rows.record(bytes, 0), -1);
    assert.equal(rows.length, 0);
  });
}

Deno.test("activationRow() reads JSON's -0 as 0, so that no table prints -0.0", () => {
  const t = text(base()).replace('"value":5', '"value":-0').replace('"value":40', '"value":-0.0')
    .replace('"duration":3', '"duration":-0');
  const row = activationRow(JSON.parse(t), { ...CONTEXT, run: 1, level: 1 }, "here");
  for (const v of [row.wait_ms, row.init_ms, row.duration_ms]) assert.ok(Object.is(v, 0), `${v}`);
});

Deno.test("activationRow() reads the status of a summary or a stored document from its code", () => {
  const row = (r: Record<string, unknown>) =>
    activationRow(r, { ...CONTEXT, run: 1, level: 1 }, "here");
  const summary = (code: unknown) => {
    const r = base();
    delete r.response;
    r.statusCode = code;
    return row(r);
  };
  const pick = (r: ReturnType<typeof row>) => [r.status, r.success, r.error, r.source];
  assert.deepEqual(pick(summary(0)), ["success", true, null, "record"]);
  assert.deepEqual(pick(summary(2)), [
    "action developer error",
    false,
    '"action developer error"',
    "record",
  ]);
  assert.deepEqual(pick(summary(3)), [
    "whisk internal error",
    false,
    '"whisk internal error"',
    "record",
  ]);
  // Not a code OpenWhisk writes: unknown, as without one.
  for (const code of [4, -1, 1.5, "0", null]) {
    assert.deepEqual(pick(summary(code)), [null, null, null, "record"]);
  }
  // A stored document: its response has the code and the result.
  const stored = base();
  stored.response = { statusCode: 1, result: { error: "bad input" } };
  assert.deepEqual(pick(row(stored)), ["application error", false, "bad input", "record"]);
  // The API's own fields win where both are there.
  const both = base();
  both.response = { statusCode: 1, status: "success", success: true };
  assert.deepEqual(pick(row(both)), ["success", true, null, "record"]);
});

Deno.test("activationRow() quotes a huge value in its error cut, with its length", () => {
  const huge = "9".repeat(3_000_000);
  const t = text(base()).replace('"value":5', `"value":"${huge}"`);
  assert.throws(
    () => activationRow(JSON.parse(t), { ...CONTEXT, run: 1, level: 1 }, "here"),
    (e: Error) => {
      assert.ok(e.message.length < 300, `${e.message.length} characters`);
      assert.match(
        e.message,
        /waitTime is "9{59}\.\.\. \(3000002 characters of JSON\), expected a number/,
      );
      return true;
    },
  );
});

Deno.test("ActivationRows keeps fast rows and object rows in order, and rolls a group back", () => {
  const rows = new ActivationRows(CONTEXT);
  const bytes = new TextEncoder().encode(text(base()));
  rows.begin(1, 1);
  rows.record(bytes, 0);
  rows.commit();
  rows.push(activationRow(base(), { ...CONTEXT, run: 1, level: 2 }, "here"));
  rows.begin(1, 3);
  rows.record(bytes, 0);
  rows.commit();
  rows.begin(1, 4);
  rows.record(bytes, 0);
  rows.rollback();
  const frame = rows.toFrame();
  assert.deepEqual(frame.getColumn("level").toArray(), [1, 2, 3]);
  assert.equal(rows.length, 0);
});

Deno.test("ActivationRows.writePart() through a TsvPartWriter writes its part straight into its folder, rows equal to toFrame()'s", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A runtime that Hive's escaping changes, to show the folder is made as placePart makes it.
    const context = { experiment: "cold_start", workload: "hello", runtime: "wasm/x y" };
    const fill = (rows: ActivationRows) => {
      for (const [run, level] of [[1, 1], [1, 2], [2, 1]]) {
        const bytes = new TextEncoder().encode(text(record({ id: `a${run}${level}`, wait: 5 })));
        rows.begin(run, level);
        rows.record(bytes, 0);
        rows.commit();
      }
    };
    const expected = new ActivationRows(context);
    fill(expected);
    const rows = new ActivationRows(context);
    fill(rows);
    const writer = new TsvPartWriter();
    await rows.writePart(dir, "p.0001", writer);
    await writer.close();
    assert.deepEqual(await filesUnder(dir), [
      "activations/experiment=cold_start/runtime=wasm%2Fx%20y/p.0001.parquet",
    ]);
    const written = await readTable(dir, "activations");
    assert.equal(written.height, 3);
    assert.ok(written.frameEqual(expected.toFrame(), true));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Rows of a raw log as ingest builds them, with or without the fast path, read in `size`-byte chunks. */
async function logRows(
  text: string,
  size: number,
  fast: boolean,
): Promise<{ frame: pl.DataFrame; fastGroups: number }> {
  const bytes = new TextEncoder().encode(text);
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
  }
  const rows = new ActivationRows(CONTEXT);
  let fastGroups = 0;
  for await (const item of readActivationLog(chunks(), "x.log", fast ? rows : undefined)) {
    if (item.type === "group" && item.fast !== undefined) fastGroups++;
    const ctx = { ...CONTEXT, run: item.run, level: null as number | null };
    if (item.type === "trailer") rows.push(errorRow(ctx, item.text));
    else if (item.fast === undefined) {
      ctx.level = item.level;
      for (const r of item.responses) rows.push(activationRow(r, ctx, "x.log"));
    }
  }
  return { frame: rows.toFrame(), fastGroups };
}

Deno.test("readActivationLog() with the fast path gives the full parser's rows, however the bytes are cut", async () => {
  const odd = JSON.stringify(record({ id: "odd", wait: 9 }), null, 1); // declined: spaces
  const log = activationLog([
    [
      { level: 1, records: [{ id: "a", wait: 5, init: 40 }, { id: "b", wait: 2 }] },
      { level: 2, records: [{ id: "c", wait: 3 }, { id: "d", wait: 4, success: false }] },
    ],
    [{ level: 1, records: [{ id: "e", wait: 7, init: 50 }] }],
  ], 'Final Error:Curl("reset")').replace(
    '{"no_concurrent_requests":1,"responses":[',
    (m) => `{"no_concurrent_requests":3,"responses":[${odd}]},${m}`,
  );
  const expected = (await logRows(log, 1 << 20, false)).frame;
  assert.equal(expected.height, 7);
  for (const size of [1, 7, 64, 333, 1 << 20]) {
    const { frame, fastGroups } = await logRows(log, size, true);
    assert.deepEqual(frame.toRecords(), expected.toRecords(), `chunks of ${size}`);
    assert.equal(fastGroups, 3, `chunks of ${size}`);
  }
});

Deno.test("readActivationLog() reads 4 MB-like chunks the same: a group cut by a chunk's end, one larger than the bytes joined to it, an error's byte", async () => {
  const runs = Array.from({ length: 12 }, (_, r) =>
    Array.from({ length: 15 }, (_, l) => ({
      level: l + 1,
      records: Array.from(
        { length: l + 1 },
        (_, k) =>
          k % 4 === 0 ? { id: `r${r}l${l}k${k}`, wait: k + 1, init: 30 } : {
            id: `r${r}l${l}k${k}`,
            wait: k + 1,
          },
      ),
    })));
  // A group of 400 records (about 180 KB): longer than the 64 KB of a chunk joined to a group
  // that the chunk before cut.
  runs.push([{
    level: 400,
    records: Array.from({ length: 400 }, (_, k) => ({ id: `big${k}`, wait: 2 })),
  }]);
  const odd = JSON.stringify(record({ id: "odd", wait: 9 }), null, 1); // declined: spaces
  const log = activationLog(runs, 'Final Error:Curl("reset")').replace(
    '{"no_concurrent_requests":3,',
    (m) => `{"no_concurrent_requests":3,"responses":[${odd}]},${m}`,
  );
  assert.ok(log.length > 800_000);
  const expected = (await logRows(log, 1 << 22, false)).frame;
  assert.equal(expected.height, 12 * 120 + 400 + 1 + 1);
  for (const size of [65_537, 100_003, 250_000, 1 << 22]) {
    const { frame, fastGroups } = await logRows(log, size, true);
    assert.deepEqual(frame.toRecords(), expected.toRecords(), `chunks of ${size}`);
    assert.equal(fastGroups, 12 * 15 + 1, `chunks of ${size}`);
  }
  // A broken byte past several chunks is named at the same byte and line however it is cut,
  // and as when the log is read in one piece by the full parser.
  const at = log.indexOf('{"activationId":"big300"');
  const broken = log.slice(0, at) + "x" + log.slice(at + 1);
  const message = (size: number, fast: boolean) =>
    logRows(broken, size, fast).then(() => "no error", (err: Error) => err.message);
  const whole = await message(1 << 22, false);
  assert.match(whole, /^x\.log byte \d+ \(line \d+\): /);
  for (const size of [65_537, 100_003, 250_000]) assert.equal(await message(size, true), whole);
});

/** A random activation record: every field of the `1_` logs present, absent or odd. */
function randomRecord(rand: () => number): Record<string, unknown> {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const num = () =>
    pick([0, 1, 3, 17.25, 1692312439560, 1692312439560.5, 1e21, 2 ** 53 + 2, 0.1 + 0.2, 5e-7]);
  const str = () => pick(["hello", "hash", "grüße 🎉", 'q"uote', "back\\slash", "\u2028", "a b"]);
  const r = record({
    id: pick(["a1", "0123456789abcdef", crypto.randomUUID().replaceAll("-", ""), "x"]) +
      Math.floor(rand() * 1e6),
    action: pick(["hello", "hash", "net", "prime", "sleep"]),
    wait: pick([0, 1, 5, 123, 4567, 0.5]),
    init: rand() < 0.4 ? pick([0, 12, 2700, 33.5]) : undefined,
    start: rand() < 0.9 ? num() : undefined,
    duration: num(),
    success: rand() < 0.7,
  });
  const ann = r.annotations as { key: string; value: unknown }[];
  if (rand() < 0.2) {
    ann.splice(2, 1, { key: "kind", value: pick(["wasm:0.1", 3, null, "go:1.20"]) });
  }
  if (rand() < 0.1) ann.splice(2, 1); // no kind
  if (rand() < 0.1) ann.push({ key: "waitTime", value: 999 });
  if (rand() < 0.2) r.name = pick(["hello", ["x"], 7, null, str()]);
  if (rand() < 0.2) r.namespace = str();
  if (rand() < 0.2) r.end = pick([null, num()]);
  if (rand() < 0.1) delete r.end;
  if (rand() < 0.15) {
    r.response = pick([
      { status: pick(["success", "application error", "action developer error"]), success: true },
      { result: { error: str() }, status: "application error", success: false },
      { result: { error: { code: 3 } }, success: false },
      { result: [1, "two"], success: false },
      { success: false },
      { status: "s", success: "yes" },
    ]);
  }
  if (rand() < 0.05) delete r.response;
  if (rand() < 0.1) r.extra = { deep: [{ a: [] }, {}], s: str() };
  return r;
}

Deno.test("property: on 2,000 seeded random records, the fast path's row equals activationRow's in every column, or it declines", () => {
  const rand = random(20261130);
  let taken = 0;
  const nonNull = new Map<string, number>(Object.keys(ACTIVATION_COLUMNS).map((c) => [c, 0]));
  for (let i = 0; i < 2000; i++) {
    const t = JSON.stringify(randomRecord(rand));
    const expected = slow(t);
    const got = fast(t);
    if (got === null) continue;
    taken++;
    assert.ok(
      typeof expected !== "string",
      `record ${i}: fast took what activationRow rejects: ${t}`,
    );
    const [g] = got.toRecords(), [e] = expected.toRecords();
    for (const column of Object.keys(ACTIVATION_COLUMNS)) {
      assert.deepEqual(g[column], e[column], `record ${i}, column ${column}: ${t}`);
      if (e[column] !== null && e[column] !== undefined) {
        nonNull.set(column, nonNull.get(column)! + 1);
      }
    }
    assert.ok(got.frameEqual(expected, true), `record ${i}: types differ`);
  }
  assert.ok(taken > 1000, `the fast path took only ${taken} of 2,000`);
  // Every column was compared with a value in it (http_status is null in raw logs: no HTTP).
  const empty = [...nonNull].filter(([c, n]) => n === 0 && c !== "http_status").map(([c]) => c);
  assert.deepEqual(empty, []);
});

/** Strings, numbers and literals to put in a record's values, hostile strings among them. */
const SLOT_VALUES: unknown[] = [
  0,
  7,
  1692312439560,
  17.25,
  1e21,
  5e-7,
  -3,
  true,
  false,
  null,
  "",
  "x",
  'q"uote',
  "back\\slash",
  '\\"',
  "\u0001\u001f\u007f",
  "\u2028 grüße 🎉",
  '{["]}',
  "a\\u0041",
  "tab\tnew\nline",
  "success",
  "waitTime",
  "limits",
];

/**
 * `r` with some of its strings, numbers and literals replaced by others (the record's shape
 * kept), and now and then an annotation's key or a value turned into an object or an array
 * (the shape changed).
 */
function variant(r: unknown, rand: () => number, annotationKey = false): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  if (Array.isArray(r)) return r.map((v) => variant(v, rand, true));
  if (r !== null && typeof r === "object") {
    return Object.fromEntries(
      Object.entries(r).map(([k, v]) => {
        if (annotationKey && k === "key") {
          return [
            k,
            rand() < 0.005 ? pick(["waitTime", "initTime", "kind", "path", "limits", 5]) : v,
          ];
        }
        return [k, variant(v, rand)];
      }),
    );
  }
  const x = rand();
  if (x < 0.001) return pick([{ a: 1 }, [1, "b"], {}, []]);
  return x < 0.03 ? pick(SLOT_VALUES) : r;
}

/** Edits of a record's text that JSON.stringify would not write, in its values' places. */
const NON_CANONICAL: [RegExp, string][] = [
  [/"duration":(\d+)/, '"duration":$1.0'],
  [/"duration":\d+/, '"duration":-0'],
  [/"namespace":"guest"/, '"namespace":"gu\\u0065st"'],
  [/"namespace":"guest"/, '"namespace":"gu\\/est"'],
  [/"end":(\d+)/, '"end": $1'],
  [/"subject":"guest"/, '"subject":"gu\u00ffst"'],
  [/"value":false/, '"value":fals'],
  [/"status":"success"/, '"status":"succ\u0001ess"'],
];

/** The row and end of the record at `p` of `bytes` read through `rows`, or null if declined. */
function readOne(
  rows: ActivationRows,
  bytes: Uint8Array,
  p: number,
): { end: number; row: Record<string, unknown> } | null {
  rows.begin(2, 3);
  const end = rows.record(bytes, p);
  if (end < 0) {
    assert.equal(rows.length, 0);
    return null;
  }
  rows.commit();
  return { end, row: rows.toFrame().toRecords()[0] };
}

/**
 * A variant of one of `bases` (now and then not canonical) as bytes in a view of a larger
 * buffer at any offset, at `p` of it; now and then cut by the view's end, as by a chunk's,
 * its rest still in the buffer past the view.
 */
function shapedRecord(
  rand: () => number,
  bases: unknown[],
): { t: string; bytes: Uint8Array; p: number } {
  let t = JSON.stringify(variant(bases[Math.floor(rand() * bases.length)], rand));
  if (rand() < 0.04) {
    const [re, to] = NON_CANONICAL[Math.floor(rand() * NON_CANONICAL.length)];
    t = t.replace(re, to);
  }
  const head = ["", ",", "[{", " "][Math.floor(rand() * 4)];
  let full = new TextEncoder().encode(head + t + [",", "]}", ""][Math.floor(rand() * 3)]);
  if (t.includes("\u00ff")) full = full.map((b) => (b === 0xc3 ? 0xff : b));
  const pad = Math.floor(rand() * 4), buffer = new Uint8Array(pad + full.length + 8);
  buffer.set(full, pad);
  const cut = rand() < 0.05 ? head.length + Math.floor(rand() * t.length) : full.length;
  return { t, bytes: buffer.subarray(pad, pad + cut), p: head.length };
}

Deno.test("property: on 3,000 seeded records of a few shapes read by one reader, each row equals a new reader's and activationRow's, or both decline", () => {
  const rand = random(20261201);
  const reader = new RecordReader();
  const shared = new ActivationRows(CONTEXT, { reader });
  // A name with an escape: a match must keep its slot's plainness (the row is declined).
  const escaped = { ...record({ id: "e1", wait: 5 }), name: 'q"uote' };
  const bases = [
    record({ id: "a1", wait: 5 }),
    record({ id: "a2", wait: 5, init: 40 }),
    record({ id: "a3", wait: 5, success: false }),
    escaped,
  ];
  let taken = 0;
  for (let i = 0; i < 3000; i++) {
    const { t, bytes, p } = shapedRecord(rand, bases);
    const got = readOne(shared, bytes, p);
    const fresh = readOne(new ActivationRows(CONTEXT), bytes, p);
    assert.deepEqual(got, fresh, `record ${i}: ${t}`);
    if (got === null) continue;
    taken++;
    const expected = slow(new TextDecoder().decode(bytes.subarray(p, got.end)));
    assert.ok(typeof expected !== "string", `record ${i}: fast took what activationRow rejects`);
    assert.deepEqual(got.row, expected.toRecords()[0], `record ${i}: ${t}`);
  }
  // Most records were taken, most of them by matching a kept shape.
  assert.ok(taken > 1500, `taken ${taken}`);
  assert.ok(reader.matched > 1000, `matched ${reader.matched}`);
});

/** The TSV row, limits memory included, of the record at `p` of `bytes`, or null if declined. */
function tsvRow(rows: ActivationRows, bytes: Uint8Array, p: number): string | null {
  rows.begin(2, 3);
  if (rows.record(bytes, p) < 0) {
    assert.equal(rows.length, 0);
    return null;
  }
  rows.commit();
  return rows.tsvPieces()!.map((piece) => new TextDecoder().decode(piece)).join("");
}

Deno.test("property: with the limits memory, on 3,000 seeded records of a few shapes read by one reader, each TSV row equals a new reader's, or both decline", () => {
  const rand = random(20261202);
  const reader = new RecordReader({ limits: true });
  const shared = new ActivationRows(CONTEXT, { reader, limitsMemory: true });
  const valueFirst = record({ id: "v1", wait: 5 });
  (valueFirst.annotations as unknown[]).splice(4, 1, { value: { memory: 128 }, key: "limits" });
  const nested = record({ id: "n1", wait: 5 });
  nested.response = {
    result: { key: "limits", value: { memory: 64, logs: 1 } },
    status: "success",
    success: true,
  };
  (nested.annotations as unknown[]).splice(4, 1);
  const bases = [
    record({ id: "a1", wait: 5 }),
    record({ id: "a2", wait: 5, init: 40 }),
    valueFirst,
    nested,
  ];
  let taken = 0, memories = 0;
  for (let i = 0; i < 3000; i++) {
    const { t, bytes, p } = shapedRecord(rand, bases);
    const got = tsvRow(shared, bytes, p);
    const fresh = tsvRow(new ActivationRows(CONTEXT, { limitsMemory: true }), bytes, p);
    assert.equal(got, fresh, `record ${i}: ${t}`);
    if (got === null) continue;
    taken++;
    if (!got.endsWith("\t\n")) memories++;
  }
  assert.ok(taken > 1500, `taken ${taken}`);
  assert.ok(memories > 1000 && memories < taken, `${memories} of ${taken} with a memory`);
  // Many by matching a kept shape (fewer than above: a slot holding "limits" is not matched).
  assert.ok(reader.matched > 500, `matched ${reader.matched}`);
});

Deno.test("a reader that met records of ever new shapes reads them in full, then matches again once shapes repeat", () => {
  const reader = new RecordReader();
  const shared = new ActivationRows(CONTEXT, { reader });
  const encoder = new TextEncoder();
  const check = (r: Record<string, unknown>) => {
    const bytes = encoder.encode(JSON.stringify(r));
    assert.deepEqual(readOne(shared, bytes, 0), readOne(new ActivationRows(CONTEXT), bytes, 0));
  };
  // Each record of a shape of its own: no match, whatever the pauses.
  for (let i = 0; i < 300; i++) check({ ...record({ id: `n${i}`, wait: i }), [`extra${i}`]: i });
  assert.equal(reader.matched, 0);
  // Then one shape, its values changing: matched again within the longest pause so far.
  for (let i = 0; i < 600; i++) check(record({ id: `s${i}`, wait: i, start: 1692312439560 + i }));
  assert.ok(reader.matched > 300, `matched ${reader.matched}`);
});
