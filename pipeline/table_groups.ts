/**
 * Which activation rows the tables need together, so that a large dataset is computed a few
 * cells at a time ({@linkcode groupTables}, {@linkcode mergeTables} in tables.ts): a cell's
 * statistics (a median, a percentile) need every row of the cell, but no table needs two cells
 * at once, and the comparisons pool cells from their moments. The cells: runtime and level of
 * the cold-start experiment; runtime, workload and level of the concurrency experiment; every
 * row of the other experiments (capacity) is one cell, as its tables are per runtime over all
 * levels.
 */
import { WARM_EXPERIMENT } from "./latency_rows.ts";

/** The keys a set of rows shares (as dataset/activation_pieces.ts reads them). */
export interface RowsKey {
  experiment: string;
  runtime: string;
  workload: string;
  level: number | null;
}

/** The cell of the other experiments' rows ({@linkcode cellOf}). */
export const OTHERS_CELL = "others";

/** The cell of rows with `key`, as text. */
export function cellOf(key: RowsKey): string {
  if (key.experiment === "cold_start") {
    return JSON.stringify([key.experiment, key.runtime, key.level]);
  }
  if (key.experiment === WARM_EXPERIMENT) {
    return JSON.stringify([key.experiment, key.runtime, key.workload, key.level]);
  }
  return OTHERS_CELL;
}

/**
 * The group (from 0 to `groups - 1`) of the cell `cell`: a hash of its text (FNV-1a), so a
 * reader can sort rows into groups as it reads them, with no count of the cells first. The
 * tables of a group need only its rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cellGroup, cellOf } from "./table_groups.ts";
 * const key = { experiment: "concurrency", runtime: "wasm", workload: "hash", level: 3 };
 * assert.equal(cellGroup(cellOf(key), 1), 0);
 * assert.equal(cellGroup(cellOf(key), 8), cellGroup(cellOf({ ...key }), 8));
 * assert.equal(cellOf({ ...key, experiment: "capacity" }), cellOf({ ...key, experiment: "x" }));
 * ```
 */
export function cellGroup(cell: string, groups: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < cell.length; i++) h = Math.imul(h ^ cell.charCodeAt(i), 0x01000193);
  return (h >>> 0) % groups;
}
