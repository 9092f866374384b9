/**
 * What every resource sampler gives the sampling loop: a function that takes one sample and
 * returns its rows, less the columns the loop fills in for all samplers alike.
 */
import type { ResourceRow } from "../../dataset/schema.ts";

/**
 * A row of a sample, less experiment, runtime and sample index (set by the loop); `t_ms`
 * where the source gives the reading's own time, else the loop sets the sample's start.
 */
export type SampleRow = Omit<ResourceRow, "experiment" | "runtime" | "sample" | "t_ms" | "host"> & {
  t_ms?: number | null;
  /** The host sampled over ssh; absent for this machine. */
  host?: string | null;
};

/** Takes one sample each call. */
export type Sample = () => Promise<SampleRow[]>;
