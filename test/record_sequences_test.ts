/**
 * The fast path's reader against the full parser over sequences of records, each made from the
 * one before by a byte or two: what the reader remembers of the records before (their shapes)
 * must never make it take a record the full parser reads otherwise. Real exports are such
 * sequences (records of a few shapes, most bytes repeating), and a hostile file can be one too.
 * Each text is read by a reader that has read all the texts before and by a new one: both give
 * activationRow's row of JSON.parse(text), every column and the `record` bytes, or decline.
 */
import assert from "node:assert/strict";
import { ActivationRows } from "../dataset/activation_bytes.ts";
import { RecordReader } from "../dataset/_record_reader.ts";
import { ACTIVATION_COLUMNS, activationRow, FrameBuilder } from "../dataset/mod.ts";
import { record } from "./_raw_logs.ts";
import { random } from "../bench/random.ts";

const CONTEXT = { experiment: "concurrency", workload: "hello", runtime: "wasm" };
const encoder = new TextEncoder(), decoder = new TextDecoder();

/** The full parser's row of `text` (its records), or null where it throws. */
function slow(text: string): Record<string, unknown> | null {
  try {
    const b = new FrameBuilder(ACTIVATION_COLUMNS);
    b.push(activationRow(JSON.parse(text), { ...CONTEXT, run: 1, level: 2 }, "here"));
    return b.toFrame().toRecords()[0];
  } catch {
    return null;
  }
}

/**
 * The fast path's row of the record at the start of `bytes` read by `reader`, and where the
 * record ends (an edit can close it early: the rest is then the splitter's to refuse), or null
 * where it declines.
 */
function fast(
  reader: RecordReader,
  bytes: Uint8Array,
): { row: Record<string, unknown>; end: number } | null {
  const rows = new ActivationRows(CONTEXT, { reader });
  rows.begin(1, 2);
  const end = rows.record(bytes, 0);
  if (end < 0) return null;
  rows.commit();
  return { row: rows.toFrame().toRecords()[0], end };
}

/**
 * Reads `text` with `reader` (which has read the texts before) and with a new reader, and
 * checks that both give the same, and, where they take a record, the full parser's row of it.
 * Returns whether the record was taken.
 */
function agrees(reader: RecordReader, text: string, i: number): boolean {
  const bytes = encoder.encode(text);
  const remembering = fast(reader, bytes), fresh = fast(new RecordReader(), bytes);
  assert.deepEqual(remembering, fresh, `record ${i}: ${text}`);
  if (remembering === null) return false;
  const expected = slow(decoder.decode(bytes.subarray(0, remembering.end)));
  assert.ok(
    expected !== null,
    `record ${i}: the fast path took what the full parser rejects: ${text}`,
  );
  assert.deepEqual(remembering.row, expected, `record ${i}: ${text}`);
  return true;
}

/** Canonical records of the shapes an export holds: cold, warm, failed, with logs and results. */
function bases(): string[] {
  const out: Record<string, unknown>[] = [
    record({ id: "0123456789abcdef0123456789abcdef", wait: 12, init: 340 }),
    record({ id: "fedcba9876543210fedcba9876543210", wait: 3 }),
    record({ id: "00000000000000000000000000000001", wait: 1, success: false }),
    record({ id: "11111111111111111111111111111111", wait: 1234, init: 5, duration: 99 }),
  ];
  const logs = record({ id: "22222222222222222222222222222222", wait: 8 });
  logs.logs = ['2024-01-01T00:00:00.000Z stdout: hi "there"', "tab\there", "é ü 🎉"];
  logs.response = {
    result: { a: [1, 2, { b: "c\\d" }], n: null, t: true },
    status: "success",
    success: true,
  };
  out.push(logs);
  return out.map((r) => JSON.stringify(r));
}

const DIGITS = "0123456789", LETTERS = "abcdefghijklmnopqrstuvwxyz";
const ANY = [
  '"',
  "\\",
  ":",
  ",",
  "{",
  "}",
  "[",
  "]",
  " ",
  "-",
  ".",
  "e",
  "0",
  "9",
  "a",
  "é",
  "\n",
  "\u0001",
];

/** `text` changed by one edit: mostly one that keeps it JSON (a digit, a letter), else any. */
function mutate(text: string, rand: () => number): string {
  const at = Math.floor(rand() * text.length), c = text[at];
  const pick = (xs: string | string[]) => xs[Math.floor(rand() * xs.length)];
  const roll = rand();
  if (roll < 0.35 && DIGITS.includes(c)) {
    return text.slice(0, at) + pick(DIGITS) + text.slice(at + 1);
  }
  if (roll < 0.6 && LETTERS.includes(c)) {
    return text.slice(0, at) + pick(LETTERS) + text.slice(at + 1);
  }
  if (roll < 0.7) return text.slice(0, at) + pick(DIGITS) + text.slice(at); // a longer number or key
  if (roll < 0.8) return text.slice(0, at) + text.slice(at + 1);
  if (roll < 0.9) return text.slice(0, at) + pick(ANY) + text.slice(at + 1);
  return text.slice(0, at) + pick(ANY) + text.slice(at);
}

Deno.test("property: over 4,000 records each an edit of the one before, the remembering reader, a new one and the full parser agree", () => {
  const rand = random(7_2026_12_01);
  const starts = bases();
  const reader = new RecordReader();
  // `valid`: the last text the full parser read, which the next edit starts from.
  let text = starts[0], valid = text, taken = 0, declined = 0;
  for (let i = 0; i < 4000; i++) {
    // Now and then a fresh record of another shape; else an edit of the last valid text.
    text = rand() < 0.15 ? starts[Math.floor(rand() * starts.length)] : mutate(valid, rand);
    if (rand() < 0.3) text = mutate(text, rand);
    if (slow(text) !== null) valid = text;
    if (agrees(reader, text, i)) taken++;
    else declined++;
  }
  // Most edits keep the record readable by the fast path; many do not.
  assert.ok(taken > 1500 && declined > 500, `taken ${taken}, declined ${declined}`);
});

/** A hex string of `n` digits. */
function hex(rand: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += "0123456789abcdef"[Math.floor(rand() * 16)];
  return s;
}

/** `base` (a canonical record's text) with new values where an export's records differ. */
function valueVariant(base: string, rand: () => number): string {
  const r = JSON.parse(base);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  r.activationId = hex(rand, pick([32, 32, 32, 31, 1]));
  r.start = 1692312439560 + Math.floor(rand() * pick([10, 1e3, 1e6]));
  r.duration = pick([0, 1, 9, 10, 99, 100, 12345]);
  r.end = r.start + r.duration;
  for (const a of r.annotations) {
    if (a.key === "waitTime") a.value = pick([0, 1, 9, 10, 250, 1e4]);
    if (a.key === "initTime") a.value = pick([1, 33, 340, 2000]);
  }
  if (rand() < 0.2) r.name = pick(["hello", "hash", "net", "h\u00e9llo", 'q"', "a\\b", ""]);
  if (rand() < 0.1) r.response.success = !r.response.success;
  if (Array.isArray(r.logs) && r.logs.length > 0 && rand() < 0.3) {
    r.logs[0] = pick(["x", "tab\there", 'quote " in', "\u0001", "é"]);
  }
  return JSON.stringify(r);
}

Deno.test("property: over 4,000 records of a few shapes with new values, now and then an edit of a byte or two, the remembering reader, a new one and the full parser agree", () => {
  const rand = random(20261201);
  const starts = bases().slice(0, 3).concat(bases()[4]);
  const reader = new RecordReader();
  let taken = 0, edited = 0;
  for (let i = 0; i < 4000; i++) {
    let text = valueVariant(starts[Math.floor(rand() * starts.length)], rand);
    // An edit in one record of ten, after records the reader has matched with its shapes.
    if (rand() < 0.1) {
      text = mutate(text, rand);
      edited++;
    }
    if (agrees(reader, text, i)) taken++;
  }
  assert.ok(taken > 3000 && edited > 300, `taken ${taken}, edited ${edited}`);
  // Most records were read by matching a shape the reader kept, the edited ones among them.
  assert.ok(reader.matched > 3000, `matched ${reader.matched}`);
});
