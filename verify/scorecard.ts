/**
 * Grading of published cells and the scorecard of `deno task verify`. A cell is `exact` when
 * the pipeline's value, rounded to the printed decimals, is the printed number; `thesis_mode`
 * when only the thesis's own way of computing it (named in the cell) gives the printed number,
 * in which case the corrected value is reported beside it; `tolerance` when it is within one
 * unit of the last printed digit; otherwise `off`, with its cause where known (ERRATA).
 */
import { escapeMarkdown } from "../pipeline/markdown.ts";
import { type Cell, cut, decimals, shown } from "./cells.ts";

/** Outcome of one cell. */
export type Status = "exact" | "thesis_mode" | "tolerance" | "off" | "carried";

/** A graded cell. */
export interface GradedCell extends Cell {
  status: Status;
  /** Why the cell is not exact, where known. */
  cause?: string;
}

/** Totals of the scorecard. */
export interface Totals {
  /** Published cells with data behind them (carried cells apart). */
  cells: number;
  exact: number;
  thesis_mode: number;
  tolerance: number;
  off: number;
  /** Cells not exact that have a known cause (thesis mode, tolerance or off). */
  explained: number;
  unexplained: number;
  /** Tables 1, 2: carried from the text, compared with dataset.json only. */
  carried: number;
  carried_agree: number;
}

/** Known causes of published cells that no computation from the data reproduces. */
export const ERRATA: { table: string; row: string; column: string; cause: string }[] = [
  {
    table: "table_14",
    row: "slowdown",
    column: "docker/wasm",
    cause: "the printed 2.38 is not the ratio of the printed means (2.19 / 1.00 = 2.19); it " +
      "equals Table 13's Docker mean, most likely copied from there",
  },
  {
    table: "table_19",
    row: "hello wasi",
    column: "mean",
    cause: "the printed mean (172) is not the mean of the ten printed runs (182.0); the " +
      "published function_times.log ends with an unlabelled block of the printed means, so " +
      "they were computed from other values than the runs printed",
  },
  {
    table: "table_19",
    row: "hello module",
    column: "mean",
    cause: "the printed mean (177.8) is not the mean of the ten printed runs (197.8); the " +
      "published function_times.log ends with an unlabelled block of the printed means, so " +
      "they were computed from other values than the runs printed",
  },
];

function rounded(v: number, d: number): number {
  return Number(v.toFixed(d));
}

/** Whether `value`, rounded (or cut) to the printed decimals, is the printed number. */
export function matches(value: number | null, published: string, how: "round" | "cut"): boolean {
  if (value === null) return false;
  const d = decimals(published);
  const x = how === "cut" ? cut(value, d) : rounded(value, d);
  return Math.abs(x - Number(published)) < 0.5 * 10 ** -d * 1e-6 + Number.EPSILON;
}

/** Grades one cell (see the module doc for the order of the tests). */
export function grade(cell: Cell): GradedCell {
  const erratum = ERRATA.find((e) =>
    e.table === cell.table && e.row === cell.row && e.column === cell.column
  )?.cause;
  if (cell.carried) {
    return matches(cell.computed, cell.published, "round")
      ? { ...cell, status: "carried" }
      : { ...cell, status: "off", cause: "dataset.json disagrees with the thesis text" };
  }
  if (matches(cell.computed, cell.published, "round")) return { ...cell, status: "exact" };
  if (cell.thesis && matches(cell.thesis.value, cell.published, cell.thesis.how)) {
    return { ...cell, status: "thesis_mode", cause: cell.thesis.note };
  }
  const d = decimals(cell.published);
  if (
    cell.computed !== null &&
    Math.abs(cell.computed - Number(cell.published)) <= 10 ** -d * (1 + 1e-9)
  ) {
    return {
      ...cell,
      status: "tolerance",
      cause: erratum ?? "one unit off in the last printed digit",
    };
  }
  return { ...cell, status: "off", cause: erratum };
}

/** Totals of graded cells. */
export function totals(cells: GradedCell[]): Totals {
  const t: Totals = {
    cells: 0,
    exact: 0,
    thesis_mode: 0,
    tolerance: 0,
    off: 0,
    explained: 0,
    unexplained: 0,
    carried: 0,
    carried_agree: 0,
  };
  for (const c of cells) {
    if (c.carried) {
      t.carried++;
      if (c.status === "carried") t.carried_agree++;
      continue;
    }
    t.cells++;
    t[c.status as "exact" | "thesis_mode" | "tolerance" | "off"]++;
    if (c.status !== "exact") {
      if (c.cause) t.explained++;
      else t.unexplained++;
    }
  }
  return t;
}

/**
 * The published tables (carried ones apart) of which not one cell could be computed from the
 * dataset: a scorecard that grades them would only say "off", so `verify` names them and fails.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tablesWithoutData } from "./scorecard.ts";
 * const cell = { table: "table_3", label: "Table 3", row: "1", column: "mean", published: "2" };
 * assert.deepEqual(tablesWithoutData([{ ...cell, computed: null, status: "off" }]), ["Table 3"]);
 * assert.deepEqual(tablesWithoutData([{ ...cell, computed: 2, status: "exact" }]), []);
 * ```
 */
export function tablesWithoutData(cells: GradedCell[]): string[] {
  const computed = new Map<string, { label: string; any: boolean }>();
  for (const c of cells) {
    if (c.carried) continue;
    const t = computed.get(c.table) ?? { label: c.label, any: false };
    t.any ||= c.computed !== null && Number.isFinite(c.computed);
    computed.set(c.table, t);
  }
  return [...computed.values()].filter((t) => !t.any).map((t) => t.label);
}

function fmt(v: number | null | undefined): string {
  return v === null || v === undefined ? "n/a" : String(Number(v.toPrecision(10)));
}

/** The scorecard as plain text lines (what `deno task verify` prints). */
export function scorecardText(cells: GradedCell[]): string {
  const t = totals(cells);
  const lines = [
    `published cells: ${t.cells} (Tables 3-19 and the ten statistics tables captioned as figures)`,
    `  exact at printed precision: ${t.exact}`,
    `  exact in thesis mode (the thesis's own computation, reproduced; corrected value beside): ${t.thesis_mode}`,
    `  within tolerance (one unit of the last printed digit): ${t.tolerance}`,
    `  off: ${t.off}`,
    `  not exact, explained: ${t.explained}; unexplained: ${t.unexplained}`,
    `carried from the text (Tables 1, 2; nothing to verify them against): ${t.carried}, ` +
    `${t.carried_agree} agree with dataset.json`,
  ];
  const others = cells.filter((c) => c.status !== "exact" && c.status !== "carried");
  if (others.length > 0) lines.push("", "cells not exact:");
  for (const c of others) {
    const thesis = c.thesis && c.status !== "off" ? `, thesis way ${fmt(c.thesis.value)}` : "";
    lines.push(
      `  ${c.label} ${c.row} ${c.column}: published ${c.published}, computed ${fmt(c.computed)}` +
        `${thesis} [${c.status}] ${c.cause ?? "cause unknown"}`,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Every published table beside its computed counterpart, in Markdown: one section per table,
 * one line per cell with the published number, the computed one at the printed precision, and
 * the grade (for the report).
 */
export function comparisonMarkdown(cells: GradedCell[]): string {
  const out: string[] = [];
  let current = "";
  for (const c of cells) {
    if (c.table !== current) {
      current = c.table;
      out.push(
        `\n## ${escapeMarkdown(c.label)}\n`,
        "| row | column | published | computed | grade |",
        "| --- | --- | ---: | ---: | --- |",
      );
    }
    const computed = shown(c) || "n/a";
    const mark = c.status === "exact" || c.status === "carried" ? c.status : `**${c.status}**`;
    const text = [c.row, c.column, c.published, computed].map(escapeMarkdown);
    out.push(`| ${text.join(" | ")} | ${mark} |`);
  }
  return `# Published tables beside the computed ones\n${out.join("\n")}\n`;
}
