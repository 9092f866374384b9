/**
 * Where the report and table writers put a file. Table ids, figure ids and runtime names come
 * from a dataset, which may be crafted: as file names they are reduced to a safe alphabet, and
 * every path written is checked to stay inside the output folder the user named, so no dataset
 * can write or overwrite a file anywhere else.
 */
import { isAbsolute, join, relative, resolve } from "node:path";

/** Longest file name {@linkcode safeName} returns, extension not included. */
export const MAX_NAME_LENGTH = 100;

/** 32-bit FNV-1a of `text`'s UTF-16 code units, as 8 hex digits: short, stable, no I/O. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * `name` as a file name of `[a-z0-9_.-]` only, without a leading dot or dash and at most
 * {@linkcode MAX_NAME_LENGTH} long. A name already in that form is kept as it is; any other
 * gets a hash of the original appended, so two names that differ stay two files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { safeName } from "./out_path.ts";
 * assert.equal(safeName("cold_start_docker"), "cold_start_docker");
 * assert.match(safeName("../../x"), /^_\._\.\._x-[0-9a-f]{8}$/);
 * ```
 */
export function safeName(name: string): string {
  const reduced = name.toLowerCase().replace(/[^a-z0-9_.-]/g, "_").replace(/^[.-]/, "_");
  if (reduced === name && name.length > 0 && name.length <= MAX_NAME_LENGTH) return name;
  return `${reduced.slice(0, MAX_NAME_LENGTH - 9)}-${fnv1a(name)}`;
}

/**
 * `join(out, ...parts)`, after checking that it names something strictly inside `out`.
 *
 * @throws {RangeError} where the path would leave `out` (or is `out` itself).
 */
export function outPath(out: string, ...parts: string[]): string {
  const path = join(out, ...parts);
  const rel = relative(resolve(out), resolve(path));
  if (rel === "" || rel === ".." || rel.startsWith("../") || isAbsolute(rel)) {
    throw new RangeError(
      `Refusing to write ${JSON.stringify(parts.join("/"))}: outside the output folder ${out}`,
    );
  }
  return path;
}

/** The path of `<dir>/<safeName(name)><ext>`, checked to stay inside `dir`. */
export function dataFile(dir: string, name: string, ext: string): string {
  return outPath(dir, safeName(name) + ext);
}
