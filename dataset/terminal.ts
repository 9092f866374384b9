/**
 * Text for a terminal, the one output context of a task that is not a file: what a task prints
 * (progress, warnings, errors) carries strings of a dataset (runtime names in figure ids, part
 * file names, values in messages), and a terminal obeys the control characters in them: escape
 * sequences that set the window title, clear the screen, move the cursor over earlier lines or
 * (OSC 52) write the clipboard, a carriage return that hides a line behind another, and
 * bidirectional overrides that show text in another order than it has. Here each of those is
 * its escape (`\x1b`, `\u202e`), so that a line shows what it holds. Line feeds and tabs stay:
 * the tasks' own lines use them.
 */

/** C0 controls but tab and line feed, DEL, C1 controls, and Unicode's bidirectional controls. */
// deno-lint-ignore no-control-regex -- control characters are what it finds
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with every control character a terminal would act on written as its escape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalText } from "./terminal.ts";
 * assert.equal(terminalText("a\x1b]0;t\x07\r\u202eb\n"), "a\\x1b]0;t\\x07\\x0d\\u202eb\n");
 * ```
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}
