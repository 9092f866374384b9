/**
 * A frame as a LaTeX table (booktabs), ready for `\input{}` in a paper: the CSV beside it keeps
 * full precision, this one shows each number with the decimals asked for (per column, or one
 * default), escapes LaTeX's special characters, and leaves nulls empty. Columns are headed by
 * readable labels, not column names; a long table breaks across pages (longtable), a wide one
 * is set smaller and, if still wider than the text, scaled down to its width (graphicx), so a
 * paper needs `\usepackage{booktabs,longtable,graphicx}`.
 * Names and captions come from datasets, which may be crafted: no text of theirs can run a
 * command (`\input{}`), end a cell, a row or the table, or break out of `\label{}`.
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
  /** Header of a column (plain text). Default: its {@linkcode HEADER_LABELS} label, else its name. */
  headers?: Record<string, string>;
  /** Marks written after cells (a footnote's letter), by row index and column. */
  marks?: { row: number; column: string; mark: string }[];
  /** Lines under the table, each starting with the mark it explains. */
  notes?: { mark: string; text: string }[];
}

/** Readable headers of the pipeline's column names. */
export const HEADER_LABELS: Record<string, string> = {
  experiment: "Experiment",
  workload: "Workload",
  runtime: "Runtime",
  level: "Level",
  levels: "Levels",
  n: "n",
  mean: "Mean",
  sd: "SD",
  cov_pct: "CoV (%)",
  median: "Median",
  p95: "P95",
  p99: "P99",
  min: "Min",
  max: "Max",
  n_errors: "Errors",
  n_not_cold: "Not cold",
  mean_of_level_means: "Mean of level means",
  mean_of_level_cov_pct: "Mean of level CoV (%)",
  numerator: "Numerator",
  denominator: "Denominator",
  ratio: "Ratio",
  ratio_of_level_means: "Ratio of level means",
  metric: "Metric",
  baseline: "Baseline",
  other: "Other",
  baseline_value: "Baseline value",
  other_value: "Other value",
  capacity: "Capacity",
  error: "Error",
  max_cpu_pct: "Max CPU (%)",
  max_mem_mib: "Max memory (MiB)",
  sampler: "Sampler",
  sample: "Sample",
  t_ms: "Time (ms)",
  cpu_pct: "CPU (%)",
  mem_bytes: "Memory (bytes)",
  mem_mib: "Memory (MiB)",
  targets: "Targets",
  action: "Action",
  phase: "Phase",
  file: "File",
  lines_of_code: "Lines of code",
  size_kb: "Size (KB)",
  type: "Type",
};

/** Rows past which a table breaks across pages. */
export const LONG_TABLE_ROWS = 40;
/** Columns past which a table is set in a smaller font with narrower gaps. */
const WIDE_TABLE_COLUMNS = 6;

/**
 * A long table (a longtable, which cannot be scaled) of more than this many columns is set in
 * groups of {@linkcode LONG_TABLE_COLUMNS}.
 */
const LONG_TABLE_SPLIT = 10;

/** The columns of each group of a long table set in groups, key columns included. */
const LONG_TABLE_COLUMNS = 7;

/**
 * The column groups a table is set in: one, unless it is long and wider than
 * {@linkcode LONG_TABLE_SPLIT} columns; then its leading key columns (text, and a level) are
 * repeated beside each group of the others.
 */
function columnGroups(frame: pl.DataFrame): string[][] {
  const cols = frame.columns;
  if (frame.height <= LONG_TABLE_ROWS || cols.length <= LONG_TABLE_SPLIT) return [cols];
  let keys = 0;
  while (keys < cols.length && !frame.getColumn(cols[keys]).isNumeric()) keys++;
  if (cols[keys] === "level") keys++;
  const per = LONG_TABLE_COLUMNS - keys;
  if (per < 1) return [cols];
  const rest = cols.slice(keys);
  const groups: string[][] = [];
  for (let i = 0; i < rest.length; i += per) {
    groups.push([...cols.slice(0, keys), ...rest.slice(i, i + per)]);
  }
  return groups;
}
/** Text longer than this goes in a column that wraps. */
const WRAP_TEXT_CHARS = 30;

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
 * Renders `frame` as a booktabs tabular, inside a `table` float when a caption is given; past
 * {@linkcode LONG_TABLE_ROWS} rows as a longtable, past six columns in a smaller font, never
 * wider than the text; long headers on two lines; marked cells and their
 * notes under the table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { toLatex } from "./latex.ts";
 * const tex = toLatex(pl.DataFrame({ level: [1], cov_pct: [12.3456] }), {
 *   decimals: { cov_pct: 1 },
 * });
 * assert.match(
 *   tex,
 *   /\\begin\{tabular\}\{rr\}\n\\toprule\nLevel & CoV \(\\%\) \\\\\n\\midrule\n1 & 12\.3 \\\\\n/,
 * );
 * ```
 */
export function toLatex(frame: pl.DataFrame, options: LatexOptions = {}): string {
  const groups = columnGroups(frame);
  if (groups.length > 1) {
    // A longtable cannot be scaled to the text width: a very wide one is set as several, each
    // with the leading key columns, the later ones captioned as continued.
    return groups.map((cols, i) =>
      toLatex(frame.select(...cols), {
        ...options,
        caption: i === 0 || options.caption === undefined
          ? options.caption
          : `${options.caption} (continued, ${i + 1} of ${groups.length})`,
        label: i === 0 ? options.label : undefined,
        marks: i === 0 ? options.marks : [],
        notes: i === groups.length - 1 ? options.notes : [],
      })
    ).join("");
  }
  const { decimals = {}, digits = 2, headers = {}, marks = [], notes = [] } = options;
  const cols = frame.columns;
  const records = frame.toRecords();
  const columnSpecs = cols
    .map((c) => {
      if (options.align?.[c]) return options.align[c];
      if (frame.getColumn(c).isNumeric()) return "r";
      const long = records.some((r) => String(r[c] ?? "").length > WRAP_TEXT_CHARS);
      return long ? "p{0.35\\linewidth}" : "l";
    });
  const spec = columnSpecs.join("");
  const header = `${
    cols.map((c, i) =>
      stacked(escapeLatex(headerOf(c, headers)), columnSpecs[i] === "r" ? "r" : "l")
    )
      .join(" & ")
  } \\\\`;
  const markAt = new Map(marks.map((m) => [`${m.row}\u0000${m.column}`, m.mark]));
  const body = records.map((row, i) =>
    `${
      cols.map((c) => {
        const mark = markAt.get(`${i}\u0000${c}`);
        return cell(row[c], decimals[c], digits) + (mark ? `\\textsuperscript{${mark}}` : "");
      }).join(" & ")
    } \\\\`
  );
  const noteLines = notes.map((n) => `\\textsuperscript{${n.mark}}\\,${escapeLatex(n.text)}\\par`);
  const wide = cols.length > WIDE_TABLE_COLUMNS;
  const long = frame.height > LONG_TABLE_ROWS;
  // A longtable cannot be scaled: a wide one is set smaller still.
  const size = wide ? [long ? "\\scriptsize" : "\\small", "\\setlength{\\tabcolsep}{3pt}"] : [];
  const noteBlock = noteLines.length === 0
    ? []
    : ["\\par\\smallskip", "{\\footnotesize\\raggedright", ...noteLines, "}"];
  if (long) {
    // longtable is a float of its own: caption and label inside, header repeated on each page.
    return [
      "\\begingroup",
      ...size,
      // Its default 4 in caption makes a narrow page's longtable too wide.
      "\\setlength{\\LTcapwidth}{0.8\\linewidth}",
      `\\begin{longtable}{${spec}}`,
      ...(options.caption === undefined ? [] : [
        `\\caption{${escapeLatex(options.caption)}}${
          options.label ? `\\label{${latexLabel(options.label)}}` : ""
        } \\\\`,
      ]),
      "\\toprule",
      header,
      "\\midrule",
      "\\endfirsthead",
      "\\toprule",
      header,
      "\\midrule",
      "\\endhead",
      "\\bottomrule",
      "\\endlastfoot",
      ...body,
      "\\end{longtable}",
      ...noteBlock,
      "\\endgroup",
    ].join("\n") + "\n";
  }
  const tabular = [
    `\\begin{tabular}{${spec}}`,
    "\\toprule",
    header,
    "\\midrule",
    ...body,
    "\\bottomrule",
    "\\end{tabular}",
  ];
  // Scaled down only where still wider than the text (at the smaller size, if wide).
  const fitted = [
    "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%",
    ...tabular,
    "}",
  ];
  if (options.caption === undefined) return [...size, ...fitted, ...noteBlock].join("\n") + "\n";
  return [
    "\\begin{table}[htbp]",
    "\\centering",
    ...size,
    `\\caption{${escapeLatex(options.caption)}}`,
    ...(options.label ? [`\\label{${latexLabel(options.label)}}`] : []),
    ...fitted,
    ...noteBlock,
    "\\end{table}",
  ].join("\n") + "\n";
}

/** A header of more than 12 characters on two lines, split at the space nearest its middle. */
function stacked(text: string, align: "l" | "r"): string {
  const spaces = [...text.matchAll(/ /g)].map((m) => m.index!);
  if (spaces.length === 0 || text.length <= 12) return text;
  const at = spaces.reduce((a, b) =>
    Math.abs(b - text.length / 2) < Math.abs(a - text.length / 2) ? b : a
  );
  return `\\shortstack[${align}]{${text.slice(0, at)}\\\\${text.slice(at + 1)}}`;
}

/** The header of column `c`: given, known, `Run N` for `run_N`, else the name. */
function headerOf(c: string, headers: Record<string, string>): string {
  const run = /^run_(\d+)$/.exec(c);
  return headers[c] ?? HEADER_LABELS[c] ?? (run ? `Run ${run[1]}` : c);
}
