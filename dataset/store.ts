/**
 * dataset.json and the locks of a dataset folder: the one place that reads and changes a
 * dataset's provenance, so that a collector, a sampler and a deploy writing into one folder
 * at once never lose each other's entries, and two collectors never write one folder at once
 * (each would number its repetitions from the same `run`).
 *
 * - {@linkcode readMeta} reads dataset.json, naming the file on any error;
 * - {@linkcode updateMeta} changes it read-modify-write under a short lock file
 *   (`dataset.json.lock`), written to a temporary name, fsynced and renamed into place;
 * - {@linkcode lockForWriting} takes a folder for one writer role (`collect`) for as long as
 *   the process holds it; a second process is refused with the holder's pid and command. A
 *   lock whose process is gone (killed outright) is taken over, and said so.
 */
import { basename, dirname, join, resolve } from "node:path";
import type { DatasetMeta } from "./mod.ts";
import { checkMeta } from "./meta_checks.ts";

/** The embedded default dataset (the thesis's published measurements), in the project. */
export const EMBEDDED_DATASET = resolve(new URL("../data/thesis", import.meta.url).pathname);

/**
 * Reads the published numbers that belong with dataset `dir` as JSON: `file` if given, else
 * `dir`/published.json where present, else the embedded dataset's. Errors name the file.
 */
export async function readPublishedJson(
  dir: string,
  file?: string,
): Promise<{ value: unknown; path: string }> {
  const candidates = file
    ? [file]
    : [join(dir, "published.json"), join(EMBEDDED_DATASET, "published.json")];
  for (const path of candidates) {
    try {
      return { value: JSON.parse(await readJsonText(path)), path };
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound) || file) {
        throw new Error(`Cannot read published numbers ${path}: ${err}`, { cause: err });
      }
    }
  }
  throw new Error(`No published.json in ${dir} or ${EMBEDDED_DATASET}`);
}

/** The name of a dataset's provenance file. */
export const META_FILE = "dataset.json";

/**
 * The largest dataset.json or published.json read, in bytes: far above any real one (the
 * thesis's are 5 KB and 200 KB; a campaign's dataset.json grows by about 1 KB a collection).
 */
export const MAX_JSON_BYTES = 64 << 20;

/**
 * The text of a dataset's JSON file, which must be a regular file (a link to one is followed)
 * of at most {@linkcode MAX_JSON_BYTES}. A dataset is untrusted: a FIFO of that name would block
 * the read for ever, a link to /dev/zero never end, and gigabytes exhaust memory long before
 * JSON.parse could fail; so its kind and size are asked first. A missing file stays NotFound.
 */
async function readJsonText(path: string): Promise<string> {
  const info = await Deno.stat(path);
  if (!info.isFile) {
    const kind = info.isDirectory ? "a folder" : "a FIFO, socket or device";
    throw new Error(`${kind}, expected a regular file of JSON text`);
  }
  if (info.size > MAX_JSON_BYTES) {
    throw new Error(`${info.size} bytes, more than the ${MAX_JSON_BYTES} a JSON file may have`);
  }
  return await Deno.readTextFile(path);
}

/** Reads `dir`/dataset.json: null where there is none, an error naming the file otherwise. */
export async function readMeta(dir: string): Promise<DatasetMeta | null> {
  const path = join(dir, META_FILE);
  let text: string;
  try {
    text = await readJsonText(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new Error(`Cannot read ${path}: ${err instanceof Error ? err.message : err}`, {
      cause: err,
    });
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not JSON (${err instanceof Error ? err.message : err})`, {
      cause: err,
    });
  }
  // Its shape (a JSON object, the known fields' types, a bounded depth), or an error naming
  // the file and the field.
  return checkMeta(meta, path);
}

/** Whether a dataset's provenance says `deno task collect` made it (it lists collections). */
export function isCollected(meta: DatasetMeta | null): boolean {
  return meta !== null && Array.isArray(meta.collections);
}

/** What a new collected dataset's dataset.json starts as. */
export function newCollectedMeta(dir: string, source: string): DatasetMeta {
  return { name: basename(dir), source, collections: [] };
}

/** Writes `dir`/dataset.json whole (see {@linkcode writeWhole}). */
export async function writeMetaFile(dir: string, meta: DatasetMeta): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await writeWhole(join(dir, META_FILE), JSON.stringify(meta, null, 2) + "\n");
}

/**
 * Writes `text` to `path` whole: to a new file of a temporary name beside it, fsynced, renamed
 * over `path`, the folder fsynced. A crash leaves the old file or the new one, never a cut one,
 * and a link at `path` is replaced, never written through to the file it names.
 */
export async function writeWhole(path: string, text: string): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await writeSynced(tmp, new TextEncoder().encode(text));
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Cannot write ${path}: ${err instanceof Error ? err.message : err}`, {
      cause: err,
    });
  }
  await syncFolder(dirname(path));
}

/** Writes bytes to a new file and fsyncs it before closing. */
async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  using f = await Deno.open(path, { write: true, createNew: true });
  let at = 0;
  while (at < bytes.length) at += await f.write(bytes.subarray(at));
  await f.sync();
}

/** fsyncs a folder, so that a rename into it survives a power loss (not on Windows). */
export async function syncFolder(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    using d = await Deno.open(dir, { read: true });
    await d.sync();
  } catch {
    // Some file systems refuse to sync a folder; the rename itself is still atomic.
  }
}

/** Changes of dataset.json in this process, one at a time per folder. */
const queues = new Map<string, Promise<unknown>>();

/**
 * Changes `dir`/dataset.json: `change` gets the current contents (null if none) and returns
 * the new ones. Changes from this and other processes are applied one at a time.
 */
export function updateMeta(
  dir: string,
  change: (meta: DatasetMeta | null) => DatasetMeta,
): Promise<DatasetMeta> {
  const key = join(dir, META_FILE);
  const next = (queues.get(key) ?? Promise.resolve()).catch(() => {}).then(async () => {
    await Deno.mkdir(dir, { recursive: true });
    const release = await waitForLock(`${key}.lock`, "dataset.json change");
    try {
      const meta = change(await readMeta(dir));
      await writeMetaFile(dir, meta);
      return meta;
    } finally {
      await release();
    }
  });
  queues.set(key, next);
  return next;
}

/** Who holds a lock, as written in its file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  started: string;
  what: string;
}

/** A lock held by another running process. */
export class LockHeld extends Error {
  override name = "LockHeld";
  constructor(readonly path: string, readonly holder: LockHolder | null) {
    super(
      holder
        ? `${path}: held by process ${holder.pid} on ${holder.hostname} since ${holder.started} (${holder.what})`
        : `${path}: held by another process`,
    );
  }
}

/** Whether `pid` runs on this host (Linux: /proc; elsewhere assumed running). */
export function isRunning(pid: number): boolean {
  if (pid === Deno.pid) return true;
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates lock file `path` or throws {@linkcode LockHeld}; a lock left by a process of this
 * host that is gone is taken over (`onStale` is told). Returns the release.
 */
export async function takeLock(
  path: string,
  what: string,
  onStale: (holder: LockHolder | null) => void = () => {},
  reserveBytes = 0,
): Promise<() => Promise<void>> {
  const me: LockHolder = {
    pid: Deno.pid,
    hostname: Deno.hostname(),
    started: new Date().toISOString(),
    what,
  };
  for (let attempt = 0;; attempt++) {
    try {
      const line = new TextEncoder().encode(JSON.stringify(me) + "\n");
      const bytes = new Uint8Array(line.length + reserveBytes).fill(0x20);
      bytes.set(line);
      await writeSynced(path, bytes);
      return async () => {
        await Deno.remove(path).catch(() => {});
      };
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
    }
    let holder: LockHolder | null = null;
    try {
      holder = JSON.parse(await Deno.readTextFile(path));
    } catch {
      // Being written or removed right now: look again.
      if (attempt < 20) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
    }
    const stale = holder && holder.hostname === Deno.hostname() && !isRunning(holder.pid);
    if (!stale || attempt > 20) throw new LockHeld(path, holder);
    onStale(holder);
    await Deno.remove(path).catch(() => {});
  }
}

/** Waits (up to `timeoutMs`) for a short lock held by another process. */
async function waitForLock(path: string, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2;; wait = Math.min(wait * 2, 100)) {
    try {
      return await takeLock(path, what);
    } catch (err) {
      if (!(err instanceof LockHeld) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** Locks of this process: held once per folder and role, however often asked for. */
const held = new Map<string, { count: number; release: () => Promise<void> }>();

/**
 * Bytes the `collect` lock file holds in reserve (spaces after its JSON line): given back by
 * {@linkcode freeReserve} on a full disk, so that the collection's failure can still be
 * written to dataset.json.
 */
export const RESERVE_BYTES = 256 << 10;

/** Gives back the reserve of a writer lock (a full disk), keeping the lock itself. */
export async function freeReserve(dir: string, role: string): Promise<void> {
  const path = lockFile(dir, role);
  try {
    const text = await Deno.readTextFile(path);
    await Deno.truncate(path, new TextEncoder().encode(text.split("\n")[0] + "\n").length);
  } catch {
    // No lock, or not ours to shrink: nothing to give back.
  }
}

/** The name of the lock file of a writer role in a dataset folder. */
export function lockFile(dir: string, role: string): string {
  return join(dir, `.${role}.lock`);
}

/**
 * Takes `dir` for writer role `role` (e.g. `collect`) for this process, or throws a clear
 * error naming the process that has it. Re-entrant within a process (one campaign opens one
 * dataset for several experiments); released when every taker has released it, or when the
 * process ends (a killed holder's lock is taken over by the next writer).
 */
export async function lockForWriting(
  dir: string,
  role: string,
  what: string,
  log: (line: string) => void = (line) => console.error(line),
): Promise<() => Promise<void>> {
  await Deno.mkdir(dir, { recursive: true });
  const path = lockFile(dir, role);
  const mine = held.get(path);
  if (mine) mine.count++;
  else {
    try {
      const release = await takeLock(
        path,
        what,
        (h) =>
          log(
            `${path}: taking over the lock of process ${h?.pid ?? "?"}, which is no longer running`,
          ),
        RESERVE_BYTES,
      );
      held.set(path, { count: 1, release });
    } catch (err) {
      if (!(err instanceof LockHeld)) throw err;
      const h = err.holder;
      throw new Error(
        `${dir} is being written by another ${role} (process ${h?.pid ?? "?"} on ${
          h?.hostname ?? "?"
        }, since ${h?.started ?? "?"}: ${h?.what ?? "?"}); wait for it to end, stop it, or give ` +
          `another --out`,
        { cause: err },
      );
    }
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const entry = held.get(path);
    if (!entry || --entry.count > 0) return;
    held.delete(path);
    await entry.release();
  };
}
