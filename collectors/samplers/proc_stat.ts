/**
 * CPU time of threads from `/proc/<pid>/task/<tid>/stat`, for the CPU used in an interval:
 * `ps`'s %CPU is the average over a thread's whole life, so a sampler differences these
 * counters between two samples instead (proc(5): fields 14 `utime` and 15 `stime`, in clock
 * ticks).
 */

/** State and CPU time of one thread. */
export interface ThreadTicks {
  /** Process state letter (R, S, D, ...). */
  state: string;
  /** utime + stime, clock ticks. */
  ticks: number;
}

/**
 * Parses one `/proc/<pid>/task/<tid>/stat` line. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so fields are counted after the
 * last `)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStatLine } from "./proc_stat.ts";
 * const line = "42 (a b) R 1 42 42 0 -1 4194304 90 0 0 0 250 50 0 0 20 0 1 0 9 0 0";
 * assert.deepEqual(parseStatLine(line, "example"), { state: "R", ticks: 300 });
 * ```
 */
export function parseStatLine(text: string, where: string): ThreadTicks {
  const close = text.lastIndexOf(")");
  const f = close < 0 ? [] : text.slice(close + 1).trim().split(/\s+/);
  // After the name: f[0] is field 3 (state), so field n is f[n - 3].
  const utime = Number(f[11]), stime = Number(f[12]);
  if (
    f.length < 13 || !/^[A-Za-z]$/.test(f[0]) || !Number.isInteger(utime) ||
    !Number.isInteger(stime)
  ) {
    throw new SyntaxError(
      `${where}: expected "pid (comm) state ... utime stime ...", found ${
        JSON.stringify(text.slice(0, 80))
      }`,
    );
  }
  return { state: f[0], ticks: utime + stime };
}

/** The thread's state and CPU ticks, or null if the thread is gone. */
export async function readThreadTicks(pid: number, tid: number): Promise<ThreadTicks | null> {
  const path = `/proc/${pid}/task/${tid}/stat`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return parseStatLine(text, path);
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux where it cannot be asked). */
export async function clockTicks(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stderr: "null" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    return out.success && Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}
