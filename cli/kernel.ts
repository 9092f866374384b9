/**
 * `deno task kernel [--dir DIR] [--name NAME]`: installs a Jupyter kernelspec for the project,
 * "Deno (whiskbench)": Deno's own kernel (`deno jupyter --kernel`) run by the deno binary that
 * runs this task. Jupyter starts a kernel in the notebook's folder, and Deno finds the
 * project's deno.json from there (notebooks/ -> ..), so `../pipeline/mod.ts` and the npm
 * packages pinned in deno.json and installed in node_modules/ resolve with no network.
 *
 * The kernelspec holds the absolute path of this machine's deno binary, so it is written on
 * each machine (by this task, and by the tests and `deno task notebooks` into a temporary
 * JUPYTER_PATH), never committed. Default location: the user's Jupyter data folder
 * (`$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter` on Linux, `~/Library/Jupyter` on macOS,
 * `%APPDATA%\jupyter` on Windows), where JupyterLab and VS Code look for kernels.
 */
import { join } from "node:path";
import { homedir } from "node:os";
import { parse, run } from "./_args.ts";

/** Name of the project's kernelspec, as the notebooks' metadata names it. */
export const KERNEL_NAME = "whiskbench";
/** What JupyterLab and VS Code show in their kernel pickers. */
export const KERNEL_DISPLAY_NAME = "Deno (whiskbench)";

/** A Jupyter kernelspec (kernel.json). */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

/** The project's kernelspec for the deno binary at `deno` (default: the running one). */
export function kernelSpec(deno: string = Deno.execPath()): KernelSpec {
  return {
    argv: [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: KERNEL_DISPLAY_NAME,
    language: "typescript",
    env: { DENO_NO_UPDATE_CHECK: "1" },
    metadata: {
      whiskbench: "Deno's kernel; started in notebooks/, it uses the project's deno.json",
    },
  };
}

/** The user's Jupyter data folder, as Jupyter computes it (JUPYTER_DATA_DIR first). */
export function userDataDir(
  env: Record<string, string | undefined>,
  os: string = Deno.build.os,
  home: string = homedir(),
): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (os === "windows") return join(env.APPDATA ?? join(home, "AppData", "Roaming"), "jupyter");
  if (os === "darwin") return join(home, "Library", "Jupyter");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "jupyter");
}

/** Writes the kernelspec to `<dataDir>/kernels/<name>/kernel.json`; returns that folder. */
export async function installKernel(
  dataDir: string,
  { name = KERNEL_NAME, deno }: { name?: string; deno?: string } = {},
): Promise<string> {
  const dir = join(dataDir, "kernels", name);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    join(dir, "kernel.json"),
    JSON.stringify(kernelSpec(deno), null, 2) + "\n",
  );
  return dir;
}

/** How to pick the kernel, printed after installing it. */
export const HOW_TO_PICK = `Open a notebook of notebooks/ (start with notebooks/00_overview.ipynb):
  JupyterLab: \`jupyter lab\` in the project folder; the notebooks ask for the kernel
    "${KERNEL_DISPLAY_NAME}" and get it; elsewhere use Kernel > Change Kernel... > ${KERNEL_DISPLAY_NAME}.
    Figures render interactively with a Plotly renderer (the jupyterlab-plotly extension,
    shipped with Python's plotly package); without one they show a static SVG.
  VS Code: install the Jupyter extension, open the notebook, Select Kernel >
    Jupyter Kernel... > ${KERNEL_DISPLAY_NAME} (reload the window if it is not listed yet).
    VS Code renders the Plotly figures itself.`;

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["dir", "name"]);
    if (positionals.length > 0) {
      throw new Error("usage: deno task kernel [--dir DIR] [--name NAME]");
    }
    const dataDir = values.dir ?? userDataDir(Deno.env.toObject());
    const dir = await installKernel(dataDir, { name: values.name });
    console.log(`installed kernelspec ${values.name ?? KERNEL_NAME} in ${dir}\n\n${HOW_TO_PICK}`);
  });
}
