/**
 * Parsers of what Docker says about running containers: the lines of
 * `docker stats --no-stream --format '{{json .}}'` (human units: `12.5%`, `1.5MiB / 64MiB`)
 * and the JSON of the Engine API's `GET /containers/{id}/stats` (raw counters). Both give one
 * {@linkcode ContainerSample} per container; units are parsed exactly (binary KiB, MiB, GiB
 * and decimal kB, MB, GB differ by up to 7 %), and an unknown format is a SyntaxError naming
 * where it was found.
 */
import { parseBytes } from "../../ingest/units.ts";

/** One container in one sample. */
export interface ContainerSample {
  /** Container name (no leading slash). */
  name: string;
  /** CPU % as `docker stats` counts it (100 = one core), null where not known yet. */
  cpu_pct: number | null;
  /** Memory used in bytes (page cache not counted, as `docker stats` does). */
  mem_bytes: number | null;
  /** Memory limit in bytes (the host's memory when the container has no limit). */
  mem_limit_bytes: number | null;
  /** Processes and threads in the container. */
  pids: number | null;
}

/** `docker stats` prints `--` for a value it does not have (a container starting or stopping). */
const MISSING = "--";

/**
 * A percentage such as `12.34%`, or null for `--`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePercent } from "./docker_parse.ts";
 * assert.equal(parsePercent("752.17%", "example"), 752.17);
 * ```
 */
export function parsePercent(text: string, where: string): number | null {
  const t = text.trim();
  if (t === MISSING) return null;
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(t);
  if (!m) {
    throw new SyntaxError(`${where}: ${JSON.stringify(text)} is not a percentage such as "12.5%"`);
  }
  return Number(m[1]);
}

/**
 * `MemUsage` of `docker stats`, `used / limit` with units, as bytes (nulls for `-- / --`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMemUsage } from "./docker_parse.ts";
 * assert.deepEqual(parseMemUsage("1.5MiB / 2GiB", "example"), [1572864, 2147483648]);
 * ```
 */
export function parseMemUsage(text: string, where: string): [number | null, number | null] {
  const parts = text.split("/");
  if (parts.length !== 2) {
    throw new SyntaxError(
      `${where}: memory usage ${
        JSON.stringify(text)
      } is not "<used> / <limit>", e.g. "1.5MiB / 64MiB"`,
    );
  }
  const bytes = (t: string, what: string) =>
    t.trim() === MISSING ? null : parseBytes(t, `${where}: memory ${what}`);
  return [bytes(parts[0], "used"), bytes(parts[1], "limit")];
}

function integer(text: string, what: string, where: string): number | null {
  const t = text.trim();
  if (t === MISSING) return null;
  if (!/^\d+$/.test(t)) {
    throw new SyntaxError(`${where}: ${what} is ${JSON.stringify(text)}, expected an integer`);
  }
  return Number(t);
}

/**
 * One line of `docker stats --no-stream --format '{{json .}}'` (fields `Name`, `CPUPerc`,
 * `MemUsage`, `PIDs`).
 */
export function parseStatsJsonLine(text: string, where: string): ContainerSample {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch (cause) {
    throw new SyntaxError(
      `${where}: expected one JSON object of docker stats --format '{{json .}}', found ${
        JSON.stringify(text.slice(0, 60))
      }`,
      { cause },
    );
  }
  for (const key of ["Name", "CPUPerc", "MemUsage", "PIDs"]) {
    if (typeof o[key] !== "string") {
      throw new SyntaxError(`${where}: docker stats line has no string field ${key}`);
    }
  }
  const [used, limit] = parseMemUsage(o.MemUsage as string, where);
  return {
    name: o.Name as string,
    cpu_pct: parsePercent(o.CPUPerc as string, `${where}: CPUPerc`),
    mem_bytes: used,
    mem_limit_bytes: limit,
    pids: integer(o.PIDs as string, "PIDs", where),
  };
}

/** The counters of one Engine API stats answer that a CPU % is computed from. */
export interface CpuCounters {
  /** CPU time used by the container, ns. */
  total_ns: number;
  /** CPU time of the whole host (all cores), ns. */
  system_ns: number;
  /** Cores online. */
  cpus: number;
}

/** What one Engine API stats answer gives: the sample, less its CPU %, and the CPU counters. */
export interface ApiStats {
  sample: Omit<ContainerSample, "cpu_pct">;
  cpu: CpuCounters | null;
  /** The engine's time of the reading, epoch ms. */
  t_ms: number | null;
}

function field(o: unknown, path: string[]): unknown {
  let v: unknown = o;
  for (const k of path) v = v !== null && typeof v === "object" ? (v as never)[k] : undefined;
  return v;
}

function count(o: unknown, path: string[], where: string, required: boolean): number | null {
  const v = field(o, path);
  if (v === undefined || v === null) {
    if (!required) return null;
    throw new SyntaxError(`${where}: stats JSON has no ${path.join(".")}`);
  }
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw new SyntaxError(`${where}: ${path.join(".")} is ${JSON.stringify(v)}, expected a count`);
  }
  return v;
}

/**
 * One answer of `GET /containers/{id}/stats?stream=false&one-shot=true`. Memory used is
 * `usage` less the inactive page cache, as the docker CLI counts it (cgroup v1:
 * `total_inactive_file`, v2: `inactive_file`).
 */
export function parseApiStats(json: unknown, where: string): ApiStats {
  const name = field(json, ["name"]);
  if (typeof name !== "string") throw new SyntaxError(`${where}: stats JSON has no name`);
  const usage = count(json, ["memory_stats", "usage"], where, false);
  const cache = count(json, ["memory_stats", "stats", "total_inactive_file"], where, false) ??
    count(json, ["memory_stats", "stats", "inactive_file"], where, false) ?? 0;
  const total = count(json, ["cpu_stats", "cpu_usage", "total_usage"], where, false);
  const system = count(json, ["cpu_stats", "system_cpu_usage"], where, false);
  const percpu = field(json, ["cpu_stats", "cpu_usage", "percpu_usage"]);
  const cpus = count(json, ["cpu_stats", "online_cpus"], where, false) ??
    (Array.isArray(percpu) ? percpu.length : null);
  const read = field(json, ["read"]);
  const t = typeof read === "string" ? Date.parse(read) : NaN;
  return {
    sample: {
      name: name.replace(/^\//, ""),
      mem_bytes: usage === null ? null : (cache < usage ? usage - cache : usage),
      mem_limit_bytes: count(json, ["memory_stats", "limit"], where, false),
      pids: count(json, ["pids_stats", "current"], where, false),
    },
    cpu: total === null || system === null || !cpus
      ? null
      : { total_ns: total, system_ns: system, cpus },
    t_ms: Number.isFinite(t) && t > 0 ? t : null,
  };
}

/**
 * CPU % between two readings, as the docker CLI computes it: container CPU time over host
 * CPU time, times cores, times 100; null if either reading lacks counters or no time passed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuPercent } from "./docker_parse.ts";
 * const a = { total_ns: 0, system_ns: 0, cpus: 2 };
 * assert.equal(cpuPercent(a, { total_ns: 5e8, system_ns: 2e9, cpus: 2 }), 50);
 * ```
 */
export function cpuPercent(before: CpuCounters | null, after: CpuCounters | null): number | null {
  if (before === null || after === null) return null;
  const system = after.system_ns - before.system_ns;
  const used = after.total_ns - before.total_ns;
  if (system <= 0 || used < 0) return null;
  return (used / system) * after.cpus * 100;
}
