/**
 * What the notebooks share: their parameters (dataset folder and levels, from the environment
 * or a JSON file), and the display of the pipeline's tables (polars DataFrames, rendered as
 * rich tables by Deno's kernel) and figures (Plotly MIME bundles with a static SVG fallback).
 * Nothing here computes a result: tables and figures come from pipeline/ as they are.
 *
 * In a notebook, end a cell with `await show(value)` rather than a bare expression: a display
 * made through these helpers is counted, so that a headless run (notebooks/_execute.py) knows
 * when the kernel dropped one, and it is published before the cell ends.
 */
import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type FigureSpec, levelRange, type NamedTable } from "../pipeline/mod.ts";
import { figureSvg } from "./_svg.ts";

/** The project's root folder (where deno.json is). */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The parameters every notebook starts with. */
export interface NotebookParams {
  /** Absolute path of the dataset folder. Default: the embedded `data/thesis`. */
  data: string;
  /** Concurrency levels of the comparisons and box plots. Default 1-15. */
  levels: number[];
}

/** Environment variables that override the parameters (read by {@linkcode readParams}). */
export const PARAM_ENV = {
  /** A JSON file `{"data": "DIR", "levels": 15}`; a relative `data` is relative to the file. */
  file: "WHISKBENCH_PARAMS",
  /** The dataset folder; a relative path is relative to the project root. */
  data: "WHISKBENCH_DATA",
  /** `15` (levels 1-15), `1-10`, or a list `1,2,4,8`. */
  levels: "WHISKBENCH_LEVELS",
} as const;

/** Parses a levels parameter: `N` (1..N), `"A-B"`, `"1,2,4"` or an array of integers. */
export function parseLevels(value: unknown, where: string): number[] {
  const fail = () =>
    new RangeError(
      `Cannot read levels from ${where}: ${JSON.stringify(value)}, expected N, "A-B", ` +
        `"1,2,4" or an array of positive integers`,
    );
  const positive = (n: number) => {
    if (!Number.isInteger(n) || n < 1) throw fail();
    return n;
  };
  if (typeof value === "number") return levelRange(positive(value));
  if (Array.isArray(value)) return value.map((v) => positive(typeof v === "number" ? v : NaN));
  if (typeof value !== "string" || value.trim() === "") throw fail();
  const text = value.trim();
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  if (range) {
    const [a, b] = [positive(Number(range[1])), positive(Number(range[2]))];
    if (b < a) throw fail();
    return levelRange(b).filter((l) => l >= a);
  }
  if (/^\d+$/.test(text)) return levelRange(positive(Number(text)));
  return text.split(",").map((p) => positive(/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
}

/**
 * The notebook parameters: defaults, then the JSON file named by `WHISKBENCH_PARAMS`, then
 * `WHISKBENCH_DATA` and `WHISKBENCH_LEVELS`. (papermill cannot inject parameters into a
 * TypeScript kernel; a headless run sets these variables instead.)
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readParams } from "./_display.ts";
 * const p = readParams({ WHISKBENCH_LEVELS: "1-3" });
 * assert.deepEqual(p.levels, [1, 2, 3]);
 * ```
 */
export function readParams(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  readText: (path: string) => string = Deno.readTextFileSync,
): NotebookParams {
  let data = resolve(PROJECT_ROOT, "data/thesis");
  let levels = levelRange(15);
  const file = env[PARAM_ENV.file];
  if (file) {
    const path = resolve(PROJECT_ROOT, file);
    let json: { data?: unknown; levels?: unknown };
    try {
      json = JSON.parse(readText(path));
    } catch (err) {
      throw new Error(`Cannot read notebook parameters ${path}: ${err}`, { cause: err });
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw new TypeError(`Cannot read notebook parameters ${path}: expected a JSON object`);
    }
    if (json.data !== undefined) {
      if (typeof json.data !== "string") {
        throw new TypeError(
          `Cannot read notebook parameters ${path}: "data" is ${
            JSON.stringify(json.data)
          }, expected a folder path`,
        );
      }
      data = resolve(dirname(path), json.data);
    }
    if (json.levels !== undefined) levels = parseLevels(json.levels, `${path} "levels"`);
  }
  if (env[PARAM_ENV.data]) data = resolve(PROJECT_ROOT, env[PARAM_ENV.data]!);
  if (env[PARAM_ENV.levels]) levels = parseLevels(env[PARAM_ENV.levels], PARAM_ENV.levels);
  return { data, levels };
}

/** A path as shown in outputs: relative to the project root where inside it (no absolute
 * paths in committed outputs), else as it is. */
export function shownPath(path: string): string {
  const rel = relative(PROJECT_ROOT, path);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

/** Levels as shown: `1-15` for a run, else a list. */
export function shownLevels(levels: number[]): string {
  const run = levels.length > 1 && levels.every((l, i) => i === 0 || l === levels[i - 1] + 1);
  return run ? `${levels[0]}-${levels.at(-1)}` : levels.join(", ");
}

/** A MIME bundle, as Jupyter's display_data carries it. */
export type MimeBundle = Record<string, string | object>;

/** Something Deno's kernel displays through its `Jupyter.display` symbol. */
export function displayable(bundle: MimeBundle): { [k: symbol]: () => MimeBundle } {
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}

/** Markdown, displayable (the last expression of a cell, or through {@linkcode show}). */
export function md(text: string): { [k: symbol]: () => MimeBundle } {
  return displayable({ "text/markdown": text, "text/plain": text });
}

/** The parameters as a short Markdown line, with the dataset path relative to the project. */
export function paramsMarkdown(p: NotebookParams): string {
  return `**Dataset** \`${shownPath(p.data)}\` · **levels** ${shownLevels(p.levels)}`;
}

/**
 * The Plotly MIME bundle of a figure: the spec for Plotly renderers (JupyterLab with one, VS
 * Code), and for viewers without one a static SVG, twice: as `image/svg+xml`, and as an HTML
 * `<img>` of it, which is what nbconvert's HTML (nbviewer) shows, since it strips the
 * elements of an inline SVG output; then the title as plain text.
 */
export function figureBundle(spec: FigureSpec): MimeBundle {
  const svg = figureSvg(spec.figure);
  const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
  const alt = `${spec.id}: ${spec.title}`.replaceAll("&", "&amp;").replaceAll('"', "&quot;")
    .replaceAll("<", "&lt;");
  return {
    "application/vnd.plotly.v1+json": spec.figure,
    "image/svg+xml": svg,
    "text/html": `<img alt="${alt}" src="${src}">`,
    "text/plain": `${spec.id}: ${spec.title}`,
  };
}

/** A frame as displayed: floating-point columns rounded to `digits` decimals, as the report's
 * Markdown tables (the CSVs of `deno task tables` keep full precision). */
export function shownFrame(frame: pl.DataFrame, digits = 4): pl.DataFrame {
  const floats = frame.columns.filter((c) => frame.getColumn(c).isFloat());
  return floats.length === 0 ? frame : frame.withColumns(
    ...floats.map((c) => pl.col(c).round(digits)),
  );
}

/** Where {@linkcode show} counts the displays of a kernel session, so that a headless run
 * can check that it received every one (Deno's kernel drops IOPub messages when a client
 * lags; notebooks/_execute.py then re-executes the notebook). */
export const DISPLAY_COUNTER = Symbol.for("whiskbench.notebook.displays");

function counted(): void {
  const g = globalThis as unknown as Record<symbol, number>;
  g[DISPLAY_COUNTER] = (g[DISPLAY_COUNTER] ?? 0) + 1;
}

type Jupyter = { display(obj: unknown, options?: { raw?: boolean }): Promise<void> };

function jupyter(): Jupyter {
  const j = (Deno as unknown as { jupyter?: Jupyter }).jupyter;
  if (!j) throw new Error("Display needs Deno's Jupyter kernel (deno jupyter)");
  return j;
}

function isFrame(value: unknown): value is pl.DataFrame {
  const v = value as Partial<pl.DataFrame> | null;
  return typeof v === "object" && v !== null && Array.isArray(v.columns) &&
    typeof v.toRecords === "function" && typeof v.getColumn === "function";
}

/** Displays a value in the notebook, awaited so that outputs keep their order and a headless
 * run never misses one: a DataFrame as a rich table (see {@linkcode shownFrame}), Markdown
 * from {@linkcode md}. */
export async function show(value: unknown): Promise<void> {
  await jupyter().display(isFrame(value) ? shownFrame(value) : value);
  counted();
}

/** Displays a named table: its title and name, then the frame as a rich table. */
export async function showTable(table: NamedTable | undefined, name = "?"): Promise<void> {
  if (!table) return await show(md(`*No table \`${name}\` in this dataset.*`));
  await show(md(`#### ${table.title}\n\`${table.name}\`, ${table.frame.height} rows`));
  await show(table.frame);
}

/** Displays a figure as a Plotly MIME bundle (awaited, so outputs keep their order). */
export async function showFigure(spec: FigureSpec | undefined, id = "?"): Promise<void> {
  if (!spec) return await show(md(`*No figure \`${id}\` in this dataset.*`));
  await jupyter().display(figureBundle(spec), { raw: true });
  counted();
}

/** The table named `name`, if the dataset has it. */
export function tableNamed(tables: NamedTable[], name: string): NamedTable | undefined {
  return tables.find((t) => t.name === name);
}

/** The figure with id `id`, if the dataset has it. */
export function figureWithId(figures: FigureSpec[], id: string): FigureSpec | undefined {
  return figures.find((f) => f.id === id);
}
