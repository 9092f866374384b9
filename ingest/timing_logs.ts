/**
 * Parser of the executor timing logs (`function_cold_times.log`, `function_times.log`): blocks
 * headed `/init <action>` or `/run /<namespace>/<action>`, then `timestamp_<phase>: N` lines
 * in microseconds. The thesis's files were copied by hand, and their quirks are data, not
 * errors: `##` comments, several values on one line separated by ` , ` with a separator
 * sometimes missing (`152  150` is two values), and a final unlabelled block of numbers (the
 * means its Table 19 prints), which is returned apart.
 */
import type { TimingRow } from "../dataset/schema.ts";
import type { Line } from "./lines.ts";

/** Rows of a timing log and the unlabelled numbers found after its blocks. */
export interface TimingLog {
  rows: TimingRow[];
  unlabelled: number[];
}

const HEADER = /^\/(init|run)\s+(\S+)\s*$/;
const TIMESTAMP = /^timestamp_([a-z_]+)\s*:(.*)$/;

function values(text: string, where: string): number[] {
  return text.split(/[\s,]+/).filter((t) => t !== "").map((t) => {
    if (!/^\d+(\.\d+)?$/.test(t)) {
      throw new SyntaxError(`${where}: ${JSON.stringify(t)} is not a duration in microseconds`);
    }
    return Number(t);
  });
}

/** Parses one timing log of the Wasm executor (`runtime` names who produced it). */
export async function parseTimingLog(
  lines: AsyncIterable<Line>,
  file: string,
  runtime: string,
): Promise<TimingLog> {
  const rows: TimingRow[] = [];
  const unlabelled: number[] = [];
  const runs = new Map<string, number>();
  let action: string | null = null;
  for await (const { text, line } of lines) {
    const t = text.trim();
    if (t === "" || t.startsWith("#")) continue;
    const where = `${file} line ${line}`;
    const header = HEADER.exec(t);
    if (header) {
      action = header[2].split("/").filter(Boolean).at(-1)!;
      continue;
    }
    const stamp = TIMESTAMP.exec(t);
    if (stamp) {
      if (action === null) {
        throw new SyntaxError(`${where}: a timestamp before any "/init <action>" or "/run <path>"`);
      }
      const phase = stamp[1];
      for (const us of values(stamp[2], where)) {
        const key = `${action}\0${phase}`;
        const run = (runs.get(key) ?? 0) + 1;
        runs.set(key, run);
        rows.push({ runtime, action, phase, run, us });
      }
      continue;
    }
    if (/^[\d.,\s]+$/.test(t)) {
      unlabelled.push(...values(t, where));
      continue;
    }
    throw new SyntaxError(
      `${where}: expected "/init <action>", "/run <path>" or "timestamp_<phase>: N", found ${
        JSON.stringify(t.slice(0, 60))
      }`,
    );
  }
  if (rows.length === 0) throw new SyntaxError(`${file}: no timestamp lines`);
  return { rows, unlabelled };
}
