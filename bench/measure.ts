/**
 * Timing a command as a child process: wall seconds from the parent's clock, and from GNU
 * time (getrusage of the children) the peak resident memory of the largest process (`%M`) and
 * the CPU seconds of all of them (`%U` + `%S`, steadier than the wall on a shared machine), so
 * that every side of a comparison is measured the same way. Each measurement is repeated and
 * reported as min and median: the machines are shared and single runs are noisy.
 */

/** One measured command: repeated runs, each wall seconds and peak RSS. */
export interface Measurement {
  /** What was measured, for the table. */
  name: string;
  /** Wall seconds of each run. */
  seconds: number[];
  /** Peak RSS (largest process of the run) of each run, in MB. */
  rss_mb: number[];
  /** CPU seconds (user + system, the command and its children) of each run. */
  cpu_s: number[];
  /** Input bytes the command read, for MB/s (0 where it has no input size). */
  bytes: number;
}

/** Min and median of a sample. */
export function minMedian(xs: number[]): { min: number; median: number } {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 };
}

/** Options of {@linkcode measure}. */
export interface MeasureOptions {
  /** Runs of the command. Default 3. */
  runs?: number;
  /** Input bytes, for MB/s. Default 0. */
  bytes?: number;
  /** Run before each run (e.g. removing the previous output). Default none. */
  before?: () => Promise<void>;
  /** Working directory. Default the current one. */
  cwd?: string;
}

/**
 * Runs `cmd` (argv) `runs` times under `/usr/bin/time` and returns the measurements; throws
 * with the command's stderr if a run fails.
 */
export async function measure(
  name: string,
  cmd: string[],
  { runs = 3, bytes = 0, before, cwd }: MeasureOptions = {},
): Promise<Measurement> {
  const m: Measurement = { name, seconds: [], rss_mb: [], cpu_s: [], bytes };
  const timeFile = await Deno.makeTempFile({ prefix: "whiskbench-time-" });
  try {
    for (let i = 0; i < runs; i++) {
      if (before) await before();
      const t0 = performance.now();
      const out = await new Deno.Command("/usr/bin/time", {
        args: ["-f", "%M %U %S", "-o", timeFile, ...cmd],
        cwd,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const seconds = (performance.now() - t0) / 1000;
      if (!out.success) {
        const err = new TextDecoder().decode(out.stderr).slice(-2000);
        throw new Error(`bench: ${name} failed (exit ${out.code}): ${cmd.join(" ")}\n${err}`);
      }
      const last = (await Deno.readTextFile(timeFile)).trim().split("\n").pop() ?? "";
      const [kb, user, system] = last.trim().split(/\s+/).map(Number);
      m.seconds.push(seconds);
      m.rss_mb.push(kb / 1024);
      m.cpu_s.push(user + system);
    }
  } finally {
    await Deno.remove(timeFile).catch(() => {});
  }
  return m;
}
