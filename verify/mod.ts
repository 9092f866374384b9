/**
 * `verify`: every number the thesis prints, computed from a dataset and compared (see
 * cells.ts for what is computed, scorecard.ts for how it is graded).
 */
import { type Dataset, readPublishedJson } from "../dataset/mod.ts";
import type { ComputedTables } from "../pipeline/mod.ts";
import { cellsOf, type Published } from "./cells.ts";
import { checkPublished } from "./published_checks.ts";
import { grade, type GradedCell, type Totals, totals } from "./scorecard.ts";

export * from "./cells.ts";
export * from "./published_checks.ts";
export * from "./scorecard.ts";
export * from "./thesis_tables.ts";

/**
 * Reads the published numbers that belong with dataset `dir`: `file`, else `dir`/published.json,
 * else the thesis's (the embedded dataset's).
 */
export async function readPublished(dir: string, file?: string): Promise<Published> {
  const { value, path } = await readPublishedJson(dir, file);
  return checkPublished(value, path);
}

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
