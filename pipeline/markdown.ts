/**
 * A frame as a Markdown table, for reading (the CSV beside it keeps full precision): numbers
 * are shown with at most `digits` decimals, nulls as empty cells. Text comes from datasets,
 * which may be crafted: it is escaped so that it stays text in its cell.
 */
import type pl from "nodejs-polars";

/** Formats one cell for display (text as it is: escaping belongs to the output format). */
export function formatCell(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(digits)));
  }
  if (typeof v === "bigint") return v.toString();
  return String(v);
}

/**
 * `text` as literal Markdown inline text on one line: line breaks and tabs become spaces,
 * other control characters are dropped, and the characters that end a table cell, open a code
 * span, an HTML tag, an autolink or a link or image (`|`, backtick, `<`, `>`, `[`, `]`, and the
 * escape character itself) are backslash-escaped. Emphasis characters are left alone: they cannot inject anything and
 * escaping them would clutter names such as `max_cpu_pct`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeMarkdown } from "./markdown.ts";
 * assert.equal(escapeMarkdown("a|b <script>\n`x`"), "a\\|b \\<script\\> \\`x\\`");
 * ```
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n?|[\n\t]/g, " ")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[\\|`<>[\]]/g, (c) => `\\${c}`);
}

/**
 * `text` as a Markdown code span that no character of it can close: fenced by one backtick
 * more than its longest run of them, padded where it starts or ends with one, on one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { markdownCode } from "./markdown.ts";
 * assert.equal(markdownCode("data/thesis"), "`data/thesis`");
 * assert.equal(markdownCode("a`b"), "``a`b``");
 * ```
 */
export function markdownCode(text: string): string {
  // deno-lint-ignore no-control-regex
  const line = text.replace(/\r\n?|[\n\t]/g, " ").replace(/[\u0000-\u001f\u007f]/g, "");
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = line.startsWith("`") || line.endsWith("`") ? " " : "";
  return `${fence}${pad}${line}${pad}${fence}`;
}

/**
 * Renders `frame` as a GitHub-flavoured Markdown table; numeric columns, and text columns named
 * in `rightAligned` (numbers already formatted), are right-aligned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toMarkdown } from "./markdown.ts";
 * assert.equal(
 *   toMarkdown(pl.DataFrame({ level: [1], mean: [2.123456] })),
 *   "| level | mean |\n| ---: | ---: |\n| 1 | 2.1235 |\n",
 * );
 * ```
 */
export function toMarkdown(frame: pl.DataFrame, digits = 4, rightAligned: string[] = []): string {
  const cols = frame.columns;
  const right = (c: string) => rightAligned.includes(c) || frame.getColumn(c).isNumeric();
  const align = cols.map((c) => (right(c) ? "---:" : "---"));
  const lines = [`| ${cols.map(escapeMarkdown).join(" | ")} |`, `| ${align.join(" | ")} |`];
  for (const row of frame.toRecords()) {
    lines.push(`| ${cols.map((c) => escapeMarkdown(formatCell(row[c], digits))).join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}
