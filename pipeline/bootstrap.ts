/**
 * The seeded bootstrap of a latency cell's medians and means, and the percentile interval of a
 * ratio of two of them.
 *
 * A cell's samples come as runs (repetitions) of strata (levels): samples of one run share
 * its host state, so they are not independent, and the bootstrap resamples whole runs first
 * (with replacement), then the samples within each drawn run's strata. The levels of a pooled
 * cell are strata, so a resample keeps the design's number of samples per level. Medians are
 * drawn exactly without drawing every sample (median_resampler.ts).
 */
import { normal, type Random } from "./_random.ts";
import { checkRuns, drawStrata, type Runs } from "./_runs.ts";
import { sortedQuantile } from "./compare_stats.ts";

export type { Resampler, Runs } from "./_runs.ts";
export { MedianResampler, type MedianResamplerOptions } from "./median_resampler.ts";
import type { Resampler } from "./_runs.ts";

/** Options of {@linkcode MeanResampler}. */
export interface MeanResamplerOptions {
  /**
   * Strata up to this size are resampled value by value; a larger stratum's resample mean is
   * drawn from its normal limit, N(mean, SD / sqrt(n)) with the stratum's population SD, which
   * is what the bootstrap mean of so many values converges to. Default 200.
   */
  exactUpTo?: number;
}

/** Draws of the mean of a (run, then sample) resample of a cell. */
export class MeanResampler implements Resampler {
  readonly #runs: Runs;
  readonly #strata: Float64Array[];
  readonly #moments: Map<Float64Array, [number, number]>;
  readonly #exactUpTo: number;

  constructor(runs: Runs, { exactUpTo = 200 }: MeanResamplerOptions = {}) {
    checkRuns(runs);
    this.#runs = runs;
    this.#exactUpTo = exactUpTo;
    this.#strata = new Array(runs.length * Math.max(...runs.map((r) => r.length)));
    this.#moments = new Map();
    for (const stratum of runs.flat()) {
      let sum = 0, sq = 0;
      for (const v of stratum) sum += v;
      const mean = sum / stratum.length;
      for (const v of stratum) sq += (v - mean) ** 2;
      this.#moments.set(stratum, [mean, Math.sqrt(sq / stratum.length)]);
    }
  }

  draw(random: Random): number {
    const S = drawStrata(this.#runs, random, this.#strata);
    // The large strata's normal limits add up to one normal: one draw for all of them.
    let sum = 0, count = 0, normalMean = 0, normalVariance = 0;
    for (let s = 0; s < S; s++) {
      const stratum = this.#strata[s], n = stratum.length;
      if (n === 0) continue;
      if (n <= this.#exactUpTo) {
        for (let i = 0; i < n; i++) sum += stratum[Math.floor(random() * n)];
      } else {
        const [mean, sd] = this.#moments.get(stratum)!;
        normalMean += n * mean;
        normalVariance += n * sd * sd;
      }
      count += n;
    }
    if (normalVariance > 0) sum += normalMean + Math.sqrt(normalVariance) * normal(random);
    else sum += normalMean;
    return sum / count;
  }
}

/** Options of {@linkcode bootstrapRatio}. */
export interface BootstrapOptions {
  /** Number of resamples. Default 10,000. */
  resamples?: number;
  /** Confidence level of the interval. Default 0.95. */
  confidence?: number;
}

/**
 * The percentile interval of `values` (sorted in place): their (1 - confidence) / 2 and
 * (1 + confidence) / 2 quantiles.
 */
export function percentileInterval(values: Float64Array, confidence = 0.95): [number, number] {
  values.sort();
  const alpha = (1 - confidence) / 2;
  return [sortedQuantile(values, alpha)!, sortedQuantile(values, 1 - alpha)!];
}

/**
 * The percentile bootstrap interval of the ratio of two statistics, numerator / denominator:
 * each resample draws both (independently: they are separate samples), and the interval is
 * {@linkcode percentileInterval} of the ratios. Null where a ratio is undefined (0 / 0).
 */
export function bootstrapRatio(
  numerator: Resampler,
  denominator: Resampler,
  random: Random,
  { resamples = 10_000, confidence = 0.95 }: BootstrapOptions = {},
): [number, number] | null {
  const ratios = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    ratios[b] = numerator.draw(random) / denominator.draw(random);
    if (Number.isNaN(ratios[b])) return null;
  }
  return percentileInterval(ratios, confidence);
}
