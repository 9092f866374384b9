/**
 * Drives the collectors' invoke engine (`invoke()` of collectors/invoke.ts, as every
 * experiment uses it) against an API host, keeping C invocations in flight for D seconds, and
 * prints one JSON line: requests, errors, seconds, requests per second, latency p50/p99 (ms,
 * client send to receive). Run as its own process by benchmark 4, with the open-file limit
 * raised:
 *
 * `deno run -A bench/invoke_driver.ts APIHOST CONCURRENCY SECONDS`
 */
import { invoke } from "../collectors/invoke.ts";
import { OpenWhiskApi } from "../collectors/openwhisk.ts";

/** What one drive measured. */
export interface DriveResult {
  concurrency: number;
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

/** Keeps `concurrency` invocations of `noop` in flight for `seconds`, then waits for them. */
export async function drive(
  apihost: string,
  concurrency: number,
  seconds: number,
): Promise<DriveResult> {
  const api = new OpenWhiskApi({
    apihost,
    auth: "bench:bench",
    insecure: false,
    authFrom: "bench",
  });
  // The connections first, as wrk opens its own before its clock starts: what is timed is the
  // invocations in flight, not a pool growing to the level (a capacity run keeps its
  // connections from one level to the next).
  await api.prepare(concurrency);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  // As an experiment calls it: with the run's interrupt signal (never aborted here) and a
  // client time-out.
  const stop = new AbortController();
  const worker = async () => {
    while (performance.now() < end) {
      const o = await invoke(api, "noop", { timeoutMs: 30_000, signal: stop.signal });
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
  latencies.sort((a, b) => a - b);
  return {
    concurrency,
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
  const [apihost, c, s] = Deno.args;
  console.log(JSON.stringify(await drive(apihost, Number(c), Number(s))));
}
