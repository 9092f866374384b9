/**
 * The progress line of a running experiment: experiment, level, requests in flight, done,
 * errors, elapsed and ETA. Redrawn in place on a terminal; elsewhere (a log file, CI) printed
 * as a line at most every `everyMs`.
 */
import { type Clock, systemClock } from "./clock.ts";

/** The state the line shows. */
export interface ProgressState {
  experiment: string;
  runtime: string;
  level: number;
  levels: number;
  run: number;
  runs: number;
  inFlight: number;
  done: number;
  errors: number;
  /** Share of the planned work finished, 0..1 (for the ETA). */
  fraction: number;
  /** The idle wait before each level, seconds (cold start only). */
  idleWaitS?: number;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}h${pad(m)}m${pad(r)}s` : `${m}m${pad(r)}s`;
}

/**
 * The line for `state`, `elapsedMs` after the start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressLine } from "./progress.ts";
 * const line = progressLine({ experiment: "cold-start", runtime: "wasm", level: 3, levels: 15,
 *   run: 1, runs: 10, inFlight: 3, done: 6, errors: 0, fraction: 0.25 }, 60_000);
 * assert.equal(line, "cold-start wasm  run 1/10  level 3/15  in flight 3  done 6  errors 0  elapsed 1m00s  ETA 3m00s");
 * ```
 */
export function progressLine(state: ProgressState, elapsedMs: number): string {
  const { experiment, runtime, level, levels, run, runs, inFlight, done, errors, fraction } = state;
  const eta = fraction > 0 ? duration(elapsedMs / fraction * (1 - fraction)) : "?";
  const idle = state.idleWaitS === undefined ? "" : `idle wait ${state.idleWaitS} s  `;
  return `${experiment} ${runtime}  run ${run}/${runs}  level ${level}/${levels}  ${idle}` +
    `in flight ${inFlight}  done ${done}  errors ${errors}  ` +
    `elapsed ${duration(elapsedMs)}  ETA ${eta}`;
}

/** Options of {@link Progress}. */
export interface ProgressOptions {
  clock?: Clock;
  /** Where the text goes (default stderr). */
  write?: (text: string) => void;
  /** Redraw in place (default: stderr is a terminal). */
  tty?: boolean;
  /** Least time between two printed lines when not a terminal, ms (default 10 000). */
  everyMs?: number;
}

/** A progress line that experiments update; also prints notes (warnings) above it. */
export class Progress {
  readonly state: ProgressState;
  readonly #clock: Clock;
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  readonly #every: number;
  readonly #start: number;
  #lastPrint = -Infinity;

  constructor(state: ProgressState, {
    clock = systemClock,
    write = (t) => Deno.stderr.writeSync(new TextEncoder().encode(t)),
    tty = Deno.stderr.isTerminal(),
    everyMs = 10_000,
  }: ProgressOptions = {}) {
    this.state = state;
    this.#clock = clock;
    this.#write = write;
    this.#tty = tty;
    this.#every = everyMs;
    this.#start = clock.now();
  }

  /** Changes the state and redraws (on a terminal) or prints when due. */
  update(change: Partial<ProgressState> = {}, force = false): void {
    Object.assign(this.state, change);
    const now = this.#clock.now();
    const line = progressLine(this.state, now - this.#start);
    if (this.#tty) this.#write(`\r\x1b[2K${line}`);
    else if (force || now - this.#lastPrint >= this.#every) {
      this.#write(line + "\n");
      this.#lastPrint = now;
    }
  }

  /** Prints a note on its own line, then the progress line again. */
  note(text: string): void {
    this.#write(this.#tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    if (this.#tty) this.update();
  }

  /** Ends the line. */
  end(): void {
    this.update({}, true);
    if (this.#tty) this.#write("\n");
  }
}
