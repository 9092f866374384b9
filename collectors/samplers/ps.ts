/**
 * The `ps` sampler: every thread of the processes with a given name (default `executor`, the
 * Wasm executor): thread id, state, %CPU, RSS, VSZ; and the CPU each thread used since the
 * previous sample, from /proc deltas, since `ps`'s %CPU is an average over the thread's whole
 * life. As the thesis's script did, by default only samples where something is running
 * (a STAT with R) are kept. (The thesis ran `ps -o spid,stat,%cpu,rss -C executor` without
 * `-L`: one row per process, whose %CPU counts all its threads; here each thread is a row,
 * and the pipeline sums CPU over them.)
 */
import type { Sample, SampleRow } from "./_sample.ts";
import { clockTicks, readThreadTicks } from "./proc_stat.ts";

/** One line of `ps -L -o pid=,spid=,stat=,%cpu=,rss=,vsz=` (RSS and VSZ in KiB). */
export interface PsThread {
  pid: number;
  spid: number;
  stat: string;
  cpu_pct: number;
  rss_kib: number;
  vsz_kib: number;
}

/**
 * The `ps` arguments listing every thread of the processes `pids`, whose output
 * {@linkcode parsePsOutput} reads. Processes are found by name first (`ps -o pid= -C name`):
 * `ps -L -C name` would match each thread's own name and miss threads named otherwise, such
 * as a Rust runtime's `tokio-runtime-w`.
 */
export function psArgs(pids: number[]): string[] {
  return ["-L", "-o", "pid=,spid=,stat=,%cpu=,rss=,vsz=", "-p", pids.join(",")];
}

/**
 * Parses the output of `ps` run with {@linkcode psArgs} (no header).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePsOutput } from "./ps.ts";
 * const [t] = parsePsOutput(" 7  8 Rl+ 12.5 25800 58462724\n", "example");
 * assert.deepEqual(t, { pid: 7, spid: 8, stat: "Rl+", cpu_pct: 12.5, rss_kib: 25800, vsz_kib: 58462724 });
 * ```
 */
export function parsePsOutput(text: string, where: string): PsThread[] {
  const out: PsThread[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const f = line.trim().split(/\s+/);
    const ok = f.length === 6 && /^\d+$/.test(f[0]) && /^\d+$/.test(f[1]) &&
      /^[A-Za-z][A-Za-z<+]*$/.test(f[2]) && /^\d+(\.\d+)?$/.test(f[3]) && /^\d+$/.test(f[4]) &&
      /^\d+$/.test(f[5]);
    if (!ok) {
      throw new SyntaxError(
        `${where} line ${i + 1}: expected "PID SPID STAT %CPU RSS VSZ", found ${
          JSON.stringify(line)
        }`,
      );
    }
    out.push({
      pid: Number(f[0]),
      spid: Number(f[1]),
      stat: f[2],
      cpu_pct: Number(f[3]),
      rss_kib: Number(f[4]),
      vsz_kib: Number(f[5]),
    });
  });
  return out;
}

/** Options of {@linkcode psSampler}. */
export interface PsOptions {
  /** Process name as `ps -C` matches it (the kernel's comm). Default "executor". */
  name?: string;
  /** Keep every sample; default false keeps, as the thesis did, only samples where some thread is running (STAT with R). */
  all?: boolean;
  /** The monotonic clock, ms (injectable for tests). Default performance.now. */
  now?: () => number;
}

/** Runs ps; exit 1 with no output means no process matched: no lines, not an error. */
async function ps(args: string[]): Promise<string> {
  const out = await new Deno.Command("ps", { args, stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success && text.trim() !== "") {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`ps ${args.join(" ")} failed (exit ${out.code}): ${err}`);
  }
  return text;
}

/** A `ps` sampler: each call runs `ps` once and reads /proc for every thread it lists. */
export async function psSampler(
  { name = "executor", all = false, now = () => performance.now() }: PsOptions = {},
): Promise<Sample> {
  if (name.length === 0 || name.length > 15) {
    throw new RangeError(
      `Process name ${
        JSON.stringify(name)
      }: ps -C matches the kernel's command name, 1 to 15 characters`,
    );
  }
  const hz = await clockTicks();
  let previous = new Map<string, { ticks: number; at: number }>();
  return async () => {
    const found = await ps(["-o", "pid=", "-C", name]);
    const pids = found.split(/\s+/).filter((p) => p !== "").map(Number);
    const threads = pids.length === 0
      ? []
      : parsePsOutput(await ps(psArgs(pids)), `ps -L -C ${name}`);
    const current = new Map<string, { ticks: number; at: number }>();
    const rows: SampleRow[] = [];
    for (const t of threads) {
      const key = `${t.pid}/${t.spid}`;
      const ticks = await readThreadTicks(t.pid, t.spid);
      const at = now();
      let interval: number | null = null;
      if (ticks !== null) {
        current.set(key, { ticks: ticks.ticks, at });
        const before = previous.get(key);
        if (before && at > before.at) {
          interval = ((ticks.ticks - before.ticks) / hz) / ((at - before.at) / 1000) * 100;
        }
      }
      rows.push({
        sampler: "ps",
        target: String(t.spid),
        cpu_pct: t.cpu_pct,
        cpu_pct_interval: interval,
        mem_bytes: t.rss_kib * 1024,
        mem_limit_bytes: null,
        pids: null,
        state: t.stat,
        vsz_bytes: t.vsz_kib * 1024,
      });
    }
    previous = current;
    return all || threads.some((t) => t.stat.includes("R")) ? rows : [];
  };
}
