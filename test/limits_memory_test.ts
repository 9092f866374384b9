/**
 * The two forms of the `limits` memory pattern (dataset/limits_memory.ts) agree: the bytes
 * reader of the importers' fast path gives, on compact record text, what the polars
 * expression gives, value for value and null for null.
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { limitsMemory, writeLimitsMemory } from "../dataset/limits_memory.ts";
import { RecordReader } from "../dataset/_record_reader.ts";
import { random } from "../bench/random.ts";

/** The memory of each text by polars (as text, so that an Int64 keeps its every digit). */
function byPolars(texts: string[]): (string | null)[] {
  return pl.DataFrame({ record: texts })
    .select(limitsMemory(pl.col("record")).cast(pl.Utf8).alias("m"))
    .getColumn("m").toArray() as (string | null)[];
}

/**
 * The memory of each text by the bytes reader, as polars' Int64 prints it, from the places the
 * record reader noted; `undefined` where the reader declines the text (not canonical JSON:
 * such a record's memory comes from the polars pattern).
 */
function byBytes(texts: string[]): (string | null | undefined)[] {
  const reader = new RecordReader({ limits: true });
  return texts.map((t) => {
    const bytes = new TextEncoder().encode(t);
    if (reader.read(bytes, 0) !== bytes.length) return undefined;
    const out = new Uint8Array(19);
    const n = writeLimitsMemory(bytes, 0, bytes.length, reader.limits!, out, 0);
    return n === 0 ? null : String(BigInt(new TextDecoder().decode(out.subarray(0, n))));
  });
}

Deno.test("writeLimitsMemory() reads the memory of the limits annotation, key or value first", () => {
  const texts = [
    '{"annotations":[{"key":"limits","value":{"concurrency":1,"memory":256,"timeout":6}}]}',
    '{"annotations":[{"value":{"memory":512},"key":"limits"}]}',
    '{"annotations":[{"key":"limits","value":{"memory":0}}]}',
    '{"annotations":[{"key":"limits","value":{"memory":128.5}}]}',
    '{"annotations":[{"key":"limits","value":{"memory":9223372036854775000}}]}',
    '{"annotations":[{"key":"limits","value":{"memory":9223372036854776000}}]}',
    '{"annotations":[{"key":"limits","value":{"a":{"b":1},"memory":64}}]}',
    '{"annotations":[{"key":"limit","value":{"memory":64}}]}',
    '{"annotations":[],"response":{"result":{"log":"\\"key\\":\\"limits\\",\\"value\\":{\\"memory\\":9}"}}}',
    // A key ending in an escaped quote and `key`: the pattern's text, so its match.
    '{"annotations":[],"response":{"result":{"a\\"key":"limits","value":{"memory":9}}}}',
    '{"annotations":[],"response":{"result":{"value":{"memory":8},"b\\"key":"limits"}}}',
    // A limits annotation nested in another one's value, after its memory: the outer is first.
    '{"annotations":[{"key":"limits","value":{"memory":7,"n":{"key":"limits","value":{"memory":5}}}}]}',
  ];
  const got = byBytes(texts);
  assert.deepEqual(got, [
    "256",
    "512",
    "0",
    null,
    "9223372036854775000",
    null,
    null,
    null,
    null,
    "9",
    null, // value first, the pattern wants `,"key"`
    "7",
  ]);
  assert.deepEqual(got, byPolars(texts));
});

/** A compact JSON token of a memory value, valid JSON, from plain to odd. */
const MEMORY_TOKENS = [
  "256",
  "128",
  "0",
  "128.5",
  "-1",
  "1e+21",
  '"256"',
  "null",
  "true",
  "[256]",
  // Canonical JSON numbers (as JSON.stringify writes them) either side of the Int64 limit.
  "9223372036854775000",
  "9223372036854776000",
  "100000000000000000000",
];

/** A random compact object member list around `memory` (or without it). */
function limitsObject(rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const members = [
    '"concurrency":1',
    '"logs":10',
    '"timeout":60000',
    pick([
      '"s":"{"',
      '"s":"}"',
      '"s":"a,b"',
      '"n":{"x":1}',
      '"arr":[1,2]',
      '"t":"memory"',
      '"n":{"key":"limits","value":{"memory":5}}',
    ]),
  ].filter(() => rand() < 0.5);
  if (rand() < 0.85) {
    members.splice(Math.floor(rand() * (members.length + 1)), 0, `"memory":${pick(MEMORY_TOKENS)}`);
  }
  return `{${members.join(",")}}`;
}

/** A random compact record text with zero, one or two limits annotations in any order. */
function recordText(rand: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const annotation = () =>
    rand() < 0.7
      ? `{"key":"limits","value":${limitsObject(rand)}}`
      : `{"value":${limitsObject(rand)},${
        pick(['"key":"limits"', '"other":1,"key":"limits"', '"a\\"key":"limits"'])
      }}`;
  const annotations = ['{"key":"waitTime","value":5}', '{"key":"kind","value":"nodejs:20"}'];
  const n = pick([0, 1, 1, 1, 2]);
  for (let i = 0; i < n; i++) {
    annotations.splice(Math.floor(rand() * (annotations.length + 1)), 0, annotation());
  }
  const result = pick([
    '{"ok":true}',
    `{"key":"limits","value":${limitsObject(rand)}}`,
    `{"a\\"key":"limits","value":${limitsObject(rand)}}`,
    '{"text":"\\"key\\":\\"limits\\",\\"value\\":{\\"memory\\":7}"}',
    `[{"value":${limitsObject(rand)},"key":"limits"}]`,
  ]);
  const members = [
    '"activationId":"a1"',
    `"annotations":[${annotations.join(",")}]`,
    `"response":{"result":${result},"success":true}`,
  ];
  if (rand() < 0.3) members.reverse();
  return `{${members.join(",")}}`;
}

Deno.test("property: on 3,000 seeded random records, writeLimitsMemory() equals the polars pattern's memory", () => {
  const rand = random(20261201);
  const texts = Array.from({ length: 3000 }, () => recordText(rand));
  const [want, got] = [byPolars(texts), byBytes(texts)];
  // Every text is compact canonical JSON: the record reader reads each.
  for (const [i, t] of texts.entries()) assert.equal(got[i], want[i], `record ${i}: ${t}`);
  // Both outcomes, and the value-first form, were met.
  const found = want.filter((m) => m !== null).length;
  assert.ok(found > 500 && found < 2500, `${found} of 3,000 with a memory`);
  const valueFirst = texts.filter((t, i) =>
    want[i] !== null && !/"key":"limits","value":\{[^{}]*?"memory":\d+[,}]/.test(t)
  );
  assert.ok(valueFirst.length > 20, `${valueFirst.length} found value first`);
});

/** A random JSON value of nested objects and arrays whose keys and strings are the pattern's. */
function anyValue(rand: () => number, depth = 0): unknown {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const r = rand();
  if (depth > 4 || r < 0.3) {
    return pick<unknown>([
      "limits",
      "limit",
      5,
      256,
      0,
      12.5,
      -3,
      "{",
      "}",
      '"key":"limits","value":{"memory":3}',
      true,
      null,
      1e21,
      1e20,
    ]);
  }
  if (r < 0.45) {
    return Array.from({ length: Math.floor(rand() * 3) }, () => anyValue(rand, depth + 1));
  }
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) {
    if (rand() < 0.3) {
      object.key = "limits";
      object.value = anyValue(rand, depth + 1);
    } else {
      const key = pick([
        "key",
        "value",
        "memory",
        "limits",
        'a"key',
        'v"value',
        'm"memory',
        "logs",
      ]);
      object[key] = anyValue(rand, depth + 1);
    }
  }
  return object;
}

Deno.test("property: on 5,000 seeded random records of any nesting, writeLimitsMemory() equals the polars pattern's memory", () => {
  const rand = random(7);
  const texts = Array.from({ length: 5000 }, () =>
    JSON.stringify({
      activationId: "a1",
      annotations: [anyValue(rand, 1), { key: "limits", value: anyValue(rand, 2) }],
      response: { result: anyValue(rand, 2) },
    }));
  const [want, got] = [byPolars(texts), byBytes(texts)];
  for (const [i, t] of texts.entries()) assert.equal(got[i], want[i], `record ${i}: ${t}`);
  const found = want.filter((m) => m !== null).length;
  assert.ok(found > 100, `${found} of 5,000 with a memory`);
});
