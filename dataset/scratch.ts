/**
 * Paths a command removes if it is stopped: its scratch files and folders (spilled pieces of a
 * large table, its ids' hashes) and the temporary folder of a dataset or report being built
 * (folder.ts). The code that made them removes or moves them when it ends; they are also removed
 * when the command is stopped by SIGINT, SIGTERM or SIGHUP. Deno ends a process on those signals without running `finally`
 * blocks, so a `deno task tables` stopped by Ctrl-C left its spilled pieces (gigabytes on a
 * large dataset) in the system's temporary folder. While any scratch exists, a listener of
 * those signals removes every scratch path and exits as the signal would have (128 + its
 * number); with none left it is removed, and the signals act as before. A process killed
 * outright (SIGKILL) still leaves its scratch: its names start with `whiskbench-`.
 */

const live = new Set<string>();
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type Signal = keyof typeof SIGNALS;
const listeners = new Map<Signal, () => void>();

function removeAllNow(): void {
  for (const path of live) {
    try {
      Deno.removeSync(path, { recursive: true });
    } catch {
      // Already gone, or not ours to fix now: the next run cleans it up.
    }
  }
  live.clear();
}

function watch(): void {
  if (listeners.size > 0 || Deno.build.os === "windows") return;
  for (const signal of Object.keys(SIGNALS) as Signal[]) {
    const listener = () => {
      removeAllNow();
      Deno.exit(128 + SIGNALS[signal]);
    };
    Deno.addSignalListener(signal, listener);
    listeners.set(signal, listener);
  }
}

function unwatch(): void {
  if (live.size > 0) return;
  for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  listeners.clear();
}

/** Has `path` removed (recursively) if the command is stopped by a signal from now on. */
export function removeOnStop(path: string): void {
  live.add(path);
  watch();
}

/** Leaves `path` where it is on a stopping signal again (removed or moved by its maker). */
export function forgetOnStop(path: string): void {
  live.delete(path);
  unwatch();
}

/** Makes a scratch folder (Deno.makeTempDir's options), removed on a stopping signal. */
export async function makeScratchDir(options: Deno.MakeTempOptions): Promise<string> {
  const path = await Deno.makeTempDir(options);
  removeOnStop(path);
  return path;
}

/** Makes a scratch file (Deno.makeTempFile's options), removed on a stopping signal. */
export async function makeScratchFile(options: Deno.MakeTempOptions): Promise<string> {
  const path = await Deno.makeTempFile(options);
  removeOnStop(path);
  return path;
}

/** Removes a scratch path made here (recursively; nothing if it is gone). */
export async function removeScratch(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  } finally {
    forgetOnStop(path);
  }
}
