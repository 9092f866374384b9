/**
 * What every resource sampler gives the sampling loop: a function that takes one sample and
 * returns its rows, less the columns the loop fills in for all samplers alike.
 */
import type { ResourceRow } from "../../dataset/schema.ts";

/** A row of a sample, less experiment, runtime, sample index and time (set by the loop). */
export type SampleRow = Omit<ResourceRow, "experiment" | "runtime" | "sample" | "t_ms">;

/** Takes one sample each call. */
export type Sample = () => Promise<SampleRow[]>;
