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
import { clockTicks, parseStatLine, readThreadTicks } from "./proc_stat.ts";
import { hostName, parseSshUrl, runOverSsh, shellQuote, type SshTarget } from "./ssh.ts";

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
  /** Sample another host over ssh (`ssh://[user@]host[:port]`); default this machine. */
  host?: string;
}

/** One sample's threads and each thread's CPU ticks (null: the thread is gone). */
interface Probe {
  threads: PsThread[];
  ticks: Map<string, number | null>;
}

/** Takes a probe on this machine: `ps`, then /proc for every thread it lists. */
function localProbe(name: string): () => Promise<Probe> {
  return async () => {
    const found = await ps(["-o", "pid=", "-C", name]);
    const pids = found.split(/\s+/).filter((p) => p !== "").map(Number);
    const threads = pids.length === 0
      ? []
      : parsePsOutput(await ps(psArgs(pids)), `ps -L -C ${name}`);
    const ticks = new Map<string, number | null>();
    for (const t of threads) {
      ticks.set(`${t.pid}/${t.spid}`, (await readThreadTicks(t.pid, t.spid))?.ticks ?? null);
    }
    return { threads, ticks };
  };
}

/** The shell script a remote probe runs: ps's lines, a marker, then `pid tid <stat>` lines. */
export function remoteProbeScript(name: string): string {
  return [
    `p=$(ps -o pid= -C ${shellQuote(name)})`,
    `[ -n "$(echo $p)" ] || exit 0`,
    `ps ${psArgs([]).slice(0, -1).join(" ")} "$(echo $p | tr ' ' ',')"`,
    `echo '#ticks'`,
    `for q in $p; do for t in /proc/$q/task/*; do ` +
    `printf '%s %s ' "$q" "\${t##*/}"; cat "$t/stat" 2>/dev/null || echo; done; done`,
  ].join("\n");
}

/** Parses a remote probe's output ({@linkcode remoteProbeScript}). */
export function parseRemoteProbe(text: string, where: string): Probe {
  const [psPart, tickPart = ""] = text.split("#ticks\n");
  const threads = parsePsOutput(psPart, where);
  const ticks = new Map<string, number | null>();
  for (const line of tickPart.split("\n")) {
    const m = /^(\d+) (\d+) (.*)$/.exec(line);
    if (!m) continue;
    ticks.set(
      `${m[1]}/${m[2]}`,
      m[3].trim() ? parseStatLine(m[3], `${where} task ${m[2]}`).ticks : null,
    );
  }
  return { threads, ticks };
}

/** Takes a probe on another host: one ssh round trip a sample. */
function remoteProbe(target: SshTarget, name: string): () => Promise<Probe> {
  const script = remoteProbeScript(name);
  return async () =>
    parseRemoteProbe(await runOverSsh(target, script), `ps on ${hostName(target)}`);
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
  { name = "executor", all = false, now = () => performance.now(), host }: PsOptions = {},
): Promise<Sample> {
  if (name.length === 0 || name.length > 15) {
    throw new RangeError(
      `Process name ${
        JSON.stringify(name)
      }: ps -C matches the kernel's command name, 1 to 15 characters`,
    );
  }
  const target = host === undefined ? null : parseSshUrl(host);
  const hz = target ? Number(await runOverSsh(target, "getconf CLK_TCK")) : await clockTicks();
  if (!(hz > 0)) throw new Error(`ps on ${host}: getconf CLK_TCK gave no number`);
  const probe = target ? remoteProbe(target, name) : localProbe(name);
  const hostColumn = target ? hostName(target) : null;
  let previous = new Map<string, { ticks: number; at: number }>();
  return async () => {
    const { threads, ticks: allTicks } = await probe();
    const probed = now();
    const current = new Map<string, { ticks: number; at: number }>();
    const rows: SampleRow[] = [];
    for (const t of threads) {
      const key = `${t.pid}/${t.spid}`;
      const ticks = allTicks.get(key) ?? null;
      const at = target ? probed : now();
      let interval: number | null = null;
      if (ticks !== null) {
        current.set(key, { ticks, at });
        const before = previous.get(key);
        if (before && at > before.at) {
          interval = ((ticks - before.ticks) / hz) / ((at - before.at) / 1000) * 100;
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
        host: hostColumn,
      });
    }
    previous = current;
    return all || threads.some((t) => t.stat.includes("R")) ? rows : [];
  };
}
