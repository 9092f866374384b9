/**
 * The parameters every notebook starts with, the dataset folder and the levels, and how they are
 * shown: paths relative to the project, so that committed outputs hold no absolute path.
 *
 * Read by the parameters cell each time it runs, from (lowest to highest precedence) the
 * defaults, a JSON file (`notebooks/params.json`, ignored by git, or the file named by
 * WHISKBENCH_PARAMS), and the environment (WHISKBENCH_DATA, WHISKBENCH_LEVELS). Editing the file
 * and re-running the notebook changes them without restarting JupyterLab; the environment is
 * for headless runs (papermill cannot inject parameters into a TypeScript kernel).
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { levelRange, markdownCode, parseLevels, shownLevels } from "../pipeline/mod.ts";

/** The project's root folder (where deno.json is). */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The parameters file read when WHISKBENCH_PARAMS is not set, if it exists. */
export const PARAMS_FILE = join(PROJECT_ROOT, "notebooks", "params.json");

/** The parameters every notebook starts with. */
export interface NotebookParams {
  /** Absolute path of the dataset folder. Default: the embedded `data/thesis`. */
  data: string;
  /**
   * The concurrency levels of every table and figure: the per-level tables (Tables 3-8 and
   * the statistics beside Figures 9-30) keep these rows, the box plots draw these levels and
   * the comparisons (Tables 9-16) pool them. Default 1-15, the thesis's.
   */
  levels: number[];
  /** The parameters file read, if one was. */
  file?: string;
}

/** Environment variables that override the parameters (read by {@linkcode readParams}). */
export const PARAM_ENV = {
  /**
   * A JSON file `{"data": "DIR", "levels": "1-15"}` read instead of notebooks/params.json (a
   * relative `data` is relative to the file); set but empty: no file.
   */
  file: "WHISKBENCH_PARAMS",
  /** The dataset folder; a relative path is relative to the project root. */
  data: "WHISKBENCH_DATA",
  /** `15` (levels 1-15), `1-10`, or a list `1,3,5-7`. */
  levels: "WHISKBENCH_LEVELS",
  /** The dataset a comparison holds the dataset against; relative to the project root. */
  baseline: "WHISKBENCH_BASELINE",
} as const;

/** Reads a parameters file; `undefined` where `optional` and there is none. */
function readFile(
  path: string,
  readText: (path: string) => string,
  optional: boolean,
): { data?: unknown; levels?: unknown; baseline?: unknown } | undefined {
  let json;
  try {
    json = JSON.parse(readText(path));
  } catch (err) {
    if (optional && err instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Cannot read notebook parameters ${path}: ${err}`, { cause: err });
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new TypeError(`Cannot read notebook parameters ${path}: expected a JSON object`);
  }
  // `baseline` is the comparison notebook's (readBaseline).
  const unknown = Object.keys(json).filter((k) => !["data", "levels", "baseline"].includes(k));
  if (unknown.length > 0) {
    throw new TypeError(
      `Cannot read notebook parameters ${path}: unknown key ${
        JSON.stringify(unknown[0])
      }, expected "data", "levels" and "baseline"`,
    );
  }
  return json;
}

/**
 * The notebook parameters: the defaults, overridden by the parameters file
 * (notebooks/params.json where it exists, or the file WHISKBENCH_PARAMS names), overridden by
 * WHISKBENCH_DATA and WHISKBENCH_LEVELS. Env > file > defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readParams } from "./_params.ts";
 * const p = readParams({ WHISKBENCH_PARAMS: "", WHISKBENCH_LEVELS: "1-3" });
 * assert.deepEqual(p.levels, [1, 2, 3]);
 * ```
 */
export function readParams(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  readText: (path: string) => string = Deno.readTextFileSync,
): NotebookParams {
  const params: NotebookParams = {
    data: resolve(PROJECT_ROOT, "data/thesis"),
    levels: levelRange(15),
  };
  const named = env[PARAM_ENV.file];
  const path = named === undefined ? PARAMS_FILE : named && resolve(PROJECT_ROOT, named);
  const json = path ? readFile(path, readText, named === undefined) : undefined;
  if (json) {
    params.file = path;
    if (json.data !== undefined) {
      if (typeof json.data !== "string" || json.data === "") {
        throw new TypeError(
          `Cannot read notebook parameters ${path}: "data" is ${
            JSON.stringify(json.data)
          }, expected a folder path`,
        );
      }
      params.data = resolve(dirname(path), json.data);
    }
    if (json.levels !== undefined) params.levels = parseLevels(json.levels, `${path} "levels"`);
  }
  if (env[PARAM_ENV.data]) params.data = resolve(PROJECT_ROOT, env[PARAM_ENV.data]!);
  if (env[PARAM_ENV.levels]) {
    params.levels = parseLevels(env[PARAM_ENV.levels], PARAM_ENV.levels);
  }
  return params;
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
  // The same file as readParams: notebooks/params.json unless WHISKBENCH_PARAMS names one.
  const named = env[PARAM_ENV.file];
  const path = named === undefined ? PARAMS_FILE : named && resolve(PROJECT_ROOT, named);
  const json = path ? readFile(path, readText, named === undefined) : undefined;
  if (json && path) {
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

export { shownLevels };

/** The parameters as a short Markdown line, with the dataset path relative to the project. */
export function paramsMarkdown(p: NotebookParams): string {
  const from = p.file ? ` · from ${markdownCode(shownPath(p.file))}` : "";
  return `**Dataset** ${markdownCode(shownPath(p.data))} · **levels** ${
    shownLevels(p.levels)
  } (every table and figure)${from}`;
}
