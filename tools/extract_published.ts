/**
 * Transcribes every number printed in the thesis's data tables (Tables 1-19 and the ten
 * per-level statistics tables captioned as figures) into `data/thesis/published.json`.
 *
 * The published numbers are the facts this project is checked against, so they are read
 * from the thesis text by this script rather than typed by hand: a typo cannot slip in, and
 * the test re-runs the extraction to prove the committed file matches the text. Values are
 * kept as the strings the thesis prints, so their printed precision survives.
 *
 * Usage: deno run -A tools/extract_published.ts [THESIS_TXT]
 * (default ../shared/thesis/thesis.txt, output data/thesis/published.json)
 *
 * @module
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  THESIS_TABLES,
  type ThesisRuntime,
  type ThesisTableSpec,
  type ThesisWorkload,
} from "../pipeline/thesis_facts.ts";

/** Runtime a table or row describes. */
export type Runtime = ThesisRuntime;

/** Workload of a warm-latency (concurrency ramp) table. */
export type Workload = ThesisWorkload;

/** Fields every published table carries. */
export interface TableBase {
  /** Stable id, e.g. "table_3" or "figure_10". */
  id: string;
  /** The thesis's own numbering, e.g. "Table 3" or "Figure 10". */
  label: string;
  /** Short title of our own (not the thesis caption). */
  title: string;
}

/** One row of Tables 1 and 2 (action source summary). */
export interface ActionRow {
  file: string;
  action: string;
  lines_of_code: string;
  size_kb: string;
  type: string;
}

/** Tables 1 and 2: lines of code and size per action. */
export interface ActionsTable extends TableBase {
  kind: "actions";
  runtime: Runtime;
  rows: ActionRow[];
}

/** One row of a per-level statistics table, in our column order. */
export interface LevelRow {
  level: string;
  cov_pct: string;
  sd: string;
  mean: string;
}

/** Tables 3 and 4: cold-start statistics per concurrency level. */
export interface ColdStartTable extends TableBase {
  kind: "cold_start";
  runtime: Runtime;
  rows: LevelRow[];
}

/** Tables 5-8 and Figures 10-30 (even): warm-latency statistics per concurrency level. */
export interface WarmTable extends TableBase {
  kind: "warm";
  runtime: Runtime;
  workload: Workload;
  rows: LevelRow[];
}

/** One runtime's row of a comparison table. */
export interface ComparisonRow {
  runtime: Runtime;
  mean: string;
  cov_pct: string;
}

/** Tables 9-16: pooled mean and CoV per runtime, and the Docker/Wasm slowdown ratio. */
export interface ComparisonTable extends TableBase {
  kind: "comparison";
  experiment: "cold_start" | "concurrency";
  workload: Workload;
  rows: ComparisonRow[];
  slowdown: { numerator: Runtime; denominator: Runtime; ratio: string };
}

/** One metric row of Table 17. */
export interface CapacityRow {
  metric: "max_cpu_pct" | "max_mem_mib" | "capacity";
  docker: string;
  wasm: string;
  ratio: string;
}

/** Table 17: capacity test results. */
export interface CapacityTable extends TableBase {
  kind: "capacity";
  rows: CapacityRow[];
}

/** One action/phase row of Tables 18 and 19 (microseconds). */
export interface DurationRow {
  action: string;
  phase: "overhead" | "init" | "wasi" | "module";
  runs: string[];
  mean: string;
}

/** Tables 18 (init durations) and 19 (run durations) of the Wasm executor. */
export interface DurationTable extends TableBase {
  kind: "init_durations" | "run_durations";
  runtime: "wasm";
  rows: DurationRow[];
}

/** Any published table. */
export type PublishedTable =
  | ActionsTable
  | ColdStartTable
  | WarmTable
  | ComparisonTable
  | CapacityTable
  | DurationTable;

/** The whole transcription, as written to data/thesis/published.json. */
export interface Published {
  source: string;
  tables: PublishedTable[];
}

/** Where the numbers come from, recorded in the output. */
export const SOURCE =
  "thesis 'WebAssembly for Edge-Cloud Computing' (master's thesis, Universitat Rovira i Virgili, " +
  "September 2023), text of its data tables; transcribed by tools/extract_published.ts";

const NUMBER = /^-?\d+(\.\d+)?$/;
const LEVELS = 15;

/** What to extract for one table: its caption label, our title and its kind. */
export type Spec = ThesisTableSpec;

/** The 29 data tables, in the order they appear in the thesis. */
export const SPECS: readonly Spec[] = THESIS_TABLES;

/** The tab-separated lines directly above a caption: header first, then data rows. */
interface Block {
  header: string[];
  rows: string[][];
}

function fail(label: string, msg: string): never {
  throw new Error(`${label}: ${msg}`);
}

/** Finds the caption line of `label` and returns the tab-separated block just above it. */
function findBlock(lines: string[], label: string): Block {
  const prefix = `${label}:`;
  const hits = lines.flatMap((l, i) => (l.startsWith(prefix) ? [i] : []));
  if (hits.length === 0) fail(label, "caption not found in the thesis text");
  if (hits.length > 1) {
    fail(
      label,
      `caption found ${hits.length} times (lines ${hits.map((i) => i + 1)})`,
    );
  }
  let end = hits[0];
  while (end > 0 && lines[end - 1].trim() === "") end--;
  let start = end;
  while (start > 0 && lines[start - 1].includes("\t")) start--;
  if (end - start < 2) fail(label, `no table rows above its caption (line ${hits[0] + 1})`);
  const cells = lines.slice(start, end).map((l) =>
    l.replace(/\r$/, "").split("\t").map((c) => c.trim())
  );
  return { header: cells[0], rows: cells.slice(1) };
}

function expectRows(label: string, block: Block, n: number, cols: number): void {
  if (block.rows.length !== n) {
    fail(label, `expected ${n} data rows, found ${block.rows.length}`);
  }
  if (block.header.length !== cols) {
    fail(label, `expected ${cols} header columns, found ${block.header.length}`);
  }
  block.rows.forEach((r, i) => {
    // A trailing empty cell (the slowdown row) is tolerated by trimming empties at the end.
    const used = r.length > cols && r.slice(cols).every((c) => c === "") ? r.slice(0, cols) : r;
    if (used.length !== cols) {
      fail(label, `row ${i + 1} has ${r.length} cells, expected ${cols}: ${JSON.stringify(r)}`);
    }
  });
}

/** Checks a printed number (after removing a known unit suffix) and returns it as printed. */
function num(label: string, cell: string, suffix = ""): string {
  let s = cell;
  if (suffix) {
    if (!s.endsWith(suffix)) fail(label, `expected "${cell}" to end with "${suffix}"`);
    s = s.slice(0, -suffix.length);
  }
  if (!NUMBER.test(s)) fail(label, `not a number: "${cell}"`);
  return s;
}

function expectHeader(label: string, header: string[], parts: string[]): void {
  parts.forEach((p, i) => {
    if (!header[i].startsWith(p)) {
      fail(label, `header column ${i + 1} is "${header[i]}", expected it to start with "${p}"`);
    }
  });
}

function parseActions(spec: Spec & { kind: "actions" }, block: Block): ActionsTable {
  const { label } = spec;
  expectRows(label, block, 5, 4);
  expectHeader(label, block.header, ["", "Lines of code", "Size", "Type"]);
  const ext = spec.runtime === "wasm" ? ".rs" : ".go";
  const rows = block.rows.map(([file, loc, size, type]): ActionRow => {
    if (!file.endsWith(ext)) fail(label, `file "${file}" does not end with ${ext}`);
    return {
      file,
      action: file.slice(0, -ext.length),
      lines_of_code: num(label, loc),
      size_kb: num(label, size, "KB"),
      type,
    };
  });
  return { ...spec, rows };
}

function parseLevels(label: string, block: Block): LevelRow[] {
  expectRows(label, block, LEVELS, 4);
  expectHeader(label, block.header, [
    "No. concurrent",
    "Coefficient of Variation",
    "Standard Dev",
    "Mean",
  ]);
  return block.rows.map(([level, cov, sd, mean], i): LevelRow => {
    if (level !== String(i + 1)) fail(label, `row ${i + 1} has level "${level}"`);
    return { level, cov_pct: num(label, cov), sd: num(label, sd), mean: num(label, mean) };
  });
}

function parseComparison(spec: Spec & { kind: "comparison" }, block: Block): ComparisonTable {
  const { label } = spec;
  expectRows(label, block, 3, 3);
  expectHeader(label, block.header, ["", "Mean", "CoV"]);
  const [docker, wasm, slow] = block.rows;
  if (docker[0] !== "Docker" || wasm[0] !== "Wasm" || !slow[0].startsWith("Slowdown")) {
    fail(label, `unexpected row labels ${JSON.stringify([docker[0], wasm[0], slow[0]])}`);
  }
  if ((slow[2] ?? "") !== "") fail(label, `slowdown row has a CoV cell "${slow[2]}"`);
  return {
    ...spec,
    rows: [
      { runtime: "docker", mean: num(label, docker[1]), cov_pct: num(label, docker[2]) },
      { runtime: "wasm", mean: num(label, wasm[1]), cov_pct: num(label, wasm[2]) },
    ],
    slowdown: { numerator: "docker", denominator: "wasm", ratio: num(label, slow[1]) },
  };
}

function parseCapacity(spec: Spec & { kind: "capacity" }, block: Block): CapacityTable {
  const { label } = spec;
  expectRows(label, block, 3, 4);
  expectHeader(label, block.header, ["", "Docker", "Wasm", "vs. Docker"]);
  const metrics: [string, CapacityRow["metric"]][] = [
    ["max. CPU", "max_cpu_pct"],
    ["RSS memory", "max_mem_mib"],
    ["Capacity", "capacity"],
  ];
  const rows = block.rows.map(([name, docker, wasm, ratio], i): CapacityRow => {
    const [prefix, metric] = metrics[i];
    if (!name.startsWith(prefix)) fail(label, `row ${i + 1} is "${name}", expected "${prefix}..."`);
    return {
      metric,
      docker: num(label, docker),
      wasm: num(label, wasm),
      ratio: num(label, ratio, "x"),
    };
  });
  return { ...spec, rows };
}

function parseDurations(
  spec: Spec & { kind: "init_durations" | "run_durations" },
  block: Block,
): DurationTable {
  const { label } = spec;
  expectRows(label, block, 10, 13);
  expectHeader(label, block.header, ["", "Type", "Run 1"]);
  if (block.header[12] !== "Mean") fail(label, `last header column is "${block.header[12]}"`);
  const phases: Record<string, DurationRow["phase"]> = spec.kind === "init_durations"
    ? { Overhead: "overhead", Init: "init" }
    : { I: "wasi", II: "module" };
  const order = Object.keys(phases);
  let action = "";
  const rows = block.rows.map((r, i): DurationRow => {
    // The action name is printed only on the first of its two lines.
    if (i % 2 === 0) {
      if (r[0] === "") fail(label, `row ${i + 1} has no action name`);
      action = r[0];
    } else if (r[0] !== "") {
      fail(label, `row ${i + 1} names action "${r[0]}" on a second phase line`);
    }
    if (r[1] !== order[i % 2]) {
      fail(label, `row ${i + 1} has type "${r[1]}", expected "${order[i % 2]}"`);
    }
    return {
      action,
      phase: phases[r[1]],
      runs: r.slice(2, 12).map((c) => num(label, c)),
      mean: num(label, r[12]),
    };
  });
  return { ...spec, runtime: "wasm", rows };
}

/** Parses the thesis text and returns every published table (pure; throws naming the table). */
export function extractPublished(text: string): Published {
  const lines = text.split("\n");
  const tables = SPECS.map((spec): PublishedTable => {
    const block = findBlock(lines, spec.label);
    switch (spec.kind) {
      case "actions":
        return parseActions(spec, block);
      case "cold_start":
        return { ...spec, rows: parseLevels(spec.label, block) };
      case "warm":
        return { ...spec, rows: parseLevels(spec.label, block) };
      case "comparison":
        return parseComparison(spec, block);
      case "capacity":
        return parseCapacity(spec, block);
      case "init_durations":
      case "run_durations":
        return parseDurations(spec, block);
    }
  });
  return { source: SOURCE, tables };
}

if (import.meta.main) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const thesis = Deno.args[0] ?? join(root, "../shared/thesis/thesis.txt");
  const out = join(root, "data/thesis/published.json");
  const published = extractPublished(readFileSync(thesis, "utf8"));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(published, null, 2) + "\n");
  console.log(`wrote ${published.tables.length} tables to ${out}`);
}
