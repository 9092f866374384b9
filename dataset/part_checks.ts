/**
 * The schema checked on read: a part of a dataset is untrusted input, and a cast that turns a
 * value it cannot convert into null makes a level vanish or a table shrink without a word. So
 * every part is checked before its rows reach a table: required columns present, each column of
 * a type that converts without loss, numbers finite and in range, ids unique.
 *
 * Every check is a polars expression over whole columns, never a loop over rows in JS. The
 * rules on values are first asked of all parts together, as aggregations (null counts, sums,
 * minima, maxima); only when those show a bad row are the parts checked one by one, row mask
 * by row mask, to name the part, the rule and the first bad row.
 */
import pl from "nodejs-polars";
import {
  ACTIVATION_SOURCES,
  type ColumnType,
  dtypeOf,
  emptyFrame,
  MAX_MEASURE,
  NOT_NULL_COLUMNS,
  REQUIRED_COLUMNS,
  type Schema,
  VALUE_RANGES,
  type ValueRange,
} from "./schema.ts";

/** A table of a dataset, by name. */
type Table = keyof typeof REQUIRED_COLUMNS;

const NUMBER_TYPES = new Set([
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "UInt8",
  "UInt16",
  "UInt32",
  "UInt64",
  "Float32",
  "Float64",
]);
const TEXT_TYPES = new Set(["Utf8", "String", "Categorical"]);
const TYPE_NAMES: Record<ColumnType, string> = {
  str: "text",
  i64: "integers",
  f64: "numbers",
  bool: "true/false",
};

/**
 * One row-wise condition: `bad` is true on a row that breaks it. `gate` is an aggregation over
 * the column and `ok` says of its value that no row breaks the condition: cheaper than `bad`
 * over every row, it is what a read of good data pays (a false alarm costs only the search).
 */
interface RowCheck {
  column: string;
  bad: pl.Expr;
  expected: string;
  gate: pl.Expr;
  ok: (value: unknown) => boolean;
}

const isZero = (v: unknown) => Number(v) === 0;

/** A value as the error message shows it (NaN and infinities as such, text quoted). */
function show(value: unknown): string {
  return typeof value === "number" || typeof value === "bigint"
    ? String(value)
    : JSON.stringify(value);
}

/** The value of column `name` at `row` (Series.get has no boolean case). */
function valueAt(frame: pl.DataFrame, name: string, row: number): unknown {
  return frame.slice(row, 1).getColumn(name).toArray()[0];
}

/** The first row of `frame` where `bad` holds (0-based), or -1. */
function firstBad(frame: pl.DataFrame, bad: pl.Expr): number {
  const [r] = frame.select(bad.any().alias("any"), bad.argMax().alias("first")).toRecords();
  return r.any ? Number(r.first) : -1;
}

/**
 * The expression that turns column `name` of `frame` into the schema's type, or a TypeError
 * naming the column, its type and its first value that does not convert. Numbers convert
 * between integer and float types (a float only where it is a whole number, for an integer
 * column); text, numbers and booleans never convert into one another.
 */
function castColumn(frame: pl.DataFrame, name: string, type: ColumnType): pl.Expr {
  const target = dtypeOf(type);
  const found = frame.getColumn(name).dtype.variant;
  const col = pl.col(name);
  if (found === target.variant || found === "Null") return col.cast(target);
  const numeric = type === "i64" || type === "f64";
  let bad: pl.Expr | null = null;
  if (numeric && NUMBER_TYPES.has(found)) {
    if (type === "f64" || /^U?Int(8|16|32)$/.test(found) || found === "Int64") {
      return col.cast(target);
    }
    // A float into an integer column, or a UInt64: lost where not whole or out of Int64's range.
    bad = col.isNotNull().and(col.cast(target, false).isNull());
    if (found.startsWith("Float")) bad = bad.or(col.isNotNull().and(col.floor().neq(col)));
    if (firstBad(frame, bad) < 0) return col.cast(target);
  } else if (type === "str" && TEXT_TYPES.has(found)) {
    return col.cast(target);
  }
  // Prefer the first value that does not even convert; else the first value of the wrong type.
  const convertible = numeric && TEXT_TYPES.has(found)
    ? col.cast(target, false).isNull().and(col.isNotNull())
    : col.isNotNull();
  let row = firstBad(frame, bad ?? convertible);
  if (row < 0) row = firstBad(frame, col.isNotNull());
  throw new TypeError(
    `column ${name} holds ${found}, expected ${TYPE_NAMES[type]} (${type})` +
      (row < 0 ? "" : `: row ${row + 1} is ${show(valueAt(frame, name, row))}`),
  );
}

/**
 * The checks already built, by schema (a read's one schema object, which belongs to one table):
 * building them is a few hundred polars expressions, which took more time than running them on
 * a part of 10,000 rows; a read of many parts builds them once.
 */
const builtChecks = new WeakMap<Schema, readonly RowCheck[]>();

/** Each built list's gates, named for {@linkcode anyBadRow}'s one `select`. */
const aliasedGates = new WeakMap<readonly RowCheck[], pl.Expr[]>();

/** The conditions every row of `table` must meet, on the columns of `schema`. */
function rowChecks(table: Table, schema: Schema): readonly RowCheck[] {
  let checks = builtChecks.get(schema);
  if (checks === undefined) builtChecks.set(schema, checks = buildRowChecks(table, schema));
  return checks;
}

function buildRowChecks(table: Table, schema: Schema): RowCheck[] {
  const checks: RowCheck[] = [];
  const ranges: Record<string, ValueRange> = VALUE_RANGES[table];
  for (const [name, type] of Object.entries(schema)) {
    const col = pl.col(name);
    if ((NOT_NULL_COLUMNS[table] as readonly string[]).includes(name)) {
      checks.push({
        column: name,
        bad: col.isNull(),
        expected: "a value (not null)",
        gate: col.nullCount(),
        ok: isZero,
      });
    }
    if (type === "f64") {
      checks.push({
        column: name,
        bad: col.isNotNull().and(col.isFinite().not()),
        expected: "a finite number",
        // A sum is finite only if every value is (or, rarely, a false alarm: it overflows).
        gate: col.sum(),
        ok: (v) => v === null || Number.isFinite(Number(v)),
      });
    }
    const range = ranges[name];
    if (range) {
      const { min, max } = range;
      checks.push({
        column: name,
        bad: col.isNotNull().and(col.lt(min).or(col.gt(max))),
        expected: `a value from ${min} to ${max === MAX_MEASURE ? "2^53 - 1" : max}`,
        // NaN is not in range either: min/max may skip it, the finite check does not.
        gate: pl.concatList([col.min(), col.max()]),
        ok: (v) => {
          const [lo, hi] = (v as (number | null)[]).map((x) => (x === null ? null : Number(x)));
          return (lo === null || lo >= min) && (hi === null || hi <= max);
        },
      });
    }
  }
  if (table === "activations" && "source" in schema) {
    checks.push({
      column: "source",
      bad: pl.col("source").isNotNull().and(pl.col("source").isIn([...ACTIVATION_SOURCES]).not()),
      expected: `one of ${ACTIVATION_SOURCES.join(", ")}`,
      gate: pl.col("source").isIn([...ACTIVATION_SOURCES]).not().sum(),
      ok: isZero,
    });
  }
  return checks;
}

/**
 * A part of `table` read from a Parquet file, cast to `schema`'s types (columns of the schema
 * it lacks added as nulls where not required, extra columns kept). Throws naming a required
 * column it lacks, or a column of a type that does not convert and its first bad row. The
 * rules on values are checked apart ({@linkcode anyBadRow}, {@linkcode checkRows}), once over
 * all parts together.
 */
export function conformPart(frame: pl.DataFrame, table: Table, schema: Schema): pl.DataFrame {
  const missing = REQUIRED_COLUMNS[table].filter((c) => c in schema && !frame.columns.includes(c));
  if (missing.length > 0) {
    throw new TypeError(
      `no column ${missing.join(", ")} (every ${table} part has ${
        REQUIRED_COLUMNS[table].join(", ")
      })`,
    );
  }
  const empty = emptyFrame(schema);
  const exprs = Object.entries(schema).map(([name, type]) =>
    frame.columns.includes(name)
      ? castColumn(frame, name, type)
      : pl.lit(null).cast(empty.getColumn(name).dtype).alias(name)
  );
  const extra = frame.columns.filter((c) => !(c in schema)).map((c) => pl.col(c));
  return frame.select(...exprs, ...extra);
}

/**
 * Whether a row of `frame` (conformed parts of `table`, concatenated) may break a rule: one
 * `select` of aggregations (null counts, sums, minima and maxima), the cost of a read where
 * all is well.
 */
export function anyBadRow(frame: pl.DataFrame, table: Table, schema: Schema): boolean {
  const checks = rowChecks(table, schema);
  if (checks.length === 0 || frame.height === 0) return false;
  let gates = aliasedGates.get(checks);
  if (gates === undefined) {
    aliasedGates.set(checks, gates = checks.map((c, i) => c.gate.alias(`g${i}`)));
  }
  const [answer] = frame.select(...gates).toRecords();
  return checks.some((c, i) => !c.ok(answer[`g${i}`]));
}

/**
 * Throws if a row of `frame` (one conformed part of `table`) breaks a rule, naming the column,
 * the first bad row (1-based), its value, what was expected and how many rows break it.
 */
export function checkRows(frame: pl.DataFrame, table: Table, schema: Schema): void {
  const checks = rowChecks(table, schema);
  if (checks.length === 0 || frame.height === 0) return;
  const [answer] = frame.select(
    ...checks.flatMap((c, i) => [c.bad.sum().alias(`n${i}`), c.bad.argMax().alias(`f${i}`)]),
  ).toRecords();
  checks.forEach((c, i) => {
    const n = Number(answer[`n${i}`]);
    if (n === 0) return;
    const row = Number(answer[`f${i}`]);
    const value = show(valueAt(frame, c.column, row));
    throw new RangeError(
      `column ${c.column}: row ${row + 1} is ${value}, expected ${c.expected}` +
        (n > 1 ? ` (${n} rows like it)` : ""),
    );
  });
}

/** The activation ids of one part, with where they came from. */
export interface PartIds {
  /** The part's path, for messages. */
  part: string;
  /** Its `activation_id` column (nulls allowed: samples and errors have none). */
  ids: pl.Series;
}

/** An activation id found twice, and where: part and row (1-based) of two of its rows. */
export interface DuplicateId {
  id: string;
  /** Rows that share an id beyond the first of each. */
  count: number;
  first: { part: string; row: number };
  second: { part: string; row: number };
}

/**
 * The first activation id that occurs twice among `parts`, or null (nulls are not ids: sample
 * and error rows have none). One hash over the ids of all parts, in polars.
 */
export function findDuplicateId(parts: PartIds[]): DuplicateId | null {
  if (parts.length === 0) return null;
  // The common case, every id once, costs one count of distinct 64-bit hashes (a few times
  // faster than of the strings); the strings themselves decide only where hashes repeat.
  const hashes = pl.concat(parts.map((p) => p.ids.cast(pl.Utf8).dropNulls().hash()));
  if (hashes.nUnique() === hashes.len()) return null;
  const frames = parts.map(({ ids }, p) =>
    pl.DataFrame([ids.cast(pl.Utf8).alias("id")]).withRowIndex("row").withColumns(
      pl.lit(p).cast(pl.UInt32).alias("part"),
    ).filter(pl.col("id").isNotNull())
  );
  if (frames.length === 0) return null;
  const all = frames.length === 1 ? frames[0] : pl.concat(frames);
  if (all.height === 0) return null;
  const dup = pl.col("id").isDuplicated();
  const at = firstBad(all, dup);
  if (at < 0) return null;
  const id = String(all.getColumn("id").get(at));
  const [first, second] = all.filter(pl.col("id").eq(pl.lit(id))).head(2).toRecords().map((r) => ({
    part: parts[Number(r.part)].part,
    row: Number(r.row) + 1,
  }));
  const count = Number(all.select(dup.sum().alias("n")).toRecords()[0].n) -
    Number(all.filter(dup).select(pl.col("id").nUnique().alias("n")).toRecords()[0].n);
  return { id, count, first, second };
}

/**
 * Throws if an activation id occurs twice among `parts`, naming the id and both places: two
 * parts, or two rows of one part.
 */
export function checkUniqueIds(parts: PartIds[]): void {
  const d = findDuplicateId(parts);
  if (!d) return;
  const { first: a, second: b } = d;
  throw new RangeError(
    `activation id ${JSON.stringify(d.id)} occurs twice: ` +
      (a.part === b.part
        ? `rows ${a.row} and ${b.row} of ${a.part}`
        : `${a.part} row ${a.row} and ${b.part} row ${b.row}`) +
      ` (${d.count} rows repeat an id; an activation is one row: is a part copied?)`,
  );
}

/** The activation ids of one part as 64-bit hashes: 8 bytes a row kept, not the id text. */
export interface PartIdHashes {
  /** The part's path, for messages. */
  part: string;
  /** Hashes of its non-null ids. */
  hashes: pl.Series;
}

/** The hashes of `ids` (the `activation_id` column of the part `part`; nulls are not ids). */
export function idHashes(part: string, ids: pl.Series): PartIdHashes {
  return { part, hashes: ids.cast(pl.Utf8).dropNulls().hash() };
}
