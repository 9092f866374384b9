/**
 * Releasing the native memory of polars frames that are no longer referenced.
 *
 * A nodejs-polars frame is a small JavaScript object holding native memory that V8 does not
 * count: a loop that reads a gigabyte of Parquet part by part leaves every dropped part in
 * memory until V8 collects garbage for reasons of its own JavaScript heap, which may be never.
 * Measured on 10 parts of 1 M activation rows: RSS grew by 160 MB a part without a collection
 * and stayed at 500 MB with one after each part. A reader that drops what it read calls
 * {@linkcode releaseNativeMemory} between large steps.
 */
import v8 from "node:v8";
import vm from "node:vm";

let collect: (() => void) | null | undefined;

/**
 * V8's `gc()`: the global one where the process started with `--v8-flags=--expose-gc` (as the
 * deno tasks do), else exposed at run time (Deno and Node accept the flag after start-up) and
 * taken from a new context, whose collections take about 1.5x as long (25 against 38-55 ms
 * with a few frames alive, medians of 3 interleaved runs of 15 calls).
 */
function collector(): (() => void) | null {
  const global = (globalThis as { gc?: unknown }).gc;
  if (collect === undefined && typeof global === "function") collect = global as () => void;
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc: unknown = vm.runInNewContext("gc");
      collect = typeof gc === "function" ? gc as () => void : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/**
 * Collects JavaScript garbage, then yields one macrotask so that the finalizers of the
 * collected frames (queued by the collection) run and free their native memory. Where the
 * collector cannot be exposed, only yields: memory is then freed when V8 chooses. Trims
 * glibc's heaps where the process holds {@linkcode TRIM_ABOVE_BYTES} or more.
 */
export async function releaseNativeMemory(): Promise<void> {
  collector()?.();
  await new Promise((resolve) => setTimeout(resolve, 0));
  if (trim && (residentBytes() ?? Infinity) >= TRIM_ABOVE_BYTES) trim();
}

/**
 * The resident memory below which a release leaves glibc's heaps untrimmed: a trim gives the
 * free pages inside them back to the system, and the next allocations that reuse them fault
 * them in again, zeroed by the kernel. `deno task tables` on 10 M rows (3 interleaved rounds
 * against a trim at every release): system time 6.4-7.2 -> 5.0-5.9 s, CPU 18.4-21.1 -> 16.5-
 * 20.3 s, peak RSS 703 -> 748 MB. Below it, freed memory kept for reuse stays within the
 * memory goals (1 GB at 10 M rows); above it every release trims as before.
 */
export const TRIM_ABOVE_BYTES = 512 * 1024 * 1024;

/** The process's resident memory (VmRSS of /proc/self/status), or null where unreadable. */
export function residentBytes(): number | null {
  try {
    const kb = Deno.readTextFileSync("/proc/self/status").match(/^VmRSS:\s+(\d+) kB$/m);
    return kb ? Number(kb[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** glibc's `mallopt` parameter of the mmap threshold. */
const M_MMAP_THRESHOLD = -3;

let fixed = false;
/** glibc's `malloc_trim`, once {@linkcode returnFreedMemory} has found glibc. */
let trim: (() => void) | null = null;

/**
 * The mmap threshold {@linkcode returnFreedMemory} fixes: 4 MiB. At 128 KiB every column
 * buffer of more than 16,384 8-byte values was mapped and unmapped on its own, and the
 * kernel's zeroing of those pages cost about 40 % of `deno task tables`' CPU time on 10 M rows
 * (9-10 s of system time in 22-25 s, against 6.7 s at 4 MiB, 7 s at 32 MiB); RSS 690 -> 700
 * MB. A part's columns of a million rows (8 MB) are still mapped on their own.
 */
const MMAP_THRESHOLD = 4 * 1024 * 1024;

/**
 * Has glibc's malloc map every allocation of {@linkcode MMAP_THRESHOLD} or more on its own and
 * give it back to the system when freed. By default glibc raises that threshold each time such
 * a block is freed (up to 32 MiB), after which polars' column buffers come from its heaps, and
 * what a freed frame leaves there mostly stays in the process: on 10 M activation rows read
 * part by part, RSS stayed at 800 MB after every part was released, and went to 230 MB with
 * the threshold fixed (at 128 KiB, 4 MiB since). Also set by the environment
 * (`MALLOC_MMAP_THRESHOLD_=4194304`). From then on, {@linkcode releaseNativeMemory} also trims
 * glibc's heaps (`malloc_trim`), which gives back what smaller blocks leave free there. Where
 * libc is not glibc or foreign calls are not allowed, nothing changes; returns whether it did.
 */
export function returnFreedMemory(): boolean {
  if (fixed) return true;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      mallopt: { parameters: ["i32", "i32"], result: "i32" },
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    fixed = libc.symbols.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) === 1;
    // What smaller blocks leave free in glibc's heaps goes back at each release too.
    if (fixed) trim = () => libc.symbols.malloc_trim(0n);
  } catch {
    fixed = false;
  }
  return fixed;
}
