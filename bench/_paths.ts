/** Paths the benchmarks share: the project root and the Deno that runs them. */
import { join } from "node:path";

/** The project root (where deno.json is), so child processes find the import map. */
export const ROOT = new URL("..", import.meta.url).pathname;

/**
 * The environment `deno task tables` runs in (deno.json): glibc's malloc asks for transparent huge
 * pages (`glibc.malloc.hugetlb=1`, glibc 2.35 or later; ignored elsewhere), so that polars' fresh
 * buffers fault in 2 MiB at a time: on 10 M rows, 5 interleaved pairs, system time 0.7-1.9 s less
 * and wall time 0.4-3.0 s less, peak RSS the same (BENCHMARKS.md, tenth session).
 */
export const TABLES_ENV = ["env", "GLIBC_TUNABLES=glibc.malloc.hugetlb=1"];

/** argv of `deno run -A --v8-flags=--expose-gc <script relative to ROOT>`. */
export function denoRun(script: string, ...args: string[]): string[] {
  // As the deno tasks run them (releaseNativeMemory collects faster with V8's global gc).
  return [Deno.execPath(), "run", "-A", "--v8-flags=--expose-gc", join(ROOT, script), ...args];
}

/** Sum of the sizes of the files of a folder tree, in bytes. */
export async function treeBytes(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) n += await treeBytes(p);
    else if (e.isFile) n += (await Deno.stat(p)).size;
  }
  return n;
}

/**
 * What `make` generated into `dir`, made once: a description of it is kept beside the folder
 * as `<dir>.complete.json` when `make` finished, and read back on the next run; a folder
 * without one (an interrupted run) is made again.
 */
export async function generatedOnce<T>(dir: string, make: (dir: string) => Promise<T>): Promise<T> {
  const done = `${dir}.complete.json`;
  try {
    return JSON.parse(await Deno.readTextFile(done)) as T;
  } catch {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    const made = await make(dir);
    await Deno.writeTextFile(done, JSON.stringify(made));
    return made;
  }
}
