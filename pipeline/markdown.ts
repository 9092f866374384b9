/**
 * A frame as a Markdown table, for reading (the CSV beside it keeps full precision): numbers
 * are shown with at most `digits` decimals, nulls as empty cells.
 */
import type pl from "nodejs-polars";

/** Formats one cell for display. */
export function formatCell(v: unknown, digits = 4): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(digits)));
  }
  if (typeof v === "bigint") return v.toString();
  return String(v).replaceAll("|", "\\|").replaceAll("\n", " ");
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
  const lines = [`| ${cols.join(" | ")} |`, `| ${align.join(" | ")} |`];
  for (const row of frame.toRecords()) {
    lines.push(`| ${cols.map((c) => formatCell(row[c], digits)).join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}
