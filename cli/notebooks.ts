/**
 * `deno task notebooks [NOTEBOOK...] [--data DIR] [--levels L] [--params FILE] [--out DIR]
 * [--baseline DIR]`:
 * re-executes the notebooks (default: every notebooks/*.ipynb, in name order) headlessly under
 * the real Deno kernel and writes their outputs back (or to `--out DIR`, which is what to use
 * with another dataset, so that the committed outputs stay those of data/thesis).
 *
 * The Jupyter client is nbclient from Debian's packages (python3-nbclient, installed by
 * `deno task setup`), run with Debian's /usr/bin/python3; the kernelspec is written to a
 * temporary JUPYTER_PATH, so nothing is installed for the user. The run stops at the first
 * failing cell and names the notebook and the cell.
 */
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, run } from "./_args.ts";
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
  /** Levels, `15`, `1-10` or `1,2,4` (sets WHISKBENCH_LEVELS). Default 1-15. */
  levels?: string;
  /** A JSON file of parameters (sets WHISKBENCH_PARAMS). */
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
  const jupyterPath = await Deno.makeTempDir({ prefix: "whiskbench-jupyter-" });
  try {
    await installKernel(jupyterPath);
    const env: Record<string, string> = {
      JUPYTER_PATH: jupyterPath,
      JUPYTER_RUNTIME_DIR: join(jupyterPath, "runtime"),
      JUPYTER_PLATFORM_DIRS: "1",
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
    };
    if (data) env.WHISKBENCH_DATA = resolve(data);
    if (levels) env.WHISKBENCH_LEVELS = levels;
    if (params) env.WHISKBENCH_PARAMS = resolve(params);
    if (baseline) env.WHISKBENCH_BASELINE = resolve(baseline);
    const args = [join(NOTEBOOK_DIR, "_execute.py"), "--kernel", KERNEL_NAME];
    args.push("--timeout", String(timeoutS));
    if (out) args.push("--out", resolve(out));
    let child;
    try {
      child = new Deno.Command(PYTHON, {
        args: [...args, ...paths.map((p) => resolve(p))],
        env,
        stdout: progress ? "inherit" : "null",
        stderr: "piped",
      }).spawn();
    } catch (err) {
      throw new Error(
        `Cannot start ${PYTHON} to execute notebooks: ${err}; run \`deno task setup\` ` +
          `(it installs python3-nbclient)`,
        { cause: err },
      );
    }
    const { code, stderr } = await child.output();
    // The kernel's own warning that `deno jupyter` is unstable is noise here.
    const messages = new TextDecoder().decode(stderr).split("\n")
      .filter((l) => !l.includes('"deno jupyter" is unstable')).join("\n").trim();
    if (code !== 0) {
      throw new Error(
        messages || `${PYTHON} ${basename(args[0])} exited with status ${code}`,
      );
    }
    if (progress && messages) console.error(messages);
  } finally {
    await Deno.remove(jupyterPath, { recursive: true });
  }
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, [
      "data",
      "levels",
      "params",
      "out",
      "baseline",
    ]);
    const paths = positionals.length > 0 ? positionals : await listNotebooks();
    const started = performance.now();
    await executeNotebooks(paths, values);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`executed ${paths.length} notebooks in ${seconds} s`);
  });
}
