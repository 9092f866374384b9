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
import { Buffer } from "node:buffer";
import { DECIMAL } from "./csv_rows.ts";

/** A CSV file's rows as a frame without the check columns, and how many there are. */
export interface CsvFrame {
  frame: pl.DataFrame;
  rows: number;
  /** For each of the query's `anyOf` conditions, whether any row meets it. */
  any: Record<string, boolean>;
}

/**
 * A reader of one CSV file: its rows from the file's bytes or a slice of them with the header,
 * and the version of its format the header shows, where the format has several (In-Vitro).
 */
export interface CsvReader {
  read(source: string | Uint8Array): Promise<CsvFrame>;
  version?: string;
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
  /**
   * The row as JSON text, as `JSON.stringify` writes an object of every header name and its
   * text as read; a missing field is `""` with `missingAsEmpty`, `null` otherwise.
   */
  record(options: { missingAsEmpty: boolean }): pl.Expr;
  /**
   * Whether the line is blank as polars reads it: every field null, or, where the text is not
   * plain, white space alone in the first (the line reader skips a line of white space). A line
   * of commas alone reads so too; the line reader names it.
   */
  blank(): pl.Expr;
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

/** Options of {@linkcode csvFields}. */
export interface CsvFieldsOptions {
  /**
   * The CSV's bytes are plain ({@linkcode CsvShape.plain}): its fields are then read without the
   * steps that change nothing in them (stripping, the DECIMAL test, JSON's escapes). Default
   * false.
   */
  plain?: boolean;
  /** The columns that have a missing field (null). Default: any may. */
  missing?: readonly string[];
}

/**
 * The fields of `header`'s columns as `uses` reads them, each stripped once and, where asked,
 * read as a number or a flag once (columns not in the header are left out).
 */
export function csvFields(
  header: readonly string[],
  uses: CsvFieldUses,
  { plain = false, missing: missingColumns = header }: CsvFieldsOptions = {},
): CsvFields {
  const missing = new Set(missingColumns);
  const text = (c: string) => plain ? pl.col(c) : pl.col(`_text_${c}`);
  const number = (c: string) => pl.col(`_number_${c}`);
  const flag = (c: string) => pl.col(`_flag_${c}`);
  const of = (cs: readonly string[]) => cs.filter((c) => header.includes(c));
  const texts = [...new Set(of([...uses.texts, ...uses.numbers, ...uses.flags]))];
  return {
    steps: [
      plain ? [] : texts.map((c) => pl.col(c).str.strip().alias(`_text_${c}`)),
      [
        ...of(uses.numbers).map((c) => {
          const n = text(c).cast(pl.Float64, false);
          // Where the text is plain, polars' cast takes what DECIMAL takes, and infinities
          // (isFinite refuses those): they differ only on a sign "+", which is not plain.
          const ok = plain ? n.isFinite() : text(c).str.contains(DECIMAL.source).and(n.isFinite());
          return pl.when(ok).then(n).otherwise(pl.lit(null)).alias(`_number_${c}`);
        }),
        ...of(uses.flags).map((c) => text(c).str.toLowerCase().alias(`_flag_${c}`)),
      ],
    ],
    text,
    number,
    flag,
    blank: () => {
      const [first, ...rest] = header;
      const start = plain
        ? pl.col(first).isNull()
        : pl.col(first).isNull().or(pl.col(first).str.strip().eq(pl.lit("")));
      return rest.reduce((a, h) => a.and(pl.col(h).isNull()), start);
    },
    record: ({ missingAsEmpty }) => {
      const value = (h: string) => missingAsEmpty ? pl.col(h).fillNull(pl.lit("")) : pl.col(h);
      // A header that names a column twice is refused by polars' encoder, as before.
      if (!plain || new Set(header).size < header.length) {
        return pl.struct(header.map(value)).struct.jsonEncode();
      }
      // Plain text needs no escape: the JSON is the fields between literals, cheaper to join
      // than polars' JSON encoder, and the fewer the pieces the cheaper (the text between two
      // fields is one literal).
      const pieces: pl.Expr[] = [];
      let between = "{";
      for (const [i, h] of header.entries()) {
        between += `${i === 0 ? "" : ","}${JSON.stringify(h)}:`;
        if (!missing.has(h)) {
          pieces.push(pl.lit(`${between}"`), pl.col(h));
          between = '"';
        } else if (missingAsEmpty) {
          pieces.push(pl.lit(`${between}"`), value(h));
          between = '"';
        } else {
          const quoted = pl.concatString([pl.lit('"'), pl.col(h), pl.lit('"')], "", false);
          pieces.push(pl.lit(between), quoted.fillNull(pl.lit("null")));
          between = "";
        }
      }
      return pl.concatString([...pieces, pl.lit(`${between}}`)], "", false);
    },
  };
}

/** What {@linkcode csvShape} finds in a CSV's bytes. */
export interface CsvShape {
  /**
   * The bytes are plain: printable ASCII without a space, a quote, a backslash or a sign "+",
   * and line breaks (LF, or CR LF). In plain text no field has white space to strip or a
   * character JSON escapes, and a number polars' cast takes is one DECIMAL takes; what SeBS and
   * In-Vitro write is plain but for a quoted field, a space or an exponent's sign.
   */
  plain: boolean;
  /** Commas that separate fields (outside quoted fields). */
  commas: number;
  /** A line break inside a quoted field (which the line reader refuses, and polars takes). */
  quotedBreak: boolean;
}

const COMMA = 0x2c, QUOTE = 0x22, LF = 0x0a, CR = 0x0d;

/**
 * Whether a CSV's bytes are plain, and how many commas separate its fields: polars reads a line
 * of fewer fields than the header as one whose last fields are missing (null, as empty ones
 * are), where the line reader refuses it; a slice whose commas are not the header's for every
 * line it read (its rows and the header) holds such a line. Quoted fields as the line reader
 * reads them: a quote opens one only at a field's start, and a doubled quote inside is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvShape } from "./csv_query.ts";
 * const shape = (text: string) => csvShape(new TextEncoder().encode(text));
 * assert.deepEqual(shape("a,b\n1,2\n"), { plain: true, commas: 2, quotedBreak: false });
 * assert.deepEqual(shape('a,b\n"1,""x",2\n'), { plain: false, commas: 2, quotedBreak: false });
 * assert.deepEqual(shape('a,b\n"1\n",2\n'), { plain: false, commas: 2, quotedBreak: true });
 * ```
 */
export function csvShape(bytes: Uint8Array): CsvShape {
  const n = bytes.length;
  let commas = 0, i = 0;
  // Plain bytes: printable ASCII but space, quote, "+" and backslash; line breaks.
  for (; i < n; i++) {
    const b = bytes[i];
    if (b > COMMA) {
      if (b < 0x7f && b !== 0x5c) continue;
      break;
    }
    if (b === COMMA) commas++;
    else if (b === LF || (b === CR && bytes[i + 1] === LF)) continue;
    else if (b <= 0x20 || b === QUOTE || b === 0x2b) break;
  }
  if (i === n) return { plain: true, commas, quotedBreak: false };
  // The rest, quotes followed: a field starts at the file's start, after a comma or a line feed.
  let quotedBreak = false, start = i === 0 || bytes[i - 1] === COMMA || bytes[i - 1] === LF;
  for (; i < n; i++) {
    const b = bytes[i];
    if (b === QUOTE && start) {
      for (i++; i < n; i++) {
        if (bytes[i] === QUOTE) {
          if (bytes[i + 1] !== QUOTE) break;
          i++;
        } else if (bytes[i] === LF) quotedBreak = true;
      }
      start = false;
    } else if (b === COMMA) {
      commas++;
      start = true;
    } else start = b === LF;
  }
  return { plain: false, commas, quotedBreak };
}

/**
 * `e` divided by `by` as JS's `/` divides (the line reader's reading). Polars divides a column
 * of more than one row by a number as a product with its reciprocal (938 / 1000 gives
 * 0.9380000000000001), so that a value's last digit would hang on how many rows its slice has;
 * divided by a column, it divides.
 */
export function dividedBy(e: pl.Expr, by: number): pl.Expr {
  return e.div(e.mul(0).add(by));
}

/** How a CSV's rows are made: its header, what is read of its columns, and the rows' expressions. */
export interface CsvQuery {
  header: readonly string[];
  uses: CsvFieldUses;
  /** The row expressions (with `_valid` and `_blank`) from the fields. */
  exprs(fields: CsvFields): pl.Expr[];
  /** Conditions on a row, by name, of which the frame says whether any row meets one. */
  anyOf?(fields: CsvFields): Record<string, pl.Expr>;
}

/**
 * The rows of a CSV, its path or its bytes (`source`, named `file` in messages), made by
 * `query`, checked: `checkLines` (the line reader) throws naming a bad line; `format` names the
 * format in the error for bad rows it does not find.
 */
export async function checkedCsvFrame(
  source: string | Uint8Array,
  file: string,
  query: CsvQuery,
  checkLines: () => Promise<void>,
  format: string,
): Promise<CsvFrame> {
  const bytes = typeof source === "string" ? await Deno.readFile(source) : source;
  const shape = csvShape(bytes);
  let all: pl.DataFrame, conditions: [string, pl.Expr][];
  try {
    // A line of more fields than the header is an error (nodejs-polars drops the extra ones).
    const read = pl.readCSV(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      hasHeader: true,
      inferSchemaLength: 0,
      truncateRaggedLines: false,
    });
    // The columns by the line reader's names (stripped, quotes undone), which the query uses:
    // polars keeps a header name's spaces, a stray CR and doubled quotes.
    if (read.width !== query.header.length) {
      throw new SyntaxError(`${read.width} columns, the line reader reads ${query.header.length}`);
    }
    read.columns = [...query.header];
    const missing = query.header.filter((h) =>
      !read.columns.includes(h) || read.getColumn(h).nullCount() > 0
    );
    const fields = csvFields(query.header, query.uses, { plain: shape.plain, missing });
    conditions = Object.entries(query.anyOf?.(fields) ?? {});
    all = await fields.steps.filter((step) => step.length > 0)
      .reduce((q, step) => q.withColumns(...step), read.lazy())
      .select(...query.exprs(fields), ...conditions.map(([n, e]) => e.alias(`_any_${n}`)))
      .collect();
  } catch (cause) {
    await checkLines();
    throw new SyntaxError(`${file}: not a CSV polars can read: ${cause}`, { cause });
  }
  const count = (e: pl.Expr) => e.cast(pl.Int64).sum();
  const anyNames = conditions.map(([n]) => `_any_${n}`);
  const found = all.select(
    count(pl.col("_valid").or(pl.col("_blank")).not()).alias("bad"),
    count(pl.col("_blank")).alias("blank"),
    ...anyNames.map((c) => pl.col(c).any().alias(c)),
  ).toRecords()[0];
  const [bad, blank] = [found.bad, found.blank].map(Number);
  // Every line polars read (the header and each row; a blank one has no comma) has the
  // header's commas, and no quoted field spans lines: else a line is not one the line reader
  // takes, and it names it.
  const shaped = !shape.quotedBreak &&
    (blank > 0 || shape.commas === (all.height + 1) * (query.header.length - 1));
  if (bad > 0 || blank > 0 || !shaped) await checkLines();
  if (bad > 0) {
    throw new TypeError(`${file}: ${bad} data rows hold values ${format} does not allow`);
  }
  if (!shaped) {
    throw new SyntaxError(
      `${file}: polars reads its fields otherwise than ${format}'s line reader (a quoted field ` +
        "spans lines, or a line has fewer fields than the header)",
    );
  }
  const frame = (blank > 0 ? all.filter(pl.col("_blank").not()) : all)
    .drop("_valid", "_blank", ...anyNames);
  const any = Object.fromEntries(conditions.map(([n]) => [n, found[`_any_${n}`] === true]));
  return { frame, rows: frame.height, any };
}
