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

/** One command of {@linkcode measureInTurn}. */
export interface TurnCommand {
  name: string;
  cmd: string[];
  options?: Omit<MeasureOptions, "runs">;
}

/**
 * Runs each command once a round, in turn, for `runs` rounds, and returns one measurement per
 * command. On a shared machine the load moves within a minute: all runs of one tool and then
 * all of the next meet different loads, the tools of one round about the same one, so a ratio
 * per round compares like with like. `afterFirst(i)` runs after command `i`'s first run (to
 * check its output before the next run replaces it).
 */
export async function measureInTurn(
  commands: TurnCommand[],
  runs: number,
  afterFirst?: (i: number) => Promise<void>,
): Promise<Measurement[]> {
  const all: Measurement[] = commands.map(({ name, options }) => ({
    name,
    seconds: [],
    rss_mb: [],
    cpu_s: [],
    bytes: options?.bytes ?? 0,
  }));
  for (let round = 0; round < runs; round++) {
    for (const [i, { name, cmd, options }] of commands.entries()) {
      const one = await measure(name, cmd, { ...options, runs: 1 });
      all[i].seconds.push(...one.seconds);
      all[i].rss_mb.push(...one.rss_mb);
      all[i].cpu_s.push(...one.cpu_s);
      if (round === 0 && afterFirst) await afterFirst(i);
    }
  }
  return all;
}

/**
 * `m`'s speed over `reference`'s in each round of {@linkcode measureInTurn} (bytes per
 * second; where both read the same bytes, the reference's seconds over `m`'s), by wall
 * seconds or, with `of` = `"cpu_s"`, by CPU seconds.
 */
export function roundRatios(
  m: Measurement,
  reference: Measurement,
  of: "seconds" | "cpu_s" = "seconds",
): number[] {
  return m[of].map((x, r) => (m.bytes || 1) / x / ((reference.bytes || 1) / reference[of][r]));
}
