/**
 * Frame helpers for tests: activation rows from short specs, and a frame's records rounded
 * for exact comparison.
 */
import type pl from "nodejs-polars";
import {
  ACTIVATION_COLUMNS,
  type ActivationRow,
  FrameBuilder,
  RESOURCE_COLUMNS,
  type ResourceRow,
} from "../dataset/mod.ts";

const NULL_ACTIVATION: ActivationRow = Object.fromEntries(
  Object.keys(ACTIVATION_COLUMNS).map((k) => [k, null]),
) as ActivationRow;

/** An activations frame from partial rows (other columns null; source defaults to record). */
export function activations(rows: Partial<ActivationRow>[]): pl.DataFrame {
  const b = new FrameBuilder(ACTIVATION_COLUMNS);
  for (const r of rows) b.push({ ...NULL_ACTIVATION, source: "record", ...r });
  return b.toFrame();
}

const NULL_RESOURCE: ResourceRow = Object.fromEntries(
  Object.keys(RESOURCE_COLUMNS).map((k) => [k, null]),
) as ResourceRow;

/** A resources frame from partial rows (other columns null). */
export function resources(rows: Partial<ResourceRow>[]): pl.DataFrame {
  const b = new FrameBuilder(RESOURCE_COLUMNS);
  for (const r of rows) b.push({ ...NULL_RESOURCE, ...r });
  return b.toFrame();
}

/** The frame's records with numbers rounded to `digits` decimals. */
export function records(frame: pl.DataFrame, digits = 9): Record<string, unknown>[] {
  return frame.toRecords().map((r) =>
    Object.fromEntries(
      Object.entries(r).map((
        [k, v],
      ) => [k, typeof v === "number" ? Number(v.toFixed(digits)) : v]),
    )
  );
}
