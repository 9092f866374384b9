/**
 * Parsers of the thesis's resource logs: `docker_res.log` (one `docker stats` sample per line,
 * already summed over all containers) and `wasm_res.log` (`ps` samples of the Wasm executor's
 * running threads). Each line is one sample, numbered in observation order.
 */
import type { ResourceRow } from "../dataset/schema.ts";
import type { Line } from "./lines.ts";
import { parseBytes } from "./units.ts";

/** What a resource log does not say itself. */
export interface ResourceContext {
  experiment: string;
  runtime: string;
}

function num(text: string, what: string, where: string): number {
  const v = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(v)) {
    throw new SyntaxError(`${where}: ${what} is ${JSON.stringify(text)}, expected a number >= 0`);
  }
  return v;
}

const EMPTY: Omit<ResourceRow, "experiment" | "runtime" | "sampler" | "sample" | "target"> = {
  t_ms: null,
  cpu_pct: null,
  cpu_pct_interval: null,
  mem_bytes: null,
  mem_limit_bytes: null,
  pids: null,
  state: null,
  vsz_bytes: null,
  host: null,
};

const DOCKER_SUM = /^CPU%:\s*(\S+)\s+Memory:\s*(\S+)\s*$/;

/** Parses `CPU%: 752.17 Memory: 1739.29MiB` lines into `*` (already summed) rows. */
export async function parseDockerSumLog(
  lines: AsyncIterable<Line>,
  file: string,
  ctx: ResourceContext,
): Promise<ResourceRow[]> {
  const rows: ResourceRow[] = [];
  for await (const { text, line } of lines) {
    if (text.trim() === "") continue;
    const where = `${file} line ${line}`;
    const m = DOCKER_SUM.exec(text);
    if (!m) {
      throw new SyntaxError(
        `${where}: expected "CPU%: <percent> Memory: <bytes with unit>", found ${
          JSON.stringify(text.slice(0, 60))
        }`,
      );
    }
    rows.push({
      ...EMPTY,
      ...ctx,
      sampler: "docker_stats",
      sample: rows.length + 1,
      target: "*",
      cpu_pct: num(m[1].replace(/%$/, ""), "CPU%", where),
      mem_bytes: parseBytes(m[2], where),
    });
  }
  if (rows.length === 0) throw new SyntaxError(`${file}: empty file, expected docker stats lines`);
  return rows;
}

const PS_HEADER = /^\s*SPID\s+STAT\s+%CPU\s+RSS\s+VSZ\s*$/;

/** Parses `ps -L -o spid,stat,%cpu,rss,vsz` output (RSS and VSZ in KiB), header repeated or not. */
export async function parsePsLog(
  lines: AsyncIterable<Line>,
  file: string,
  ctx: ResourceContext,
): Promise<ResourceRow[]> {
  const rows: ResourceRow[] = [];
  let header = false;
  for await (const { text, line } of lines) {
    if (text.trim() === "") continue;
    if (PS_HEADER.test(text)) {
      header = true;
      continue;
    }
    const where = `${file} line ${line}`;
    if (!header) throw new SyntaxError(`${where}: expected the header "SPID STAT %CPU RSS VSZ"`);
    const f = text.trim().split(/\s+/);
    if (f.length !== 5) {
      throw new SyntaxError(
        `${where}: expected 5 fields "SPID STAT %CPU RSS VSZ", found ${JSON.stringify(text)}`,
      );
    }
    rows.push({
      ...EMPTY,
      ...ctx,
      sampler: "ps",
      sample: rows.length + 1,
      target: String(num(f[0], "SPID", where)),
      state: f[1],
      cpu_pct: num(f[2], "%CPU", where),
      mem_bytes: num(f[3], "RSS", where) * 1024,
      vsz_bytes: num(f[4], "VSZ", where) * 1024,
    });
  }
  if (rows.length === 0) throw new SyntaxError(`${file}: no ps samples`);
  return rows;
}
