/**
 * Resource samplers and executor timings, started alone (`deno task sample`) or beside an
 * experiment (`deno task collect`): {@linkcode startSampler} writes `resources/` or
 * `timings/` parts into a dataset as it goes, and `events/` markers of its own start and
 * stop; {@linkcode markEvent} adds an experiment's phase markers to the same dataset.
 *
 * @example
 * ```ts ignore
 * const sampler = await startSampler("ps", { out: "data/run1", runtime: "wasm" });
 * // ... run the capacity experiment ...
 * const summary = await sampler.stop();
 * ```
 */
import type { EventRow } from "../../dataset/schema.ts";
import { dockerSampler } from "./docker_stats.ts";
import { tableWriter } from "../../dataset/part_writer.ts";
import { psSampler } from "./ps.ts";
import { type LoopCounts, runLoop } from "./_resource_loop.ts";
import { startTimings, type TimingCounts, type TimingParseStats } from "./timings.ts";
import {
  type ClockOffset,
  forwardSocket,
  hostName,
  measureOffset,
  parseDockerSshUrl,
  parseSshUrl,
  type SocketForward,
} from "./ssh.ts";
import type { Sample } from "./_sample.ts";

export { type DockerOptions, dockerSampler } from "./docker_stats.ts";
export { type PsOptions, psSampler } from "./ps.ts";
export { parseExecutorOutput } from "./timings.ts";
export { tableWriter } from "../../dataset/part_writer.ts";

/** Kinds of sampler. */
export const SAMPLER_KINDS = ["ps", "docker", "timings"] as const;
/** One kind of sampler. */
export type SamplerKind = (typeof SAMPLER_KINDS)[number];

/** Options of {@linkcode startSampler}. */
export interface SamplerOptions {
  /** The dataset folder written into. Required. */
  out: string;
  /** `experiment` of the rows. Default "capacity" (Table 17's). */
  experiment?: string;
  /** `runtime` of the rows. Default "wasm" for ps and timings, "docker" for docker. */
  runtime?: string;
  /** Seconds between samples (ps, docker). Default 1. */
  interval?: number;
  /** Seconds between Parquet parts. Default 10. */
  flushEvery?: number;
  /** Stop by itself after this many seconds. Default: only on stop(). */
  duration?: number;
  /** ps: process name. Default "executor". */
  name?: string;
  /** ps: keep samples where no thread is running too. Default false (as the thesis). */
  all?: boolean;
  /**
   * docker: engine address (default "unix:///var/run/docker.sock"), or another host's engine,
   * `ssh://[user@]host[:port][/socket/path]`, its socket forwarded over ssh; ps: another host
   * over ssh, `ssh://[user@]host[:port]` (default this machine).
   */
  host?: string;
  /** docker: "api" or "cli". Default "api". */
  source?: "api" | "cli";
  /** timings: a file of executor output to read. */
  file?: string;
  /** timings: a shell command whose output (stdout and stderr) is executor output. */
  command?: string;
  /** Epoch ms, injectable for tests. Default Date.now. */
  clock?: () => number;
  /** Where failures are reported. Default console.error. */
  warn?: (message: string) => void;
  /** docker over ssh: told the host's name and clock offset, measured before sampling. */
  onHost?: (host: { host: string } & ClockOffset) => void;
  /** ps, docker: told the counts after each sample (progress; tests wait on it). */
  onSample?: (counts: Readonly<LoopCounts>) => void;
}

/** What a sampler did. */
export interface SamplerSummary extends Partial<LoopCounts> {
  kind: SamplerKind;
  /** Rows written (resources or timings). */
  rows: number;
  /** Parquet parts written. */
  parts: string[];
  /** Failed samples (resources), or bad timing lines plus 1 if the command failed (timings). */
  failures: number;
  /** timings: lines read and skipped. */
  lines?: TimingParseStats;
}

/** A started sampler. */
export interface RunningSampler {
  /** Stops (after the sample in flight), writes the last part, and resolves with the summary. */
  stop(): Promise<SamplerSummary>;
  /** Resolves when the sampler ends by itself (duration, end of file or command) or is stopped. */
  done: Promise<SamplerSummary>;
}

/** Writes one phase marker of an experiment into `events/` of the dataset `out` at once. */
export async function markEvent(
  out: string,
  event: Omit<EventRow, "t_ms"> & { t_ms?: number },
  clock: () => number = Date.now,
): Promise<void> {
  const w = tableWriter(
    out,
    "events",
    `event-${clock()}-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`,
  );
  w.push({
    t_ms: event.t_ms ?? clock(),
    experiment: event.experiment,
    level: event.level,
    what: event.what,
  });
  await w.flush();
}

/**
 * Starts a sampler of `kind` writing into the dataset `options.out`. Resolves once it is
 * sampling (a wrong process name is no error; an unreachable engine or a missing file is).
 */
export async function startSampler(
  kind: SamplerKind,
  options: SamplerOptions,
): Promise<RunningSampler> {
  const {
    out,
    experiment = "capacity",
    runtime = kind === "docker" ? "docker" : "wasm",
    interval = 1,
    flushEvery = 10,
    duration,
    clock = Date.now,
    warn = (m: string) => console.error(m),
  } = options;
  if (!(interval > 0)) throw new RangeError(`Sampler interval ${interval} s: expected > 0`);
  // The host in the part names too: one sampler per host may start in the same millisecond.
  const on = kind === "ps" && options.host ? `-${options.host.replace(/[^\w.-]+/g, "_")}` : "";
  const prefix = `${kind}${on}-${clock()}-${Deno.pid}`;
  const mark = (what: string) => markEvent(out, { experiment, level: null, what }, clock);
  let running: { stop(): Promise<SamplerSummary>; done: Promise<SamplerSummary> };
  if (kind === "timings") {
    const writer = tableWriter(out, "timings", prefix);
    const t = await startTimings(writer, { ...options, runtime, flushEvery, warn });
    const summary = (c: TimingCounts): SamplerSummary => ({
      kind,
      ...c,
      rows: writer.rows,
      parts: writer.parts,
    });
    running = { stop: () => t.stop().then(summary), done: t.done.then(summary) };
  } else {
    let forward: SocketForward | null = null;
    let sample: Sample;
    if (kind === "ps") {
      sample = await psSampler({ name: options.name, all: options.all, host: options.host });
    } else if (options.host?.startsWith("ssh://")) {
      // Another host's engine: its socket forwarded over ssh, the Engine API through it.
      const { target, socket } = parseDockerSshUrl(options.host);
      const host = hostName(target);
      // The engine's readings carry its own clock: put them on this machine's.
      const clockOffset = await measureOffset(target);
      options.onHost?.({ host, ...clockOffset });
      forward = await forwardSocket(target, socket);
      try {
        const inner = await dockerSampler({ host: `unix://${forward.local}`, source: "api" });
        sample = async () =>
          (await inner()).map((row) => ({
            ...row,
            host,
            ...(typeof row.t_ms === "number" ? { t_ms: row.t_ms - clockOffset.offset_ms } : {}),
          }));
      } catch (err) {
        await forward.close();
        throw err;
      }
    } else sample = await dockerSampler({ host: options.host, source: options.source });
    const writer = tableWriter(out, "resources", prefix);
    const loop = runLoop(sample, writer, {
      experiment,
      runtime,
      interval,
      flushEvery,
      clock,
      warn,
      onSample: options.onSample,
    });
    const summary = (c: LoopCounts): SamplerSummary => ({
      kind,
      ...c,
      rows: writer.rows,
      parts: writer.parts,
    });
    const closing = loop.done.finally(() => forward?.close());
    running = {
      stop: () => loop.stop().then(async (c) => (await closing, summary(c))),
      done: closing.then(summary),
    };
  }
  await mark(`${kind} sampler start`);
  const timer = duration === undefined
    ? undefined
    : setTimeout(() => running.stop(), duration * 1000);
  const done = running.done.then(async (s) => {
    clearTimeout(timer);
    await mark(`${kind} sampler stop`);
    return s;
  });
  return {
    done,
    stop: () => running.stop().then(() => done),
  };
}

/** What {@linkcode startPsOnHosts} started: one sampler for all, and each host's clock. */
export interface HostsSampler {
  sampler: RunningSampler;
  /** Each host's name, clock offset against this machine and round trip, measured first. */
  hosts: ({ host: string } & ClockOffset)[];
}

/**
 * One ps sampler per ssh host (`ssh://user@host[:port]` each), each host's clock offset against
 * this machine measured first; rows carry the host's name and this machine's time. Stops and
 * sums them as one. A host that cannot be reached stops the ones started.
 */
export async function startPsOnHosts(
  options: SamplerOptions,
  urls: string[],
): Promise<HostsSampler> {
  const targets = urls.map(parseSshUrl);
  const hosts = [];
  for (const t of targets) hosts.push({ host: hostName(t), ...(await measureOffset(t)) });
  const running: RunningSampler[] = [];
  try {
    for (const t of targets) running.push(await startSampler("ps", { ...options, host: t.url }));
  } catch (err) {
    await Promise.all(running.map((r) => r.stop()));
    throw err;
  }
  const merge = (all: SamplerSummary[]): SamplerSummary => ({
    kind: "ps",
    rows: all.reduce((n, s) => n + s.rows, 0),
    parts: all.flatMap((s) => s.parts),
    failures: all.reduce((n, s) => n + s.failures, 0),
    samples: all.reduce((n, s) => n + (s.samples ?? 0), 0),
    kept: all.reduce((n, s) => n + (s.kept ?? 0), 0),
    period_ms: all[0]?.period_ms ?? null,
  });
  return {
    sampler: {
      stop: () => Promise.all(running.map((r) => r.stop())).then(merge),
      done: Promise.all(running.map((r) => r.done)).then(merge),
    },
    hosts,
  };
}
