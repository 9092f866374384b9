/**
 * A frame as a LaTeX table (booktabs), ready for `\input{}` in a paper: the CSV beside it keeps
 * full precision, this one shows each number with the decimals asked for (per column, or one
 * default), escapes LaTeX's special characters, and leaves nulls empty. Names and captions come
 * from datasets, which may be crafted: no text of theirs can run a command (`\input{}`), end
 * a cell, a row or the table, or break out of `\label{}`.
 */
import type pl from "nodejs-polars";

/** Options of {@linkcode toLatex}. */
export interface LatexOptions {
  /** `\caption{}` text; no table float is written without it. */
  caption?: string;
  /** `\label{}` key, e.g. `tab:cold-start-docker`. */
  label?: string;
  /** Decimals per column; columns not named use `digits`. */
  decimals?: Record<string, number>;
  /** Decimals of numeric columns not in `decimals` (integers are always shown whole). */
  digits?: number;
  /** Column alignment where the default (numbers right, text left) is not wanted. */
  align?: Record<string, "l" | "c" | "r">;
}

const SPECIAL: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "&": "\\&",
  "%": "\\%",
  "$": "\\$",
  "#": "\\#",
  "_": "\\_",
  "{": "\\{",
  "}": "\\}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}",
  // A row starting with `[` would be read as the optional argument of the `\\` before it.
  "[": "{[}",
  "]": "{]}",
};

/**
 * Escapes the characters LaTeX treats specially in text; line breaks (which would end a
 * paragraph inside a cell) become spaces and other control characters are dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeLatex } from "./latex.ts";
 * assert.equal(escapeLatex("\\input{/etc/passwd}"), "\\textbackslash{}input\\{/etc/passwd\\}");
 * ```
 */
export function escapeLatex(text: string): string {
  return text
    .replace(/\r\n?|[\n\t]/g, " ")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[\\&%$#_{}~^[\]]/g, (c) => SPECIAL[c]);
}

/** A `\label{}` key of `[A-Za-z0-9:._-]` only: any other character becomes `-`. */
export function latexLabel(key: string): string {
  return key.replace(/[^A-Za-z0-9:._-]/g, "-");
}

function cell(v: unknown, decimals: number | undefined, digits: number): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (decimals !== undefined) return v.toFixed(decimals);
    return Number.isInteger(v) ? String(v) : v.toFixed(digits);
  }
  if (typeof v === "bigint") return v.toString();
  return escapeLatex(String(v));
}

/**
 * Renders `frame` as a booktabs tabular, inside a `table` float when a caption is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toLatex } from "./latex.ts";
 * const tex = toLatex(pl.DataFrame({ level: [1], cov_pct: [12.3456] }), {
 *   decimals: { cov_pct: 1 },
 * });
 * assert.equal(
 *   tex,
 *   "\\begin{tabular}{rr}\n\\toprule\nlevel & cov\\_pct \\\\\n\\midrule\n" +
 *     "1 & 12.3 \\\\\n\\bottomrule\n\\end{tabular}\n",
 * );
 * ```
 */
export function toLatex(frame: pl.DataFrame, options: LatexOptions = {}): string {
  const { decimals = {}, digits = 2 } = options;
  const cols = frame.columns;
  const spec = cols
    .map((c) => options.align?.[c] ?? (frame.getColumn(c).isNumeric() ? "r" : "l"))
    .join("");
  const lines = [
    `\\begin{tabular}{${spec}}`,
    "\\toprule",
    `${cols.map(escapeLatex).join(" & ")} \\\\`,
    "\\midrule",
  ];
  for (const row of frame.toRecords()) {
    lines.push(`${cols.map((c) => cell(row[c], decimals[c], digits)).join(" & ")} \\\\`);
  }
  lines.push("\\bottomrule", "\\end{tabular}");
  if (options.caption === undefined) return lines.join("\n") + "\n";
  return [
    "\\begin{table}[htbp]",
    "\\centering",
    `\\caption{${escapeLatex(options.caption)}}`,
    ...(options.label ? [`\\label{${latexLabel(options.label)}}`] : []),
    ...lines,
    "\\end{table}",
  ].join("\n") + "\n";
}
