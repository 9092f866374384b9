/**
 * The thesis's tables in the thesis's own layout (Tables 1-19 and the ten statistics tables it
 * captions as figures), filled with what the pipeline computes: the graded cells of `verify`
 * put back into rows and columns. A table is laid out as the published one, so the report can
 * show the two side by side and a paper can `\input` the recomputed one in place of the old.
 */
import pl from "nodejs-polars";
import { type Published, shown } from "./cells.ts";
import type { GradedCell } from "./scorecard.ts";

/** One thesis table: its cells by row and column, in the published order. */
export interface ThesisTable {
  /** `table_3`, `figure_10`, ... as in published.json. */
  id: string;
  /** `Table 3`, `Figure 10`. */
  label: string;
  title: string;
  rows: string[];
  columns: string[];
  /** `cell(row, column)`: the graded cell there, if the published table has one. */
  cell(row: string, column: string): GradedCell | undefined;
}

/** Groups graded cells into the published tables they belong to, in published order. */
export function thesisTables(published: Published, cells: GradedCell[]): ThesisTable[] {
  const byTable = Map.groupBy(cells, (c) => c.table);
  return published.tables.map((t) => {
    const own = byTable.get(t.id) ?? [];
    const index = new Map(own.map((c) => [`${c.row}\u0000${c.column}`, c]));
    return {
      id: t.id,
      label: t.label,
      title: t.title,
      rows: [...new Set(own.map((c) => c.row))],
      columns: [...new Set(own.map((c) => c.column))],
      cell: (row, column) => index.get(`${row}\u0000${column}`),
    };
  });
}

/**
 * A thesis table as a frame: a `row` column and one Float64 column per published column, at
 * full precision (`precision: "full"`, for CSV) or as text at the printed precision
 * (`"printed"`, for Markdown and LaTeX). `which: "published"` gives the published numbers.
 */
export function thesisTableFrame(
  table: ThesisTable,
  precision: "full" | "printed" = "full",
  which: "computed" | "published" = "computed",
): pl.DataFrame {
  const columns: Record<string, pl.Series> = { row: pl.Series("row", table.rows, pl.Utf8) };
  for (const col of table.columns) {
    const cells = table.rows.map((r) => table.cell(r, col));
    columns[col] = which === "published"
      ? (precision === "full"
        ? pl.Series(col, cells.map((c) => (c ? Number(c.published) : null)), pl.Float64)
        : pl.Series(col, cells.map((c) => c?.published ?? ""), pl.Utf8))
      : (precision === "full"
        ? pl.Series(col, cells.map((c) => c?.computed ?? null), pl.Float64)
        : pl.Series(col, cells.map(shown), pl.Utf8));
  }
  return pl.DataFrame(Object.values(columns));
}
