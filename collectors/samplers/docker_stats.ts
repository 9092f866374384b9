/**
 * The `docker stats` sampler: one row per running container per sample (name, CPU %, memory
 * used and limit, PIDs). Two sources of the same numbers:
 *
 * - `api` (default): the Engine API on the engine's unix socket, one
 *   `GET /containers/{id}/stats?stream=false&one-shot=true` per container, in parallel; CPU %
 *   is computed as the docker CLI does, over the interval since this sampler's previous
 *   reading (a priming reading is taken at start), so it is also the interval CPU; `t_ms` is
 *   the engine's time of the reading. The engine refreshes its readings once a second and a
 *   one-shot request waits for the next one, so a sample takes up to 1 s: periods of about
 *   1 s (measured with Docker 20.10: 1.0 s).
 * - `cli`: `docker stats --no-stream --format '{{json .}}'`, as the thesis sampled; the CLI
 *   waits for two readings per container, so a sample takes about 2 s (measured: 2.0-2.5 s).
 */
import { type CpuCounters, cpuPercent, parseApiStats, parseStatsJsonLine } from "./docker_parse.ts";
import type { Sample, SampleRow } from "./_sample.ts";
import { unixGet, unixGetJson } from "./unix_http.ts";

/** Options of {@linkcode dockerSampler}. */
export interface DockerOptions {
  /** Where the engine listens. Default "unix:///var/run/docker.sock". */
  host?: string;
  /** "api" (Engine API) or "cli" (`docker stats --no-stream`). Default "api". */
  source?: "api" | "cli";
  /** The docker client, for source "cli". Default "docker". */
  docker?: string;
}

function socketOf(host: string): string {
  if (!host.startsWith("unix://")) {
    throw new RangeError(`Docker host ${JSON.stringify(host)}: only unix:// sockets are supported`);
  }
  return host.slice("unix://".length);
}

function row(
  s: Omit<SampleRow, "sampler" | "target" | "cpu_pct_interval" | "state" | "vsz_bytes"> & {
    name: string;
  },
  interval: boolean,
): SampleRow {
  return {
    sampler: "docker_stats",
    target: s.name,
    cpu_pct: s.cpu_pct,
    cpu_pct_interval: interval ? s.cpu_pct : null,
    mem_bytes: s.mem_bytes,
    mem_limit_bytes: s.mem_limit_bytes,
    pids: s.pids,
    state: null,
    vsz_bytes: null,
  };
}

/** Most connections open to the engine at once. */
const CONNECTIONS = 256;

/** Reads every running container once through the Engine API: samples and CPU counters. */
async function readAll(socket: string) {
  const list = await unixGetJson(socket, "/containers/json");
  if (!Array.isArray(list)) throw new SyntaxError(`GET /containers/json on ${socket}: not a list`);
  const ids = list.map((c) => String((c as { Id?: unknown }).Id));
  const read = async (id: string) => {
    const path = `/containers/${id}/stats?stream=false&one-shot=true`;
    const { status, body } = await unixGet(socket, path);
    if (status === 404) return null; // stopped between the list and the reading
    if (status !== 200) throw new Error(`GET ${path} on ${socket}: HTTP ${status}: ${body.trim()}`);
    return { id, stats: parseApiStats(JSON.parse(body), `GET ${path}`) };
  };
  // All at once, as they wait for the same refresh of the engine (once a second); at most
  // CONNECTIONS open, so past that many containers a sample takes a second more per batch.
  const answers: Awaited<ReturnType<typeof read>>[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const i = next++;
      answers[i] = await read(ids[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECTIONS, ids.length) }, worker));
  return answers.filter((a) => a !== null);
}

/** A docker sampler: each call reads every running container once. */
export async function dockerSampler(
  { host = "unix:///var/run/docker.sock", source = "api", docker = "docker" }: DockerOptions = {},
): Promise<Sample> {
  if (source === "cli") {
    const args = ["-H", host, "stats", "--no-stream", "--format", "{{json .}}"];
    return async () => {
      const out = await new Deno.Command(docker, { args, stdout: "piped", stderr: "piped" })
        .output();
      if (!out.success) {
        throw new Error(
          `${docker} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr).trim()}`,
        );
      }
      return new TextDecoder().decode(out.stdout).split("\n")
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => line.trim() !== "")
        .map(({ line, i }) => row(parseStatsJsonLine(line, `docker stats line ${i + 1}`), false));
    };
  }
  if (source !== "api") {
    throw new RangeError(`Docker source ${JSON.stringify(source)}: expected api or cli`);
  }
  const socket = socketOf(host);
  let previous = new Map<string, CpuCounters | null>();
  for (const { id, stats } of await readAll(socket)) previous.set(id, stats.cpu);
  return async () => {
    const current = new Map<string, CpuCounters | null>();
    const rows: SampleRow[] = [];
    for (const { id, stats } of await readAll(socket)) {
      current.set(id, stats.cpu);
      const cpu = cpuPercent(previous.get(id) ?? null, stats.cpu);
      rows.push({ ...row({ ...stats.sample, cpu_pct: cpu }, true), t_ms: stats.t_ms });
    }
    previous = current;
    return rows;
  };
}
