/**
 * Drives the collectors' invoke engine (`invoke()` of collectors/invoke.ts, as every
 * experiment uses it) against an API host, keeping C invocations in flight for D seconds, and
 * prints one JSON line: requests, errors, seconds, requests per second, latency p50/p99 (ms,
 * client send to receive). Run as its own process by benchmark 4, with the open-file limit
 * raised:
 *
 * `deno run -A bench/invoke_driver.ts APIHOST CONCURRENCY SECONDS [WORKERS]`
 *
 * With WORKERS = K > 0 the calls go out from K invoke workers (collectors/invoke_workers.ts, as
 * `deno task collect` sends them at many in flight), each with its own event loop and a K-th
 * of the connections.
 */
import { invoke, type Outcome } from "../collectors/invoke.ts";
import { InvokeWorkers } from "../collectors/invoke_workers.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";

/** What one drive measured. */
export interface DriveResult {
  concurrency: number;
  /** Invoke workers the calls went out from (0: this process's event loop). */
  workers: number;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** The first error texts seen (at most 3). */
  error_samples: string[];
}

/** The `q` quantile of sorted numbers (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Keeps `concurrency` invocations of `noop` in flight for `seconds`, then waits for them; from
 * `workers` invoke workers where more than 0.
 */
export async function drive(
  apihost: string,
  concurrency: number,
  seconds: number,
  workers = 0,
): Promise<DriveResult> {
  const conn = { apihost, auth: "bench:bench", insecure: false, authFrom: "bench" };
  const api = new OpenWhiskApi(conn);
  const pool = workers > 0 ? InvokeWorkers.start(conn, { workers }) : null;
  // The connections first, as wrk opens its own before its clock starts: what is timed is the
  // invocations in flight, not a pool growing to the level (a capacity run keeps its
  // connections from one level to the next).
  await (pool ?? api).prepare(concurrency);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  // As an experiment calls it: with the run's interrupt signal (never aborted here) and a
  // client time-out.
  const stop = new AbortController();
  const options = { timeoutMs: 30_000, signal: stop.signal };
  const once = async (): Promise<Outcome> =>
    pool
      ? (await pool.invokeWithPolicy("noop", options)).attempts[0]
      : await invoke(api, "noop", options);
  const worker = async () => {
    while (performance.now() < end) {
      const o = await once();
      if (o.record) latencies.push(o.received_ms - o.sent_ms);
      else {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(o.error ?? "no record");
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  api.close();
  pool?.close();
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
    workers,
    requests: latencies.length + errors,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50_ms: quantile(latencies, 0.5),
    p99_ms: quantile(latencies, 0.99),
    error_samples: errorSamples,
  };
}

if (import.meta.main) {
  const [apihost, c, s, k] = Deno.args;
  console.log(JSON.stringify(await drive(apihost, Number(c), Number(s), Number(k ?? 0))));
}
