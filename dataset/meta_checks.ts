/**
 * dataset.json checked on read: it is free-form provenance, but the fields a table is made of
 * (Tables 1, 2 come from `actions`) and the one the report shows as the dataset's name must
 * have their shape, or a table breaks far from the file with a message that names none
 * (`actions.map is not a function`). Also used for ingest's `--meta` file, merged into it.
 */
import type { DatasetMeta } from "./mod.ts";

const ACTION_TEXT = ["runtime", "file", "action", "type"] as const;
const ACTION_NUMBERS = ["lines_of_code", "size_kb"] as const;

/**
 * The deepest nesting dataset.json may have. JSON.parse reads any depth, but JSON.stringify
 * (writing dataset.json, provenance) recurses and overflows the stack on a deep enough value.
 */
export const MAX_META_DEPTH = 100;

/** Throws naming `file` and the JSON path where `value` nests deeper than MAX_META_DEPTH. */
function checkDepth(value: unknown, file: string): void {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (depth >= MAX_META_DEPTH) {
      throw new TypeError(
        `${file}: ${path.slice(0, 80)}${path.length > 80 ? "..." : ""} is nested deeper than ` +
          `${MAX_META_DEPTH} levels`,
      );
    }
    for (const [k, child] of Object.entries(v)) {
      const at = Array.isArray(v) ? `${path}[${k}]` : `${path}${path ? "." : ""}${k}`;
      stack.push({ v: child, path: at, depth: depth + 1 });
    }
  }
}

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
  checkDepth(value, file);
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
