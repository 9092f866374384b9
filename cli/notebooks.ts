/**
 * `deno task notebooks [NOTEBOOK...] [--data DIR] [--levels L] [--params FILE] [--out DIR]
 * [--baseline DIR]`:
 * re-executes the notebooks (default: every notebooks/*.ipynb, in name order) headlessly under
 * the real Deno kernel and writes their outputs back (or to `--out DIR`, which is what to use
 * with another dataset, so that the committed outputs stay those of data/thesis). The run's
 * parameters are its flags alone: the caller's WHISKBENCH_* variables and notebooks/params.json
 * (a researcher's interactive settings) are not read.
 * `--out DIR` is guarded as every output folder is (dataset/folder.ts): it may not be or hold an
 * input, the project or the working folder, nor hold files whiskbench did not write; paths are
 * the user's, relative to the folder `deno task` was typed in.
 *
 * `deno task notebooks --clean [NOTEBOOK...]` executes nothing: it takes out of the notebooks
 * what a JupyterLab save adds (a Plotly renderer's PNG beside every figure, metadata), so that
 * opening and saving a notebook leaves it as committed. Both write notebooks normalized the
 * same way (`normalize` in notebooks/_execute.py).
 *
 * The Jupyter client is nbclient from Debian's packages (python3-nbclient, installed by
 * `deno task setup`), run with Debian's /usr/bin/python3; the kernelspec is written to a
 * temporary JUPYTER_PATH, so nothing is installed for the user. The run stops at the first
 * failing cell and names the notebook and the cell.
 */
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLevels } from "../pipeline/mod.ts";
import { parse, run } from "./_args.ts";
import { claimOutput, userPath } from "../dataset/folder.ts";
import { EMBEDDED_DATASET } from "../dataset/store.ts";
import { installKernel, KERNEL_NAME } from "./kernel.ts";

/** The folder of the notebooks. */
export const NOTEBOOK_DIR = fileURLToPath(new URL("../notebooks", import.meta.url));

/** The Python that has Debian's nbclient (a pyenv or venv python3 on PATH may not). */
export const PYTHON = "/usr/bin/python3";

/** The notebooks of `dir`, in name order. */
export async function listNotebooks(dir: string = NOTEBOOK_DIR): Promise<string[]> {
  const names = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ipynb")) names.push(e.name);
  }
  return names.sort().map((n) => join(dir, n));
}

/** Options of {@linkcode executeNotebooks}. */
export interface ExecuteOptions {
  /** Write the executed notebooks here instead of over the originals. */
  out?: string;
  /** Dataset folder (sets WHISKBENCH_DATA). Default: the notebooks' default, data/thesis. */
  data?: string;
  /** Levels, `15`, `1-10` or `1,3,5-7` (sets WHISKBENCH_LEVELS). Default 1-15. */
  levels?: string;
  /** A JSON file of parameters (sets WHISKBENCH_PARAMS). Default: none. */
  params?: string;
  /** The comparison notebook's baseline dataset (sets WHISKBENCH_BASELINE). */
  baseline?: string;
  /** Seconds one cell may take. Default 300. */
  timeoutS?: number;
  /** Print progress (one line a notebook) to stdout. Default true. */
  progress?: boolean;
}

/**
 * Executes `paths` in order under the project's kernel; throws at the first failing cell with
 * the client's message (notebook, cell number and id, the error and its traceback).
 */
export async function executeNotebooks(
  paths: string[],
  { out, data, levels, params, baseline, timeoutS = 300, progress = true }: ExecuteOptions = {},
): Promise<void> {
  if (levels !== undefined) parseLevels(levels, "--levels");
  if (out) {
    out = await claimNotebooksOutput(out, [...paths, data ?? EMBEDDED_DATASET, params, baseline]);
  }
  const jupyterPath = await Deno.makeTempDir({ prefix: "whiskbench-jupyter-" });
  try {
    await installKernel(jupyterPath);
    const env: Record<string, string> = {
      JUPYTER_PATH: jupyterPath,
      JUPYTER_RUNTIME_DIR: join(jupyterPath, "runtime"),
      JUPYTER_PLATFORM_DIRS: "1",
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      // Set but empty: no parameters file, not even notebooks/params.json.
      WHISKBENCH_PARAMS: params ? resolve(params) : "",
    };
    if (data) env.WHISKBENCH_DATA = resolve(data);
    if (levels) env.WHISKBENCH_LEVELS = levels;
    if (baseline) env.WHISKBENCH_BASELINE = resolve(baseline);
    const args = ["--kernel", KERNEL_NAME, "--timeout", String(timeoutS)];
    if (out) args.push("--out", out);
    await runPython([...args, ...paths.map((p) => resolve(p))], env, progress, "execute");
  } finally {
    await Deno.remove(jupyterPath, { recursive: true });
  }
}

/**
 * Takes out of the notebooks at `paths` what a JupyterLab save adds (written back, or to
 * `out`), executing nothing: a notebook only opened and saved becomes byte for byte what
 * {@linkcode executeNotebooks} wrote.
 */
export async function cleanNotebooks(
  paths: string[],
  { out, progress = true }: Pick<ExecuteOptions, "out" | "progress"> = {},
): Promise<void> {
  if (out) out = await claimNotebooksOutput(out, paths);
  const args = ["--clean", ...(out ? ["--out", out] : [])];
  await runPython([...args, ...paths.map((p) => resolve(p))], {}, progress, "clean");
}

/**
 * The `--out` folder, checked and marked as whiskbench's (dataset/folder.ts, `claimOutput`):
 * refused where it is or holds an input (a notebook run, its dataset, parameters or baseline),
 * the project or the user's working folder, or holds files that whiskbench did not write (an
 * executed notebook of the same name would replace the user's own). Several runs may write into
 * it: each replaces only the notebooks it executes.
 */
function claimNotebooksOutput(out: string, inputs: (string | undefined)[]): Promise<string> {
  const used = inputs.filter((p): p is string => p !== undefined);
  return claimOutput(out, "notebooks", { inputs: used });
}

/** Runs notebooks/_execute.py with `args` under Debian's Python; throws with its messages. */
async function runPython(
  args: string[],
  extraEnv: Record<string, string>,
  progress: boolean,
  what: string,
): Promise<void> {
  // The caller's own notebook parameters are not this run's: only `extraEnv` sets them.
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("WHISKBENCH_")),
  );
  const script = join(NOTEBOOK_DIR, "_execute.py");
  let child;
  try {
    child = new Deno.Command(PYTHON, {
      args: [script, ...args],
      env: { ...env, ...extraEnv },
      clearEnv: true,
      stdout: progress ? "inherit" : "null",
      stderr: "piped",
    }).spawn();
  } catch (err) {
    throw new Error(
      `Cannot start ${PYTHON} to ${what} notebooks: ${err}; run \`deno task setup\` ` +
        `(it installs python3-nbclient)`,
      { cause: err },
    );
  }
  const { code, stderr } = await child.output();
  // The kernel's own warning that `deno jupyter` is unstable is noise here.
  const messages = new TextDecoder().decode(stderr).split("\n")
    .filter((l) => !l.includes('"deno jupyter" is unstable')).join("\n").trim();
  if (code !== 0) {
    throw new Error(messages || `${PYTHON} ${basename(script)} exited with status ${code}`);
  }
  if (progress && messages) console.error(messages);
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(
      Deno.args,
      ["data", "levels", "params", "out", "baseline"],
      ["clean"],
    );
    // Paths as the user typed them, from the folder they typed them in.
    const paths = positionals.length > 0 ? positionals.map(userPath) : await listNotebooks();
    for (const flag of ["data", "params", "out", "baseline"] as const) {
      if (values[flag] !== undefined) values[flag] = userPath(values[flag]);
    }
    if (values.clean) {
      if (values.data || values.levels || values.params) {
        throw new Error("usage: deno task notebooks --clean [NOTEBOOK...] [--out DIR]");
      }
      await cleanNotebooks(paths, values);
      return;
    }
    const started = performance.now();
    await executeNotebooks(paths, values);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`executed ${paths.length} notebooks in ${seconds} s`);
  });
}
