/**
 * Executor timings as the Wasm executor prints them while it serves (Tables 18, 19): a line
 * `/init <action>` or `/run /<namespace>/<action>` opens a block, then `timestamp_<phase>: N`
 * lines give durations in microseconds (`overhead`, `init` for /init; `wasi`, `module` for
 * /run). Other lines of the executor's output are skipped, and a prefix before the marker
 * (such as the time stamp of `docker logs -t`) is allowed. Runs are numbered per action and
 * phase in order of appearance.
 */
import type { TimingRow } from "../../dataset/schema.ts";
import { type Line, readLines } from "../../ingest/lines.ts";
import type { TableWriter } from "../../dataset/part_writer.ts";

const HEADER = /(?:^|\s)\/(init|run)\s+(\S+)\s*$/;
const STAMP = /(?:^|\s)timestamp_([a-z_]+)\s*:\s*(.*?)\s*$/;

/** Counts of a parse: lines read and lines skipped as not being timings. */
export interface TimingParseStats {
  lines: number;
  skipped: number;
}

/**
 * Yields one timing row per `timestamp_<phase>: N` line of executor output, as it comes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linesOf } from "../../ingest/lines.ts";
 * import { parseExecutorOutput } from "./timings.ts";
 * const rows = [];
 * const text = "/init hello\nInitializing container with id 7\ntimestamp_init: 1100\n";
 * for await (const r of parseExecutorOutput(linesOf(text), "example", "wasm")) rows.push(r);
 * assert.deepEqual(rows, [{ runtime: "wasm", action: "hello", phase: "init", run: 1, us: 1100 }]);
 * ```
 */
export async function* parseExecutorOutput(
  lines: AsyncIterable<Line>,
  where: string,
  runtime: string,
  stats: TimingParseStats = { lines: 0, skipped: 0 },
  onBadLine?: (err: SyntaxError) => void,
): AsyncGenerator<TimingRow> {
  const runs = new Map<string, number>();
  let action: string | null = null;
  for await (const { text, line } of lines) {
    stats.lines++;
    const header = HEADER.exec(text);
    if (header) {
      action = header[2].split("/").filter(Boolean).at(-1) ?? null;
      continue;
    }
    const stamp = STAMP.exec(text);
    if (!stamp) {
      stats.skipped++;
      continue;
    }
    const at = `${where} line ${line}`;
    const bad = action === null
      ? `${at}: timestamp_${stamp[1]} before any "/init <action>" or "/run <path>"`
      : !/^\d+(\.\d+)?$/.test(stamp[2])
      ? `${at}: timestamp_${stamp[1]} is ${JSON.stringify(stamp[2])}, expected microseconds`
      : null;
    if (bad !== null || action === null) {
      const err = new SyntaxError(bad ?? at);
      if (!onBadLine) throw err;
      onBadLine(err);
      continue;
    }
    const key = `${action}\0${stamp[1]}`;
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    yield { runtime, action, phase: stamp[1], run, us: Number(stamp[2]) };
  }
}

/** Options of {@linkcode startTimings}. */
export interface TimingsOptions {
  /** A file of executor output. */
  file?: string;
  /** A shell command whose stdout and stderr are executor output. */
  command?: string;
  /** `runtime` of the rows. */
  runtime: string;
  /** Seconds between Parquet parts. */
  flushEvery: number;
  /** Where bad lines and a failed command are reported. */
  warn: (message: string) => void;
}

/** What reading timings counted. */
export interface TimingCounts {
  /** Bad timing lines (skipped), plus 1 if the command failed. */
  failures: number;
  lines: TimingParseStats;
}

/**
 * Reads executor output from a file (to its end) or a command (until it exits or `stop()`)
 * into `writer`, flushing a part every `flushEvery` seconds; bad lines are reported, counted
 * and skipped.
 */
export async function startTimings(
  writer: TableWriter<"timings">,
  { file, command, runtime, flushEvery, warn }: TimingsOptions,
): Promise<{ stop(): Promise<TimingCounts>; done: Promise<TimingCounts> }> {
  if ((file === undefined) === (command === undefined)) {
    throw new TypeError("Timings sampler: give exactly one of file or command");
  }
  let child: Deno.ChildProcess | null = null;
  let input: ReadableStream<Uint8Array>;
  let where: string;
  if (file !== undefined) {
    input = (await Deno.open(file)).readable;
    where = file;
  } else {
    // In a process group of its own (setsid), so that stop() ends the command's children too;
    // `exec 2>&1` first: the executor's stdout and stderr, interleaved as written.
    child = new Deno.Command("setsid", {
      args: ["sh", "-c", `exec 2>&1\n${command}`],
      stdout: "piped",
      stdin: "null",
    }).spawn();
    input = child.stdout;
    where = `output of ${JSON.stringify(command)}`;
  }
  const counts: TimingCounts = { failures: 0, lines: { lines: 0, skipped: 0 } };
  const bad = (err: SyntaxError) => {
    counts.failures++;
    warn(`timings: ${err.message}`);
  };
  const flusher = setInterval(() => writer.flushSoon(), flushEvery * 1000);
  let stopping = false;
  const done = (async () => {
    try {
      const rows = parseExecutorOutput(readLines(input), where, runtime, counts.lines, bad);
      for await (const row of rows) writer.push(row);
    } finally {
      clearInterval(flusher);
    }
    if (child) {
      const status = await child.status;
      if (!status.success && !stopping) {
        counts.failures++;
        warn(`timings: ${where} exited with code ${status.code}`);
      }
    }
    await writer.flush();
    return counts;
  })();
  return {
    done,
    stop() {
      stopping = true;
      try {
        if (child) Deno.kill(-child.pid, "SIGTERM");
      } catch {
        // already exited
      }
      return done;
    },
  };
}
