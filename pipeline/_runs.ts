/**
 * What the bootstrap's resamplers share: a cell's samples as runs of strata, and the first
 * stage of a resample, whole runs drawn with replacement.
 */
import type { Random } from "./_random.ts";

/** A cell's samples: one entry per run, each a list of strata, each sorted ascending. */
export type Runs = Float64Array[][];

/** Something a bootstrap draws a statistic of a resample from. */
export interface Resampler {
  /** One resample's statistic. */
  draw(random: Random): number;
}

/** The strata of a resample of `runs`: whole runs drawn with replacement (none if one run). */
export function drawStrata(runs: Runs, random: Random, into: Float64Array[]): number {
  let s = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs.length === 1 ? runs[0] : runs[Math.floor(random() * runs.length)];
    for (const stratum of run) into[s++] = stratum;
  }
  return s;
}

/** Throws where `runs` hold no sample at all. */
export function checkRuns(runs: Runs): void {
  if (!runs.some((run) => run.some((s) => s.length > 0))) {
    throw new RangeError("cannot resample a cell without samples");
  }
}
