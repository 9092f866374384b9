/**
 * A CSV file read by polars into activation rows (In-Vitro's CSVs, SeBS's `result.csv`),
 * checked before it is written: the importers' expressions add `_valid` (a row the line reader
 * would take) and `_blank` (polars reads a blank line, and one of commas alone, as a row of
 * nulls). The file is read once, as text, and the rows are made and counted in memory; where
 * any row is bad or blank, the format's line reader goes through the file, to name the first
 * bad line and field (a line of commas alone is one; a blank line is skipped by both).
 *
 * The importers' expressions use each field many times (stripped, as a number, compared): they
 * are computed once a column ({@linkcode csvFields}), before the rows are made from them.
 */
import pl from "nodejs-polars";
import { DECIMAL } from "./csv_rows.ts";

/** A CSV file's rows as a frame without the check columns, and how many there are. */
export interface CsvFrame {
  frame: pl.DataFrame;
  rows: number;
}

/** The fields of a CSV's columns as computed once, for the expressions that make rows. */
export interface CsvFields {
  /** Expressions computing the fields, each list from the columns the one before adds. */
  steps: pl.Expr[][];
  /** A column's text without surrounding white space (null where the field is missing). */
  text(column: string): pl.Expr;
  /** A numeric column's number as csvNumber reads it (null where it is not one). */
  number(column: string): pl.Expr;
  /** A flag column's stripped text in lower case. */
  flag(column: string): pl.Expr;
}

/** Which columns of a CSV the expressions read, and how. */
export interface CsvFieldUses {
  /** Columns read as stripped text. */
  texts: readonly string[];
  /** Columns read as numbers. */
  numbers: readonly string[];
  /** Columns read as flags (true/false in any case). */
  flags: readonly string[];
}

/**
 * The fields of `header`'s columns as `uses` reads them, each stripped once and, where asked,
 * read as a number or a flag once (columns not in the header are left out).
 */
export function csvFields(header: readonly string[], uses: CsvFieldUses): CsvFields {
  const text = (c: string) => pl.col(`_text_${c}`);
  const number = (c: string) => pl.col(`_number_${c}`);
  const flag = (c: string) => pl.col(`_flag_${c}`);
  const of = (cs: readonly string[]) => cs.filter((c) => header.includes(c));
  const texts = [...new Set(of([...uses.texts, ...uses.numbers, ...uses.flags]))];
  return {
    steps: [
      texts.map((c) => pl.col(c).str.strip().alias(`_text_${c}`)),
      [
        ...of(uses.numbers).map((c) => {
          const n = text(c).cast(pl.Float64, false);
          return pl.when(text(c).str.contains(DECIMAL.source).and(n.isFinite())).then(n)
            .otherwise(pl.lit(null)).alias(`_number_${c}`);
        }),
        ...of(uses.flags).map((c) => text(c).str.toLowerCase().alias(`_flag_${c}`)),
      ],
    ],
    text,
    number,
    flag,
  };
}

/**
 * The rows of the CSV at `path` (named `file` in messages), made by `exprs` from the columns
 * `fields` adds, checked: `checkLines` (the line reader) throws naming a bad line; `format`
 * names the format in the error for bad rows it does not find.
 */
export async function checkedCsvFrame(
  path: string,
  file: string,
  fields: CsvFields,
  exprs: pl.Expr[],
  checkLines: () => Promise<void>,
  format: string,
): Promise<CsvFrame> {
  let all: pl.DataFrame;
  try {
    // A line of more fields than the header is an error (nodejs-polars drops the extra ones).
    const read = pl.readCSV(path, {
      hasHeader: true,
      inferSchemaLength: 0,
      truncateRaggedLines: false,
    })
      .lazy();
    all = await fields.steps.reduce((q, step) => q.withColumns(...step), read).select(...exprs)
      .collect();
  } catch (cause) {
    await checkLines();
    throw new SyntaxError(`${file}: not a CSV polars can read: ${cause}`, { cause });
  }
  const count = (e: pl.Expr) => e.cast(pl.Int64).sum();
  const found = all.select(
    count(pl.col("_valid").or(pl.col("_blank")).not()).alias("bad"),
    count(pl.col("_blank")).alias("blank"),
  ).toRecords()[0];
  const [bad, blank] = [found.bad, found.blank].map(Number);
  if (bad > 0 || blank > 0) await checkLines();
  if (bad > 0) {
    throw new TypeError(`${file}: ${bad} data rows hold values ${format} does not allow`);
  }
  const frame = (blank > 0 ? all.filter(pl.col("_blank").not()) : all).drop("_valid", "_blank");
  return { frame, rows: frame.height };
}
