/**
 * Where a dataset's Parquet parts lie: `activations/experiment=<e>/runtime=<r>/<part>.parquet`,
 * Hive's layout, so that DuckDB, Spark and polars read a table folder as one table as it is
 * and skip the folders a query's WHERE on `experiment` or `runtime` rules out (partition
 * pruning), and a year of activations can be moved, copied or deleted one runtime at a time.
 * The other tables (one row per resource sample or timing) stay flat: they are small.
 *
 * A value becomes a folder name only through Hive's own escaping (Spark's and Hive's
 * `escapePathName`: `%` and the characters a path or a Windows file name cannot hold become
 * `%XX`), the form DuckDB, Spark and polars decode back to the value itself. A lossy name (as
 * `safeName` of the report's files) would make those engines show another runtime than the
 * rows hold. So a folder name is never `..`, never holds a separator, and never is empty
 * (`runtime=` always leads it); an empty value or one too long for a folder name is refused.
 */
import { dirname, join, relative, sep } from "node:path";

/** The columns that partition each table into folders, outermost first. */
export const PARTITION_COLUMNS: Record<string, readonly string[]> = {
  activations: ["experiment", "runtime"],
  resources: [],
  timings: [],
  events: [],
};

/** Hive's folder name of a null value (Spark and DuckDB read it back as null). */
export const NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";

/** The longest folder name most file systems allow, in bytes. */
const MAX_FOLDER_BYTES = 255;

/**
 * Characters escaped in a partition value: Hive's (control characters, DEL, the slash and
 * `"#%'*:=?\{[]^`) and the ones it adds on Windows (space, `<>|`), so that a folder is the same
 * everywhere; `}` too, as a pair to `{`.
 */
// deno-lint-ignore no-control-regex -- control characters are what it finds
const ESCAPED = /[\x00-\x1f\x7f"#%'*/:=?\\{}[\]^ <>|]/g;

const encoder = new TextEncoder();

/**
 * A partition value as Hive writes it in a folder name: each escaped character as `%XX`
 * (uppercase hex), everything else (non-ASCII letters too) as it is. The one value that reads
 * as Hive's null folder ({@linkcode NULL_PARTITION}) has its first `_` escaped, so that a
 * runtime of that name is read back by its name (by whiskbench, DuckDB and Spark; polars'
 * Hive reader still takes it for null).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePartitionValue } from "./part_path.ts";
 * assert.equal(encodePartitionValue("../x"), "..%2Fx");
 * assert.equal(encodePartitionValue("a=b%"), "a%3Db%25");
 * assert.equal(encodePartitionValue("__HIVE_DEFAULT_PARTITION__"), "%5F_HIVE_DEFAULT_PARTITION__");
 * ```
 */
export function encodePartitionValue(value: string): string {
  // The one value that would read back as null: its first `_` escaped, which decodes to it.
  if (value === NULL_PARTITION) return `%5F${value.slice(1)}`;
  return value.replace(
    ESCAPED,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

/** The value of an encoded folder name, decoded as Hive and Spark do: `%XX` is one character. */
export function decodePartitionValue(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** `key=value`: the folder of one partition value (null as Hive's default partition). */
export function partitionFolder(key: string, value: string | null): string {
  if (value === null) return `${key}=${NULL_PARTITION}`;
  if (value === "") {
    throw new RangeError(`${key} is empty text: a partition folder needs a name`);
  }
  if (!value.isWellFormed()) {
    throw new RangeError(`${key} ${JSON.stringify(value)} is not well-formed Unicode`);
  }
  const name = `${key}=${encodePartitionValue(value)}`;
  const bytes = encoder.encode(name).length;
  if (bytes > MAX_FOLDER_BYTES) {
    throw new RangeError(
      `${key} ${JSON.stringify(value.slice(0, 40))}... is too long for a partition folder ` +
        `(${bytes} bytes as a folder name, at most ${MAX_FOLDER_BYTES})`,
    );
  }
  return name;
}

/**
 * The path of part `part` of `table` in dataset `dir`, in the folders of `values` (the table's
 * partition columns, in {@linkcode PARTITION_COLUMNS}' order). The one place a part's path is
 * made. A part name is one file name: not empty, no separator, not `.` or `..`.
 */
export function partPath(
  dir: string,
  table: string,
  part: string,
  values: Record<string, string | null> = {},
): string {
  if (part === "" || part === "." || part === ".." || /[/\0]/.test(part)) {
    throw new RangeError(`Not a part name: ${JSON.stringify(part)}`);
  }
  const keys = PARTITION_COLUMNS[table] ?? [];
  const folders = keys.filter((k) => k in values).map((k) => partitionFolder(k, values[k]));
  return join(dir, table, ...folders, `${part}.parquet`);
}

/**
 * The glob that names every part of `table` in dataset `dir`, flat or in partition folders, for
 * an engine that reads a table by a pattern (DuckDB's `read_parquet`, polars' `scan_parquet`):
 * `**` matches no folder as well as several.
 */
export function tableGlob(dir: string, table: string): string {
  return join(dir, table, "**", "*.parquet");
}

/** The partition values of a part at `path` under table folder `folder` (none for a flat one). */
export function partitionValues(folder: string, path: string): [string, string | null][] {
  const rel = relative(folder, dirname(path));
  if (rel === "") return [];
  return rel.split(sep).map((segment) => {
    const at = segment.indexOf("=");
    const text = segment.slice(at + 1);
    return [segment.slice(0, at), text === NULL_PARTITION ? null : decodePartitionValue(text)];
  });
}
