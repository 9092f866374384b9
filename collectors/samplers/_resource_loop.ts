/**
 * The sampling loop of the resource samplers: one sample per interval (the next one at once
 * when a sample takes longer than the interval), rows numbered and time-stamped, parts
 * flushed every `flushEvery` seconds, and a stop that waits for the sample in flight and
 * writes the last part.
 */
import type { Sample } from "./_sample.ts";
import type { TableWriter } from "../../dataset/part_writer.ts";

/** What the loop needs besides the sample function. */
export interface LoopOptions {
  experiment: string;
  runtime: string;
  /** Seconds between sample starts. */
  interval: number;
  /** Seconds between parts. */
  flushEvery: number;
  /** Epoch ms. */
  clock: () => number;
  /** Called with each failure's message. */
  warn: (message: string) => void;
  /** Called after each sample with the counts so far (progress; tests wait on it). */
  onSample?: (counts: Readonly<LoopCounts>) => void;
}

/** What a finished loop counts. */
export interface LoopCounts {
  /** Samples taken (kept or not). */
  samples: number;
  /** Samples that gave rows (their `sample` index). */
  kept: number;
  /** Samples that failed. */
  failures: number;
  /** Milliseconds between sample starts, over the run: mean and maximum (null if < 2). */
  period_ms: { mean: number; max: number } | null;
  /** Milliseconds one sample took: mean and maximum. */
  sample_ms: { mean: number; max: number } | null;
}

/** A running loop: `stop()` ends it after the sample in flight and the last part. */
export interface Loop {
  stop(): Promise<LoopCounts>;
  done: Promise<LoopCounts>;
}

function stats(xs: number[]) {
  return xs.length === 0 ? null : {
    mean: xs.reduce((a, b) => a + b, 0) / xs.length,
    max: Math.max(...xs),
  };
}

/** Starts sampling with `sample` into `writer` until stopped. */
export function runLoop(
  sample: Sample,
  writer: TableWriter<"resources">,
  { experiment, runtime, interval, flushEvery, clock, warn, onSample }: LoopOptions,
): Loop {
  let stopping = false;
  let wake = () => {};
  const counts: LoopCounts = { samples: 0, kept: 0, failures: 0, period_ms: null, sample_ms: null };
  const starts: number[] = [];
  const durations: number[] = [];
  const done = (async () => {
    let lastFlush = performance.now();
    while (!stopping) {
      const began = performance.now();
      const t_ms = clock();
      starts.push(began);
      counts.samples++;
      try {
        const rows = await sample();
        if (rows.length > 0) {
          counts.kept++;
          for (const r of rows) {
            writer.push({
              experiment,
              runtime,
              sample: counts.kept,
              ...r,
              t_ms: r.t_ms ?? t_ms,
              host: r.host ?? null,
            });
          }
        }
      } catch (err) {
        counts.failures++;
        warn(`sample ${counts.samples}: ${err instanceof Error ? err.message : err}`);
      }
      durations.push(performance.now() - began);
      onSample?.(counts);
      if (performance.now() - lastFlush >= flushEvery * 1000) {
        await writer.flush();
        lastFlush = performance.now();
      }
      const next = began + interval * 1000;
      const wait = Math.max(0, next - performance.now());
      if (!stopping && wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    await writer.flush();
    counts.period_ms = stats(starts.slice(1).map((s, i) => s - starts[i]));
    counts.sample_ms = stats(durations);
    return counts;
  })();
  return {
    done,
    stop() {
      stopping = true;
      wake();
      return done;
    },
  };
}
