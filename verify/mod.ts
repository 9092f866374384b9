/**
 * `verify`: every number the thesis prints, computed from a dataset and compared (see
 * cells.ts for what is computed, scorecard.ts for how it is graded).
 */
import type { Dataset } from "../dataset/mod.ts";
import type { ComputedTables } from "../pipeline/mod.ts";
import { cellsOf, type Published } from "./cells.ts";
import { grade, type GradedCell, type Totals, totals } from "./scorecard.ts";

export * from "./cells.ts";
export * from "./published_checks.ts";
export * from "./scorecard.ts";
export * from "./thesis_tables.ts";

/** The scorecard as JSON: totals and every graded cell. */
export interface Scorecard {
  published_source: string;
  totals: Totals;
  cells: GradedCell[];
}

/**
 * Grades every published cell against the values computed from `ds` (`tables`: as computed
 * already with the default options, see {@linkcode cellsOf}).
 */
export function verify(ds: Dataset, published: Published, tables?: ComputedTables): Scorecard {
  const cells = cellsOf(ds, published, tables).map(grade);
  return { published_source: published.source, totals: totals(cells), cells };
}
