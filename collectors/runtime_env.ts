/**
 * The environment the collectors run under (`deno task collect` sets it; benchmark 4 runs its
 * engine with it). Deno's Tokio runtime reads these at start-up, so they can only be given to a
 * new process.
 *
 * `DENO_TOKIO_EVENT_INTERVAL=1`: the runtime asks the kernel which sockets are ready after every
 * task it runs rather than every 61st (Tokio's default, kept by Deno). With hundreds of
 * connections answering at once the event loop is never idle, so a socket whose answer has
 * already arrived waited for that 61st turn, turn after turn: at 1,024 and 2,000 invocations in
 * flight, answers sat in the receive queues of the collector's sockets for seconds (seen with
 * `ss`), and the engine's p99 was 2-3x what it is with the interval at 1 (BENCHMARKS.md, third
 * round). At low concurrency the runtime idles between answers and polls anyway: no change.
 */
export const COLLECTOR_ENV: Readonly<Record<string, string>> = {
  DENO_TOKIO_EVENT_INTERVAL: "1",
};
