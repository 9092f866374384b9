/**
 * The parameters every notebook starts with, the dataset folder and the levels, from the
 * environment or a JSON file (papermill cannot inject parameters into a TypeScript kernel),
 * and how they are shown: paths relative to the project, so that committed outputs hold no
 * absolute path.
 */
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { levelRange } from "../pipeline/mod.ts";

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
  /** The dataset a comparison holds the dataset against; relative to the project root. */
  baseline: "WHISKBENCH_BASELINE",
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
 * import { readParams } from "./_params.ts";
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

/**
 * The baseline of the comparison notebook (default: the embedded `data/thesis`), from the
 * `"baseline"` key of the parameters file (relative to the file), then `WHISKBENCH_BASELINE`.
 * Apart from {@linkcode readParams}, which every notebook reads, as only one notebook needs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROJECT_ROOT, readBaseline } from "./_params.ts";
 * assert.equal(readBaseline({ WHISKBENCH_BASELINE: "data/x" }), `${PROJECT_ROOT}data/x`);
 * ```
 */
export function readBaseline(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  readText: (path: string) => string = Deno.readTextFileSync,
): string {
  let baseline = resolve(PROJECT_ROOT, "data/thesis");
  const file = env[PARAM_ENV.file];
  if (file) {
    const path = resolve(PROJECT_ROOT, file);
    const json = JSON.parse(readText(path)); // readParams has checked it is an object
    if (json.baseline !== undefined) {
      if (typeof json.baseline !== "string") {
        throw new TypeError(
          `Cannot read notebook parameters ${path}: "baseline" is ${
            JSON.stringify(json.baseline)
          }, expected a folder path`,
        );
      }
      baseline = resolve(dirname(path), json.baseline);
    }
  }
  if (env[PARAM_ENV.baseline]) baseline = resolve(PROJECT_ROOT, env[PARAM_ENV.baseline]!);
  return baseline;
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

/** The parameters as a short Markdown line, with the dataset path relative to the project. */
export function paramsMarkdown(p: NotebookParams): string {
  return `**Dataset** \`${shownPath(p.data)}\` · **levels** ${shownLevels(p.levels)}`;
}
