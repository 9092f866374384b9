/**
 * Benchmark 4: the collectors' invoke engine against wrk, both driving the same local no-op
 * server of the invoke endpoint at the same number of requests in flight. The engine's
 * overhead is its latency minus wrk's at the same percentile and concurrency.
 *
 * Like with like: the engine keeps connections alive (collectors/http1.ts, its own HTTP/1.1
 * client, which unlike Deno's fetch never re-sends a POST on a dropped reused connection), so
 * the overhead is given against wrk with keep-alive (its default, and the floor). wrk with
 * `Connection: close` runs too, the pattern of the engine before it had its own client (a new
 * connection per invocation). Server, engine and wrk each run in a process of their own, with
 * the open-file limit raised (`ulimit -n`). The 2,000 in flight of the capacity test's range
 * are a level of their own, with each client's errors counted. From 1,024 in flight the
 * engine also runs from 2 invoke workers (`deno task collect --invoke-workers 2`), as a client
 * of its own.
 */
import { $ } from "zx";
import type { DriveResult } from "./invoke_driver.ts";
import { minMedian } from "./measure.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** What one run of one client at one concurrency measured. */
interface InvokeRun {
  requests: number;
  errors: number;
  /** The first error texts (the engine's; wrk's error counts say only of which kind). */
  error_samples?: string[];
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

/**
 * One client at one concurrency over `runs` runs: requests and errors summed, the rate and
 * latencies the median of the runs, and the smallest p99 beside.
 */
export interface InvokePoint extends InvokeRun {
  client:
    | "whiskbench invoke engine"
    | "whiskbench invoke engine, workers"
    | "wrk keep-alive"
    | "wrk Connection: close";
  concurrency: number;
  runs: number;
  p99_ms_min: number;
  /** The first error texts over the runs (at most 3). */
  error_samples: string[];
}

/** The point of `runs` runs of one client (see {@linkcode InvokePoint}). */
export function invokePoint(
  client: InvokePoint["client"],
  concurrency: number,
  runs: InvokeRun[],
): InvokePoint {
  const sum = (k: "requests" | "errors") => runs.reduce((a, r) => a + r[k], 0);
  const median = (k: "rps" | "p50_ms" | "p99_ms") => minMedian(runs.map((r) => r[k])).median;
  return {
    client,
    concurrency,
    runs: runs.length,
    requests: sum("requests"),
    errors: sum("errors"),
    rps: median("rps"),
    p50_ms: median("p50_ms"),
    p99_ms: median("p99_ms"),
    p99_ms_min: minMedian(runs.map((r) => r.p99_ms)).min,
    error_samples: runs.flatMap((r) => r.error_samples ?? []).slice(0, 3),
  };
}

/** Benchmark 4's result: every point, and the engine's overhead over wrk keep-alive per
 * concurrency. */
export interface InvokeBenchResult {
  points: InvokePoint[];
  overhead: { concurrency: number; p50_ms: number; p99_ms: number }[];
  open_files: number;
  skipped: string[];
}

/** Milliseconds of a wrk duration such as `635.00us`, `1.23ms`, `2.01s`. */
export function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) throw new SyntaxError(`wrk duration "${text}": expected a number with us, ms or s`);
  const n = Number(m[1]);
  // Through whole microseconds (wrk prints at most that), so 1.23ms is 1.23, not 1.2300000001.
  const us = Math.round(n * (m[2] === "us" ? 1 : m[2] === "ms" ? 1e3 : 1e6));
  return us / 1000;
}

/** The requests, errors, rate and p50/p99 latency of wrk's `--latency` output. */
export function parseWrk(
  out: string,
): { requests: number; errors: number; rps: number; p50_ms: number; p99_ms: number } {
  const grab = (re: RegExp, what: string) => {
    const m = re.exec(out);
    if (!m) throw new SyntaxError(`wrk output has no ${what}:\n${out}`);
    return m;
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  const errors = (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0) +
    (non2xx ? Number(non2xx[1]) : 0);
  return {
    requests: Number(grab(/(\d+) requests in /, "request count")[1]),
    errors,
    rps: Number(grab(/Requests\/sec:\s+([\d.]+)/, "Requests/sec")[1]),
    p50_ms: wrkMs(grab(/^\s+50%\s+(\S+)/m, "50% latency")[1]),
    p99_ms: wrkMs(grab(/^\s+99%\s+(\S+)/m, "99% latency")[1]),
  };
}

/** Lua for wrk: the engine's request (POST, JSON body, basic auth), optionally closing. */
export function wrkScript(close: boolean): string {
  return [
    'wrk.method = "POST"',
    'wrk.body = "{}"',
    'wrk.headers["Content-Type"] = "application/json"',
    'wrk.headers["Accept"] = "application/json"',
    `wrk.headers["Authorization"] = "Basic ${btoa("bench:bench")}"`,
    ...(close ? ['wrk.headers["Connection"] = "close"'] : []),
  ].join("\n") + "\n";
}

/** Levels in flight from which the engine also runs from invoke workers, and how many. */
const WORKERS_FROM = 1024, WORKERS = 2;

/** The default levels in flight: 2,000 is the top of the capacity test's range. */
export const INVOKE_LEVELS = [1, 64, 1024, 2000];

/** Options of {@linkcode invokeBench}. */
export interface InvokeBenchOptions {
  /** Requests in flight. Default 1, 64, 1,024 and 2,000 (the capacity test's range). */
  concurrency?: number[];
  /** Seconds per client and concurrency, whole (wrk's unit). Default 5. */
  seconds?: number;
  /** Open-file limit asked for. Default 65,536. */
  openFiles?: number;
  /** Runs of each client at each concurrency, interleaved. Default 1. */
  runs?: number;
  log?: (line: string) => void;
}

/** Runs benchmark 4 (needs wrk; says so where it is missing). */
export async function invokeBench(
  work: string,
  { concurrency = INVOKE_LEVELS, seconds = 5, openFiles = 65_536, runs = 1, log = console.error }:
    InvokeBenchOptions = {},
): Promise<InvokeBenchResult> {
  $.verbose = false;
  // wrk takes whole seconds; every client gets the same duration.
  seconds = Math.max(1, Math.round(seconds));
  const result: InvokeBenchResult = { points: [], overhead: [], open_files: 0, skipped: [] };
  if ((await $`command -v wrk`.nothrow()).exitCode !== 0) {
    result.skipped.push("bench 4: wrk not found (Debian: apt-get install wrk)");
    return result;
  }
  const limit = await $`sh -c ${`ulimit -n ${openFiles} 2>/dev/null; ulimit -n`}`;
  result.open_files = Number(limit.stdout.trim());
  const raise = `ulimit -n ${result.open_files};`;
  const deno = Deno.execPath();
  const server = $({
    cwd: ROOT,
  })`sh -c ${`${raise} exec ${deno} run -A bench/noop_invoke_server.ts`}`
    .nothrow();
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout.on("data", (d: Buffer) => {
        const m = /listening (\d+)/.exec(String(d));
        if (m) resolve(Number(m[1]));
      });
      server.then(() => reject(new Error("the no-op server exited before listening")));
    });
    const url = `http://127.0.0.1:${port}`;
    const endpoint = `${url}/api/v1/namespaces/_/actions/noop?blocking=true&result=false`;
    const scripts = { keep: `${work}/wrk_keep.lua`, close: `${work}/wrk_close.lua` };
    await Deno.mkdir(work, { recursive: true });
    await Deno.writeTextFile(scripts.keep, wrkScript(false));
    await Deno.writeTextFile(scripts.close, wrkScript(true));
    for (const c of concurrency) {
      log(`bench 4: ${c} in flight, ${seconds} s per client, ${runs} runs`);
      const engine = async (workers = 0): Promise<InvokeRun> =>
        pick(
          JSON.parse(
            (await $({
              cwd: ROOT,
            })`sh -c ${`${raise} exec ${deno} run -A bench/invoke_driver.ts ${url} ${c} ${seconds} ${workers}`}`)
              .stdout,
          ) as DriveResult,
        );
      const wrk = async (script: string): Promise<InvokeRun> =>
        parseWrk(
          (await $`sh -c ${`${raise} exec wrk -t${
            Math.min(2, c)
          } -c${c} -d${seconds}s --latency -s ${script} '${endpoint}'`}`)
            .stdout,
        );
      const clients: [InvokePoint["client"], () => Promise<InvokeRun>][] = [
        ["whiskbench invoke engine", () => engine()],
        ["wrk keep-alive", () => wrk(scripts.keep)],
        ["wrk Connection: close", () => wrk(scripts.close)],
      ];
      if (c >= WORKERS_FROM) {
        clients.push(["whiskbench invoke engine, workers", () => engine(WORKERS)]);
      }
      // Interleaved (engine, wrk, wrk, engine, ...): a spell of load on this shared machine
      // falls on every client alike.
      const measured = clients.map(() => [] as InvokeRun[]);
      for (let i = 0; i < runs; i++) {
        for (const [k, [, run]] of clients.entries()) measured[k].push(await run());
      }
      const [e, w] = clients.map(([client], k) => {
        const point = invokePoint(client, c, measured[k]);
        result.points.push(point);
        return point;
      }); // engine, wrk keep-alive
      result.overhead.push({
        concurrency: c,
        p50_ms: e.p50_ms - w.p50_ms,
        p99_ms: e.p99_ms - w.p99_ms,
      });
    }
  } finally {
    server.kill("SIGKILL");
    await server;
  }
  return result;
}

function pick(d: DriveResult): InvokeRun {
  const { requests, errors, rps, p50_ms, p99_ms, error_samples } = d;
  return { requests, errors, rps, p50_ms, p99_ms, error_samples };
}

/** Benchmark 4 as a Markdown table. */
export function invokeTable(r: InvokeBenchResult): string {
  const lines = [
    `open-file limit: ${r.open_files}`,
    "",
    "| in flight | client | runs | requests | errors | req/s (median) | p50 ms (median) | p99 ms (median) | p99 ms (min) |",
    "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.points.map((p) =>
      `| ${p.concurrency} | ${p.client} | ${p.runs} | ${p.requests} | ${p.errors} | ` +
      `${p.rps.toFixed(0)} | ${p.p50_ms.toFixed(3)} | ${p.p99_ms.toFixed(3)} | ` +
      `${p.p99_ms_min.toFixed(3)} |`
    ),
    "",
    "| in flight | engine overhead p50 ms | engine overhead p99 ms (medians, vs wrk keep-alive) |",
    "| ---: | ---: | ---: |",
    ...r.overhead.map((o) =>
      `| ${o.concurrency} | ${o.p50_ms.toFixed(3)} | ${o.p99_ms.toFixed(3)} |`
    ),
    ...r.points.filter((p) => p.error_samples.length > 0).flatMap((p, i) => [
      ...(i === 0 ? [""] : []),
      `- ${p.client} at ${p.concurrency} in flight: ${p.error_samples.join("; ")}`,
    ]),
  ];
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const work = await Deno.makeTempDir({ prefix: "whiskbench-bench4-" });
  const seconds = Number(Deno.args[0] ?? 5);
  console.log(invokeTable(await invokeBench(work, { seconds })));
}
