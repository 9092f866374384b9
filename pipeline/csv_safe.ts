/**
 * Text cells that a spreadsheet would run as a formula (OWASP's CSV injection: a cell starting
 * with `=`, `+`, `-`, `@`, a tab or a carriage return), defused with a leading apostrophe
 * before a table is written as CSV. Runtime, workload and row names come from datasets, which
 * may be crafted. Numeric columns are written by polars as numbers and are left alone, as are
 * text cells that are a plain number (`-1.5`), which no spreadsheet runs.
 */
import pl from "nodejs-polars";

const FORMULA_START = "^[=+\\-@\\t\\r]";
const PLAIN_NUMBER = "^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$";

/** Whether `text` would start a formula in a spreadsheet. */
export function isFormula(text: string): boolean {
  return new RegExp(FORMULA_START).test(text) && !new RegExp(PLAIN_NUMBER).test(text);
}

/** `text`, with a leading apostrophe where it would start a formula. */
export function csvSafeText(text: string): string {
  return isFormula(text) ? `'${text}` : text;
}

/**
 * `frame` with every text cell and column name that would start a formula prefixed by `'`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { csvSafe } from "./csv_safe.ts";
 * const safe = csvSafe(pl.DataFrame({ runtime: ["=1+1", "-1.5", "wasm"], n: [-1, 2, 3] }));
 * assert.deepEqual(safe.getColumn("runtime").toArray(), ["'=1+1", "-1.5", "wasm"]);
 * assert.deepEqual(safe.getColumn("n").toArray(), [-1, 2, 3]);
 * ```
 */
export function csvSafe(frame: pl.DataFrame): pl.DataFrame {
  const text = frame.columns.filter((c) => frame.getColumn(c).dtype.equals(pl.String));
  const renamed = Object.fromEntries(
    frame.columns.filter(isFormula).map((c) => [c, csvSafeText(c)]),
  );
  if (text.length === 0 && Object.keys(renamed).length === 0) return frame;
  const defused = frame.withColumns(
    ...text.map((c) =>
      pl.when(pl.col(c).str.contains(FORMULA_START).and(pl.col(c).str.contains(PLAIN_NUMBER).not()))
        .then(pl.concatString([pl.lit("'"), pl.col(c)], ""))
        .otherwise(pl.col(c))
        .alias(c)
    ),
  );
  return Object.keys(renamed).length ? defused.rename(renamed) : defused;
}
