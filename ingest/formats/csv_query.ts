/**
 * A CSV file read by polars as a query of rows (In-Vitro's CSVs, SeBS's `result.csv`), checked
 * before it is written: the importers' expressions add `_valid` (a row the line reader would
 * take) and `_blank` (polars reads a blank line, and one of commas alone, as a row of nulls).
 * One streaming pass counts both; where any row is bad or blank, the format's line reader goes
 * through the file, to name the first bad line and field (a line of commas alone is one; a
 * blank line is skipped by both). The query reads the file again when it runs.
 */
import pl from "nodejs-polars";

/** The rows as a query without the check columns, and how many there are. */
export interface CsvQuery {
  query: pl.LazyDataFrame;
  rows: number;
}

/**
 * The rows of the CSV at `path` (named `file` in messages) as `exprs` make them, checked:
 * `checkLines` (the line reader) throws naming a bad line; `format` names the format in the
 * error for bad rows it does not find.
 */
export async function checkedCsvQuery(
  path: string,
  file: string,
  exprs: pl.Expr[],
  checkLines: () => Promise<void>,
  format: string,
): Promise<CsvQuery> {
  const scan = () => pl.scanCSV(path, { hasHeader: true, inferSchemaLength: 0 }).select(...exprs);
  const count = (e: pl.Expr) => e.cast(pl.Int64).sum();
  let found: Record<string, unknown>;
  try {
    found = (await scan().select(
      count(pl.col("_valid").or(pl.col("_blank")).not()).alias("bad"),
      count(pl.col("_blank")).alias("blank"),
      pl.len().cast(pl.Int64).alias("n"),
    ).collect({ streaming: true })).toRecords()[0];
  } catch (cause) {
    await checkLines();
    throw new SyntaxError(`${file}: not a CSV polars can read: ${cause}`, { cause });
  }
  const [bad, blank, n] = [found.bad, found.blank, found.n].map(Number);
  if (bad > 0 || blank > 0) await checkLines();
  if (bad > 0) {
    throw new TypeError(`${file}: ${bad} data rows hold values ${format} does not allow`);
  }
  return { query: scan().filter(pl.col("_blank").not()).drop("_valid", "_blank"), rows: n - blank };
}
