/**
 * Ctrl-C while an experiment runs: the first SIGINT (or SIGTERM) asks it to stop, so it
 * starts nothing new, lets the requests in flight finish, writes the part and exits; a second
 * one aborts the requests in flight as well (their rows say "interrupted").
 */

/** Stop requests of a running experiment. */
export class Stopper {
  /** Aborted at the first signal: start nothing new, cut waits short. */
  readonly stop = new AbortController();
  /** Aborted at the second signal: abort requests in flight. */
  readonly abort = new AbortController();
  #removers: (() => void)[] = [];

  /** True once a stop was asked for. */
  get stopping(): boolean {
    return this.stop.signal.aborted;
  }

  /** Asks to stop (what the first signal does); a second call aborts requests in flight. */
  request(reason = "stop requested"): void {
    if (!this.stop.signal.aborted) this.stop.abort(new Error(reason));
    else this.abort.abort(new Error(reason));
  }

  /** Listens for SIGINT and SIGTERM; `onSignal` is told which request it was (1 or 2). */
  listen(onSignal: (n: number) => void = () => {}): void {
    let n = 0;
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => {
        n++;
        this.request(`${sig}`);
        onSignal(n);
      };
      Deno.addSignalListener(sig, handler);
      this.#removers.push(() => Deno.removeSignalListener(sig, handler));
    }
  }

  /** Stops listening. */
  close(): void {
    for (const r of this.#removers) r();
    this.#removers = [];
  }
}
