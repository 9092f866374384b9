/**
 * Executor timings as the Wasm executor prints them while it serves (Tables 18, 19): a line
 * `/init <action>` or `/run /<namespace>/<action>` opens a block, then `timestamp_<phase>: N`
 * lines give durations in microseconds (`overhead`, `init` for /init; `wasi`, `module` for
 * /run). Other lines of the executor's output are skipped, and a prefix before the marker
 * (such as the time stamp of `docker logs -t`) is allowed. Runs are numbered per action and
 * phase in order of appearance.
 */
import type { TimingRow } from "../../dataset/schema.ts";
import type { Line } from "../../ingest/lines.ts";

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
    if (action === null) {
      throw new SyntaxError(
        `${at}: timestamp_${stamp[1]} before any "/init <action>" or "/run <path>"`,
      );
    }
    if (!/^\d+(\.\d+)?$/.test(stamp[2])) {
      throw new SyntaxError(
        `${at}: timestamp_${stamp[1]} is ${JSON.stringify(stamp[2])}, expected microseconds`,
      );
    }
    const key = `${action}\0${stamp[1]}`;
    const run = (runs.get(key) ?? 0) + 1;
    runs.set(key, run);
    yield { runtime, action, phase: stamp[1], run, us: Number(stamp[2]) };
  }
}
