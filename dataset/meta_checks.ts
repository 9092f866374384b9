/**
 * dataset.json checked on read: it is free-form provenance, but the fields a table is made of
 * (Tables 1, 2 come from `actions`) and the one the report shows as the dataset's name must
 * have their shape, or a table breaks far from the file with a message that names none
 * (`actions.map is not a function`). Also used for ingest's `--meta` file, merged into it.
 */
import type { DatasetMeta } from "./mod.ts";

const ACTION_TEXT = ["runtime", "file", "action", "type"] as const;
const ACTION_NUMBERS = ["lines_of_code", "size_kb"] as const;

function kind(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * `value` as dataset metadata, or a TypeError naming `file`, the JSON path of the first field
 * of the wrong shape (`actions[2].size_kb`), what it holds and what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkMeta } from "./meta_checks.ts";
 * assert.throws(() => checkMeta({ actions: { a: 1 } }, "m.json"), /m.json: actions is an object, expected an array/);
 * ```
 */
export function checkMeta(value: unknown, file: string): DatasetMeta {
  const fail = (path: string, v: unknown, expected: string): never => {
    throw new TypeError(`${file}: ${path} is ${kind(v)}, expected ${expected}`);
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail("the top level", value, "a JSON object");
  }
  const meta = value as Record<string, unknown>;
  for (const key of ["name", "source"]) {
    if (key in meta && typeof meta[key] !== "string") fail(key, meta[key], "text");
  }
  if ("actions" in meta) {
    if (!Array.isArray(meta.actions)) fail("actions", meta.actions, "an array");
    (meta.actions as unknown[]).forEach((a, i) => {
      const at = `actions[${i}]`;
      if (typeof a !== "object" || a === null || Array.isArray(a)) fail(at, a, "an object");
      const action = a as Record<string, unknown>;
      for (const k of ACTION_TEXT) {
        if (typeof action[k] !== "string") fail(`${at}.${k}`, action[k], "text");
      }
      for (const k of ACTION_NUMBERS) {
        const v = action[k];
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
          fail(`${at}.${k}`, v, "a number >= 0");
        }
      }
    });
  }
  return meta as DatasetMeta;
}
