/**
 * The output folders that whiskbench writes as a whole (a dataset, a report, a folder of
 * tables) and the guard in front of them. A user's folder is never emptied by mistake:
 *
 * - {@linkcode checkOutput} refuses an output that is, contains or lies inside an input, that
 *   is or contains the project or the user's working folder, or that already holds something
 *   other than whiskbench's own output of the same kind;
 * - {@linkcode replaceFolder} builds the new output beside the old one and swaps the two in
 *   one step (Linux `renameat2(RENAME_EXCHANGE)`; elsewhere two renames, repaired on the next
 *   run), so that a kill at any instant leaves the old output or the new one, whole;
 * - leftovers of killed runs carry a name only whiskbench gives
 *   (`.<name>.whiskbench-<pid>.new` / `.old`) and are removed (or, for a half-swapped folder,
 *   put back) by the next run on the same output, once their process is gone.
 *
 * Paths that a user types are resolved against the folder they typed them in
 * ({@linkcode userPath}): `deno task` runs in the project root and passes the user's own
 * working folder in `INIT_CWD`.
 */
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { isRunning, writeWhole } from "./store.ts";
import { forgetOnStop, removeOnStop } from "./scratch.ts";

/** What an output folder holds, which decides what may be replaced by it. */
export type OutputKind = "dataset" | "report" | "tables" | "compare" | "notebooks" | "bench";

/** The file that marks a folder that whiskbench writes (reports, tables, executed notebooks). */
export const MARKER = ".whiskbench";

/** The project's root folder (the one holding deno.json). */
export const PROJECT_ROOT = resolve(new URL("..", import.meta.url).pathname);

/** A path the user typed, resolved against the folder they typed it in. */
export function userPath(path: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), path);
}

/** The user's working folder (where `deno task` was typed). */
export function userCwd(): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd());
}

/** An error about an output folder: the CLI prints its message and exits 1. */
export class OutputRefused extends Error {
  override name = "OutputRefused";
}

/**
 * `path` with symbolic links resolved as far as it exists (the rest appended), so that two
 * spellings of one folder compare equal.
 */
export async function realPathOf(path: string): Promise<string> {
  const abs = resolve(path);
  const rest: string[] = [];
  let head = abs;
  for (;;) {
    try {
      const real = await Deno.realPath(head);
      return rest.length ? join(real, ...rest.reverse()) : real;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      const up = dirname(head);
      if (up === head) return abs;
      rest.push(basename(head));
      head = up;
    }
  }
}

/** Whether `inner` is `outer` or lies inside it (both absolute and resolved). */
export function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Options of {@linkcode checkOutput}. */
export interface CheckOutputOptions {
  /** Files and folders the command reads: the output may not be, hold or lie in any of them. */
  inputs?: readonly string[];
  /** The flag the user gave the output with, for messages (default `--out`). */
  flag?: string;
}

/**
 * Refuses an output folder that would destroy something it should not: an input, the
 * project, the user's working folder, or a folder that is not whiskbench's own output of
 * `kind`. Returns the resolved output path.
 */
export async function checkOutput(
  out: string,
  kind: OutputKind,
  { inputs = [], flag = "--out" }: CheckOutputOptions = {},
): Promise<string> {
  await followLink(resolve(out)); // a link to nothing is named as such
  const target = await realPathOf(out);
  const shown = `${flag} ${out}`;
  if (dirname(target) === target) throw new OutputRefused(`${shown}: refusing the root folder`);
  for (const input of inputs) {
    const real = await realPathOf(input);
    if (within(target, real)) {
      throw new OutputRefused(
        `${shown}: is or lies inside the input ${input}; choose a folder outside it`,
      );
    }
    if (within(real, target)) {
      throw new OutputRefused(`${shown}: holds the input ${input}; choose a folder outside it`);
    }
  }
  const project = await realPathOf(PROJECT_ROOT);
  if (within(project, target)) {
    throw new OutputRefused(
      `${shown}: holds this project (${PROJECT_ROOT}); choose a new folder, e.g. ${flag} out/${kind}`,
    );
  }
  if (within(join(project, ".git"), target) || within(target, join(project, ".git"))) {
    throw new OutputRefused(`${shown}: lies in the project's .git folder`);
  }
  const cwd = await realPathOf(userCwd());
  if (within(cwd, target)) {
    throw new OutputRefused(
      `${shown}: is or holds your working folder (${cwd}); give a subfolder, e.g. ${flag} ${kind}`,
    );
  }
  const found = await ownerOf(target);
  if (found === "missing" || found === "empty" || found === kind) return target;
  if (found === "file") throw new OutputRefused(`${shown}: is a file, not a folder`);
  const what = found === "foreign"
    ? "holds files that whiskbench did not write"
    : `holds a whiskbench ${found}, not a ${kind}`;
  throw new OutputRefused(
    `${shown}: ${what}; nothing was changed. Give a new or empty folder, or remove this one ` +
      `yourself if you want it replaced.`,
  );
}

/** What a folder holds, as far as replacing it is concerned. */
export type Owner = OutputKind | "missing" | "empty" | "file" | "foreign";

/** Lock and temporary files of whiskbench's own (dataset/store.ts), not contents. */
const TRANSIENT = /^(\.[\w-]+\.lock|dataset\.json\.lock|(dataset\.json|\.whiskbench)\.\w+\.tmp)$/;

/** Tells what `dir` holds: nothing, whiskbench's output of some kind, or foreign files. */
export async function ownerOf(dir: string): Promise<Owner> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(dir);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return "missing";
    throw err;
  }
  if (info.isSymlink) info = await Deno.stat(dir);
  if (!info.isDirectory) return "file";
  const names = new Set<string>();
  for await (const e of Deno.readDir(dir)) if (!TRANSIENT.test(e.name)) names.add(e.name);
  if (names.size === 0) return "empty";
  if (names.has("dataset.json")) return "dataset";
  if (names.has(MARKER)) return await markedKind(join(dir, MARKER));
  // Reports written before the marker existed.
  if (names.has("report.html") && names.has("provenance.json")) return "report";
  // The benchmarks' folders (caches of generated inputs) from before the marker: their names
  // only, one of them a name no other tool gives (a bare out/ or results.json proves nothing).
  if (
    [...names].every((n) => BENCH_NAMES.test(n)) &&
    [...names].some((n) => BENCH_OWN_NAMES.test(n))
  ) return "bench";
  return "foreign";
}

/**
 * The kind a {@linkcode MARKER} file names, or "foreign". Only a small regular file counts: a
 * link planted under the marker's name (in a folder others can write) would otherwise be read
 * through, and a FIFO there would hang the read.
 */
async function markedKind(marker: string): Promise<Owner> {
  const info = await Deno.lstat(marker).catch(() => null);
  if (info === null || !info.isFile || info.size > 64) return "foreign";
  const kind = (await Deno.readTextFile(marker).catch(() => "")).trim();
  return (MARKED_KINDS as readonly string[]).includes(kind) ? kind as OutputKind : "foreign";
}

/** The kinds of output a {@linkcode MARKER} file names (a dataset has its dataset.json). */
const MARKED_KINDS: readonly OutputKind[] = ["report", "tables", "compare", "notebooks", "bench"];

/** What the benchmarks (bench/*.ts) write at the top of their folder, cached inputs included. */
const BENCH_NAMES =
  /^((raw|dataset|import)-.+?(\.complete(\.json)?)?|out|results\.(json|md)|wrk_(keep|close)\.lua)$/;

/** Of {@linkcode BENCH_NAMES}, those only the benchmarks give: their inputs, wrk's scripts. */
const BENCH_OWN_NAMES = /^((raw|dataset|import)-.+|wrk_(keep|close)\.lua)$/;

/**
 * {@linkcode checkOutput}, then the folder made if missing and marked as whiskbench's output of
 * `kind`: for outputs written into in place rather than replaced whole (executed notebooks, the
 * benchmarks' folder), whose runs may share the folder. Returns the resolved path.
 */
export async function claimOutput(
  out: string,
  kind: OutputKind,
  options?: CheckOutputOptions,
): Promise<string> {
  const target = await checkOutput(out, kind, options);
  await Deno.mkdir(target, { recursive: true });
  // Written beside its place and renamed over it: never through a link planted there.
  await writeWhole(join(target, MARKER), `${kind}\n`);
  return target;
}

const LEFTOVER = /^\.(.+)\.whiskbench-(\d+)\.(new|old)$/;

/**
 * Removes what killed runs left beside `target` (their temporary folders), and puts back a
 * folder left half-swapped. Folders of runs still going are left alone. Returns one line per
 * repair, for the user.
 */
export async function repairLeftovers(target: string): Promise<string[]> {
  const parent = dirname(target);
  const name = basename(target);
  const found: { path: string; pid: number; state: string }[] = [];
  try {
    for await (const e of Deno.readDir(parent)) {
      const m = LEFTOVER.exec(e.name);
      if (m && m[1] === name && e.isDirectory) {
        found.push({ path: join(parent, e.name), pid: Number(m[2]), state: m[3] });
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  // A half-swapped folder (`.old` beside a missing target) is put back before anything goes.
  found.sort((a, b) => (a.state === b.state ? 0 : a.state === "old" ? -1 : 1));
  const notes: string[] = [];
  for (const { path, pid, state } of found) {
    if (isRunning(pid)) continue;
    const missing = (await ownerOf(target)) === "missing";
    const fresh = join(parent, `.${name}.whiskbench-${pid}.new`);
    if (missing && state === "old") {
      // Killed between the two renames of the fallback swap: the new folder is whole.
      const restore = found.some((f) => f.path === fresh) ? fresh : path;
      await Deno.rename(restore, target);
      notes.push(`put back ${target} from a run that was killed while replacing it`);
      if (restore === path) continue;
    }
    if (await ownerOf(path) === "missing") continue;
    await Deno.remove(path, { recursive: true });
    notes.push(`removed ${path}, left by a killed run`);
  }
  return notes;
}

let exchange: ((from: string, to: string) => boolean) | null | undefined;

/** `renameat2(RENAME_EXCHANGE)` where libc has it; null elsewhere. */
function exchanger(): ((from: string, to: string) => boolean) | null {
  if (exchange !== undefined) return exchange;
  exchange = null;
  if (Deno.build.os !== "linux") return null;
  try {
    const lib = Deno.dlopen("libc.so.6", {
      renameat2: { parameters: ["i32", "buffer", "i32", "buffer", "u32"], result: "i32" },
    });
    const cString = (s: string) => new TextEncoder().encode(s + "\0");
    const AT_FDCWD = -100, RENAME_EXCHANGE = 2;
    exchange = (from, to) =>
      lib.symbols.renameat2(AT_FDCWD, cString(from), AT_FDCWD, cString(to), RENAME_EXCHANGE) ===
        0;
  } catch {
    // No FFI permission or no such libc: the two-rename swap below.
  }
  return exchange;
}

/**
 * Swaps `fresh` into `target`'s place. Afterwards `target` holds what `fresh` held; the old
 * contents are removed. Where the two folders cannot be exchanged in one step, `target` is
 * first moved aside under a name that {@linkcode repairLeftovers} recognizes.
 */
async function swapIn(fresh: string, target: string, old: string): Promise<void> {
  if ((await ownerOf(target)) === "missing") {
    await Deno.rename(fresh, target);
    return;
  }
  const swap = exchanger();
  if (swap && swap(fresh, target)) {
    await Deno.remove(fresh, { recursive: true });
    return;
  }
  await Deno.rename(target, old);
  await Deno.rename(fresh, target);
  await Deno.remove(old, { recursive: true });
}

/** Options of {@linkcode replaceFolder}. */
export interface ReplaceOptions {
  /** Where notes on repaired leftovers go (default stderr). */
  log?: (line: string) => void;
  /** Files (relative names) of the old folder copied into the new one before the swap. */
  keep?: readonly string[];
}

/**
 * Builds a new folder with `build(dir)` beside `target` and puts it in `target`'s place in
 * one step; throws (leaving `target` untouched and no temporary folder behind) if `build`
 * does. Call {@linkcode checkOutput} first. Folders of kind `report`, `tables` and `compare`
 * get the {@linkcode MARKER} file.
 */
export async function replaceFolder<T>(
  target: string,
  kind: OutputKind,
  build: (dir: string) => Promise<T>,
  { log = (line) => console.error(line), keep = [] }: ReplaceOptions = {},
): Promise<T> {
  const abs = await followLink(resolve(target));
  await Deno.mkdir(dirname(abs), { recursive: true });
  for (const note of await repairLeftovers(abs)) log(note);
  const fresh = join(dirname(abs), `.${basename(abs)}.whiskbench-${Deno.pid}.new`);
  const old = join(dirname(abs), `.${basename(abs)}.whiskbench-${Deno.pid}.old`);
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  // The temporary folder of a replace in flight is removed if the process is told to stop.
  removeOnStop(fresh);
  try {
    await Deno.mkdir(fresh);
    if (kind !== "dataset") await Deno.writeTextFile(join(fresh, MARKER), `${kind}\n`);
    for (const name of keep) await copyIfPresent(join(abs, name), join(fresh, name));
    const result = await build(fresh);
    await syncTree(fresh);
    await swapIn(fresh, abs, old);
    return result;
  } catch (err) {
    await Deno.remove(fresh, { recursive: true }).catch(() => {});
    throw err;
  } finally {
    forgetOnStop(fresh);
  }
}

/**
 * The folder a symbolic link `path` leads to, or `path` itself: an --out that is the user's
 * link to a folder elsewhere (a larger disk) is replaced there, and the link is kept, where a
 * rename over the link would have replaced the link itself.
 */
async function followLink(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return path;
    throw err;
  }
  if (!info.isSymlink) return path;
  try {
    return await Deno.realPath(path);
  } catch (cause) {
    throw new Error(`${path} is a symbolic link to nothing (${await Deno.readLink(path)})`, {
      cause,
    });
  }
}

/** Copies a file or a folder (recursively) if it exists. */
async function copyIfPresent(from: string, to: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(from);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  if (info.isSymlink) return;
  if (info.isFile) {
    await Deno.mkdir(dirname(to), { recursive: true });
    await Deno.copyFile(from, to);
    return;
  }
  if (!info.isDirectory) return;
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    await copyIfPresent(join(from, e.name), join(to, e.name));
  }
}

/** fsyncs every file of a tree, so that a power loss after the swap leaves whole files. */
async function syncTree(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await syncTree(path);
    else if (e.isFile) {
      using f = await Deno.open(path, { read: true });
      await f.sync();
    }
  }
}

/**
 * `path` as it may be shown to the user or inside `root`: a path that would leave `root`
 * (`..`, an absolute path, a separator in a name) is refused.
 */
export function inside(root: string, ...names: string[]): string {
  const path = resolve(root, ...names);
  if (!within(path, resolve(root)) || names.some((n) => n.includes("\0"))) {
    throw new OutputRefused(`refusing to write ${names.join(sep)} outside ${root}`);
  }
  return path;
}

/**
 * Ends this process (as if told SIGTERM, so that folders in flight are removed) when the
 * process that started it goes away: `deno task` killed outright leaves its child running
 * otherwise. Linux only; elsewhere a no-op.
 */
export function exitWithParent(): void {
  if (Deno.build.os !== "linux") return;
  const parent = parentPid();
  if (parent === undefined || parent <= 1) return;
  const id = setInterval(() => {
    if (parentPid() === parent) return;
    clearInterval(id);
    Deno.kill(Deno.pid, "SIGTERM");
  }, 250);
  Deno.unrefTimer(id);
}

/** This process's parent as the kernel sees it now (it changes when the parent dies). */
function parentPid(): number | undefined {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}
