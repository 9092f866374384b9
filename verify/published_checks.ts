/**
 * published.json checked on read. A dataset may bring its own (a study's published numbers),
 * so it is untrusted input: a field of the wrong shape must be an error naming the file and the
 * field, not `t.rows is not iterable` from deep inside the grading.
 */
import type { Published } from "./cells.ts";

/** Fields each kind of published table needs besides `id`, `label`, `kind` and `rows`. */
const NEEDS: Record<string, string[]> = {
  actions: ["runtime"],
  cold_start: ["runtime"],
  warm: ["runtime", "workload"],
  comparison: ["experiment", "workload", "slowdown"],
  capacity: [],
  init_durations: ["runtime"],
  run_durations: ["runtime"],
};

function kind(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `value` as published numbers, or a TypeError naming `file`, the JSON path of the first field
 * of the wrong shape, what it holds and what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPublished } from "./published_checks.ts";
 * assert.throws(
 *   () => checkPublished({ source: "x", tables: [{ id: "t", label: "T", kind: "capacity", rows: 5 }] }, "p.json"),
 *   /p.json: tables\[0\].rows is number 5, expected an array of objects/,
 * );
 * ```
 */
export function checkPublished(value: unknown, file: string): Published {
  const fail = (path: string, v: unknown, expected: string): never => {
    throw new TypeError(`${file}: ${path} is ${kind(v)}, expected ${expected}`);
  };
  if (!isObject(value)) return fail("the top level", value, "a JSON object");
  if (typeof value.source !== "string") fail("source", value.source, "text");
  if (!Array.isArray(value.tables)) fail("tables", value.tables, "an array");
  (value.tables as unknown[]).forEach((t, i) => {
    const at = `tables[${i}]`;
    if (!isObject(t)) return fail(at, t, "an object");
    for (const k of ["id", "label", "kind"]) {
      if (typeof t[k] !== "string") fail(`${at}.${k}`, t[k], "text");
    }
    const needs = NEEDS[t.kind as string];
    if (!needs) fail(`${at}.kind`, t.kind, `one of ${Object.keys(NEEDS).join(", ")}`);
    for (const k of ["title", "runtime", "workload", "experiment"]) {
      if ((k in t || needs.includes(k)) && typeof t[k] !== "string") {
        fail(`${at}.${k}`, t[k], "text");
      }
    }
    if ("slowdown" in t || needs.includes("slowdown")) {
      const s = t.slowdown;
      if (!isObject(s)) return fail(`${at}.slowdown`, s, "an object");
      for (const k of ["numerator", "denominator", "ratio"]) {
        if (typeof s[k] !== "string") fail(`${at}.slowdown.${k}`, s[k], "text");
      }
    }
    if (!Array.isArray(t.rows)) fail(`${at}.rows`, t.rows, "an array of objects");
    (t.rows as unknown[]).forEach((r, j) => {
      if (!isObject(r)) return fail(`${at}.rows[${j}]`, r, "an object");
      for (const [k, v] of Object.entries(r)) {
        const ok = typeof v === "string" ||
          (Array.isArray(v) && v.every((x) => typeof x === "string"));
        if (!ok) fail(`${at}.rows[${j}].${k}`, v, "text or an array of text");
      }
    });
  });
  return value as unknown as Published;
}
