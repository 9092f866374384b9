/**
 * Values from data as error messages quote them: as JSON, cut after their first 60 characters
 * with their length, since a field or a record's value may be megabytes long.
 */

/** Characters of a value a message quotes. */
const QUOTED_CHARS = 60;

/**
 * A text as messages quote it: as JSON, cut after its first 60 characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quoted } from "./quoted.ts";
 * assert.equal(quoted("abc"), '"abc"');
 * assert.equal(quoted("x".repeat(100)), `"${"x".repeat(60)}"... (100 characters)`);
 * ```
 */
export function quoted(text: string): string {
  if (text.length <= QUOTED_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTED_CHARS))}... (${text.length} characters)`;
}

/** Any JSON value as messages show it: its JSON text, cut as {@linkcode quoted} cuts. */
export function shownJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  if (text.length <= QUOTED_CHARS) return text;
  return `${text.slice(0, QUOTED_CHARS)}... (${text.length} characters of JSON)`;
}
