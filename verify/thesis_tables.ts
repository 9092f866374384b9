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

/** The thesis's own labels of the row keys of its tables (Tables 9-17). */
export const THESIS_ROW_LABELS: Record<string, string> = {
  docker: "Docker",
  wasm: "Wasm",
  slowdown: "Slowdown ratio",
  max_cpu_pct: "max. CPU usage",
  max_mem_mib: "RSS memory",
  capacity: "Capacity",
};

/** A row key as the thesis labels it: `level 3` as `3`, `max_cpu_pct` as "max. CPU usage". */
export function thesisRowLabel(row: string): string {
  return THESIS_ROW_LABELS[row] ?? row.replace(/^level (\d+)$/, "$1");
}

/**
 * The column headers a thesis table prints, by column key (`row` for the first column): the
 * per-level tables' "No. concurrent responses", "Coefficient of Variation in %", ... as the
 * thesis words them.
 */
export function thesisHeaders(t: ThesisTable): Record<string, string> {
  const perLevel = t.columns.includes("sd");
  const runs = t.columns.includes("run 1");
  return {
    row: perLevel ? "No. concurrent responses" : runs ? "Task, type" : "",
    cov_pct: perLevel ? "Coefficient of Variation in %" : "CoV in %",
    sd: "Standard Deviation",
    mean: runs ? "Mean" : "Mean in ms",
    "docker/wasm": "Slowdown ratio",
    docker: "Docker",
    wasm: "Wasm",
    ratio: "vs. Docker",
    lines_of_code: "Lines of code",
    size_kb: "Size in KB",
    ...Object.fromEntries(
      t.columns.filter((c) => /^run \d+$/.test(c)).map((c) => [c, `Run ${c.slice(4)}`]),
    ),
  };
}

/**
 * Footnotes of a recomputed thesis table: a letter on every cell whose value differs from the
 * printed one, one letter per cause, and per letter the cause and the printed values.
 */
export function deviationNotes(t: ThesisTable): {
  marks: { row: number; column: string; mark: string }[];
  notes: { mark: string; text: string }[];
} {
  const differing = t.rows.flatMap((row, i) =>
    t.columns.map((column) => ({ i, column, cell: t.cell(row, column) }))
  ).filter(({ cell }) => cell && !["exact", "carried"].includes(cell.status));
  const causes = [...new Set(differing.map(({ cell }) => cell!.cause ?? "cause unknown"))];
  const mark = (cause: string) => String.fromCharCode(97 + causes.indexOf(cause));
  return {
    marks: differing.map(({ i, column, cell }) => ({
      row: i,
      column,
      mark: mark(cell!.cause ?? "cause unknown"),
    })),
    notes: causes.map((cause) => ({
      mark: mark(cause),
      text: `The thesis prints ${
        differing.filter(({ cell }) => (cell!.cause ?? "cause unknown") === cause)
          .map(({ cell }) => cell!.published).join(", ")
      }: ${cause}.`,
    })),
  };
}
