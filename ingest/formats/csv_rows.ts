/**
 * Rows of a comma-separated file with a header line, read line by line (memory bounded by the
 * longest line), each row a record keyed by the header's names and carrying its line number.
 * Enough of RFC 4180 for what SeBS (Python's csv module) and In-Vitro (gocsv) write: quoted
 * fields with doubled quotes; a quoted field spanning lines is not written by either and is
 * an error here.
 */
import { quoted } from "../../dataset/quoted.ts";
import { type Line, readLines } from "../lines.ts";

/** One data row: its fields by header name, and its 1-based line. */
export interface CsvRow {
  fields: Record<string, string>;
  line: number;
}

/** The fields of one CSV line, or a SyntaxError naming `where`. */
export function splitCsvLine(text: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new SyntaxError(`${where}: a quoted field is not closed on its line`);
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i < text.length && text[i] !== ",") {
        throw new SyntaxError(`${where}: text after a quoted field, expected ","`);
      }
    } else {
      const c = text.indexOf(",", i);
      out.push(text.slice(i, c < 0 ? text.length : c));
      i = c < 0 ? text.length : c;
    }
    if (i >= text.length) return out;
    i++; // the comma
  }
}

/**
 * The header and the rows of a CSV stream. The header must hold every name of `required`;
 * a row with another number of fields than the header, or a file with no header, is an error
 * naming `file` and the line, as is a header that names a column twice. Blank lines are
 * skipped.
 */
export async function csvRows(
  chunks: AsyncIterable<Uint8Array>,
  file: string,
  required: readonly string[],
): Promise<{ header: string[]; rows: AsyncGenerator<CsvRow> }> {
  const lines = readLines(chunks, file);
  let first: IteratorResult<Line>;
  do first = await lines.next(); while (!first.done && first.value.text.trim() === "");
  if (first.done) throw new SyntaxError(`${file}: empty file, expected a CSV header line`);
  // Each slice polars reads repeats the header: one of megabytes would be read again each time.
  if (first.value.text.length > HEADER_CHARS) {
    throw new SyntaxError(
      `${file} line ${first.value.line}: ${first.value.text.length} characters, more than a CSV ` +
        `header line holds (at most ${HEADER_CHARS})`,
    );
  }
  const header = splitCsvLine(first.value.text.replace(/^\uFEFF/, ""), `${file} line 1`)
    .map((h) => h.trim());
  // A row's fields are keyed by name: a name twice would lose one of its fields.
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice !== undefined) {
    throw new SyntaxError(
      `${file} line ${first.value.line}: the header names ${quoted(twice)} twice`,
    );
  }
  const missing = required.filter((r) => !header.includes(r));
  if (missing.length > 0) {
    throw new SyntaxError(
      `${file} line ${first.value.line}: the header lacks ${missing.join(", ")} (found ${
        header.join(",")
      })`,
    );
  }
  async function* rows(): AsyncGenerator<CsvRow> {
    for await (const { text, line } of lines) {
      if (text.trim() === "") continue;
      const values = splitCsvLine(text, `${file} line ${line}`);
      if (values.length !== header.length) {
        throw new SyntaxError(
          `${file} line ${line}: ${values.length} fields, expected ${header.length} as in the header`,
        );
      }
      yield { fields: Object.fromEntries(header.map((h, k) => [h, values[k]])), line };
    }
  }
  return { header, rows: rows() };
}

/** Characters a header line may hold: format detection reads a file's first 64 KiB. */
export const HEADER_CHARS = 64 * 1024;

/** A decimal number as the CSV readers take it (no sign "+", no infinity or NaN words). */
export const DECIMAL = /^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/;

/**
 * A number field of a CSV row: a SyntaxError naming `where`, the field and the text unless it
 * is a finite decimal number; with `nullable`, an empty field (or Python's `None`) is null.
 */
export function csvNumber(
  row: CsvRow,
  field: string,
  where: string,
  { nullable = false }: { nullable?: boolean } = {},
): number | null {
  const text = row.fields[field].trim();
  if (nullable && (text === "" || text === "None")) return null;
  const n = DECIMAL.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n)) {
    throw new SyntaxError(
      `${where}: ${field} is ${quoted(text)}, expected a number${
        nullable ? " or an empty field" : ""
      }`,
    );
  }
  return n;
}

/** A boolean field: `true`/`false` in any case (Python writes `True`, Go `true`). */
export function csvBoolean(row: CsvRow, field: string, where: string): boolean {
  const text = row.fields[field].trim().toLowerCase();
  if (text === "true") return true;
  if (text === "false") return false;
  throw new SyntaxError(
    `${where}: ${field} is ${quoted(row.fields[field])}, expected true or false`,
  );
}
