/**
 * `deno task kernel [--dir DIR] [--name NAME]`: installs a Jupyter kernelspec for the project,
 * "Deno (whiskbench)": Deno's own kernel (`deno jupyter --kernel`) run by the deno binary that
 * runs this task. Jupyter starts a kernel in the notebook's folder, and Deno finds the
 * project's deno.json from there (notebooks/ -> ..), so `../pipeline/mod.ts` and the npm
 * packages pinned in deno.json and installed in node_modules/ resolve with no network.
 *
 * The kernelspec holds the absolute path of this machine's deno binary, so it is written on
 * each machine (by this task, and by the tests and `deno task notebooks` into a temporary
 * JUPYTER_PATH), never committed. This task points it at a deno that stays where it is
 * ({@linkcode kernelDeno}): a deno run through `npx` lives in npm's npx cache, which npm
 * empties, and a kernelspec pointing there stops working. Default location: the user's Jupyter
 * data folder
 * (`$JUPYTER_DATA_DIR`, else `~/.local/share/jupyter` on Linux, `~/Library/Jupyter` on macOS,
 * `%APPDATA%\jupyter` on Windows), where JupyterLab and VS Code look for kernels.
 */
import { delimiter, dirname, join } from "node:path";
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
      // Deno's kernel does not implement the Jupyter debug protocol. JupyterLab offers its
      // debugger for a kernel only where this is true (absent counts as false); said here so
      // that no front end has to guess.
      debugger: false,
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

/** Whether `path` lies in npm's npx cache (`.../_npx/<hash>/...`), which npm empties. */
export function inNpxCache(path: string): boolean {
  return /[\\/]_npx[\\/]/.test(path);
}

/** The real path of the first executable `name` in the `PATH` list `path`, if any. */
export function findOnPath(name: string, path = ""): string | undefined {
  for (const dir of path.split(delimiter).filter((d) => d !== "")) {
    try {
      const real = Deno.realPathSync(join(dir, name));
      const info = Deno.statSync(real);
      if (info.isFile && (Deno.build.os === "windows" || ((info.mode ?? 0) & 0o111) !== 0)) {
        return real;
      }
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Where {@linkcode kernelDeno} copies deno when no stable one exists. */
export function stableDenoPath(
  env: Record<string, string | undefined>,
  os: string = Deno.build.os,
  home: string = homedir(),
): string {
  if (os === "windows") {
    return join(env.LOCALAPPDATA ?? join(home, "AppData", "Local"), "whiskbench", "deno.exe");
  }
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "whiskbench", "deno");
}

/** The deno a kernelspec runs, and why that one. */
export interface KernelDeno {
  /** Absolute path of the binary. */
  path: string;
  /** Which one it is, for the user. */
  why: string;
}

/** Options of {@linkcode kernelDeno}. */
export interface KernelDenoOptions {
  /** The environment (PATH, XDG_DATA_HOME, ...). Default: the process's. */
  env?: Record<string, string | undefined>;
  /** The deno running this task. Default: `Deno.execPath()`. */
  running?: string;
  /** Where to copy deno if needed. Default: {@linkcode stableDenoPath}. */
  copyTo?: string;
}

/**
 * Picks the deno binary for the kernelspec: the deno on PATH (its real path, not a symlink
 * that an upgrade may repoint) unless it lies in the npx cache; else the deno running this
 * task, unless it lies there too; else a copy of the running one at `copyTo`, made here.
 */
export async function kernelDeno(
  { env = Deno.env.toObject(), running = Deno.execPath(), copyTo }: KernelDenoOptions = {},
): Promise<KernelDeno> {
  const exe = Deno.build.os === "windows" ? "deno.exe" : "deno";
  const onPath = findOnPath(exe, env.PATH);
  if (onPath && !inNpxCache(onPath)) return { path: onPath, why: "the deno on PATH" };
  const real = Deno.realPathSync(running);
  if (!inNpxCache(real)) return { path: real, why: "the deno running this task" };
  const target = copyTo ?? stableDenoPath(env);
  await Deno.mkdir(dirname(target), { recursive: true });
  // Copy beside the target, then rename: a kernel may be running the old copy.
  const partial = `${target}.${Deno.pid}.partial`;
  await Deno.copyFile(real, partial);
  if (Deno.build.os !== "windows") await Deno.chmod(partial, 0o755);
  await Deno.rename(partial, target);
  return {
    path: target,
    why: `a copy of ${real}: the only deno found is in npm's npx cache, which npm empties`,
  };
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
    const deno = await kernelDeno();
    const dir = await installKernel(dataDir, { name: values.name, deno: deno.path });
    console.log(
      `installed kernelspec ${values.name ?? KERNEL_NAME} in ${dir}\n` +
        `the kernel runs ${deno.path} (${deno.why}); run this task again after upgrading Deno\n\n` +
        HOW_TO_PICK,
    );
  });
}
