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
 *
 * The partition columns stay in the files too, so that a reader that knows nothing of folders
 * (one part opened alone) still sees them; the engines then show one column with the folder's
 * value, which {@linkcode checkPartitionColumns} makes sure is the file's.
 */
import pl from "nodejs-polars";
import { basename, dirname, join, relative, sep } from "node:path";
import { syncFolder } from "./store.ts";

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
 * (uppercase hex), everything else (non-ASCII letters too) as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePartitionValue } from "./partitions.ts";
 * assert.equal(encodePartitionValue("../x"), "..%2Fx");
 * assert.equal(encodePartitionValue("a=b%"), "a%3Db%25");
 * ```
 */
export function encodePartitionValue(value: string): string {
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

/** Whether a folder inside a table folder is a partition: `key=value` with a key. */
function isPartitionFolder(name: string): boolean {
  return name.indexOf("=") > 0;
}

/**
 * The `*.parquet` parts of one table folder, flat or in partition folders, ordered by file name
 * (then by folder), so that moving parts into folders keeps the order of a table's rows; none if
 * there is no folder. A symbolic link to a file is a part like any other; one to anything else
 * is an error, never skipped in silence. The one listing of a table's parts.
 */
export async function partPaths(folder: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(at: string): Promise<void> {
    for await (const e of Deno.readDir(at)) {
      const path = join(at, e.name);
      if (e.name.endsWith(".parquet")) {
        if (e.isSymlink) {
          const target = await Deno.stat(path).catch(() => null);
          if (!target?.isFile) {
            throw new Error(
              `Cannot read dataset part ${path}: a symbolic link to ${
                target ? "a folder" : "nothing (dangling)"
              }, expected a Parquet file`,
            );
          }
        } else if (!e.isFile) continue;
        found.push(path);
      } else if (isPartitionFolder(e.name)) {
        if (e.isSymlink) {
          throw new Error(
            `Cannot read dataset folder ${path}: a symbolic link, expected a partition folder`,
          );
        }
        if (e.isDirectory) await walk(path);
      }
    }
  }
  try {
    await walk(folder);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  const key = (p: string) => [basename(p), p] as const;
  return found.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0;
  });
}

/**
 * `frame` (one part read from `path`) with the partition columns of its folders: added where
 * the file lacks one, checked where it has one. DuckDB, Spark and polars take a partition
 * column's value from the folder, so a file whose column says otherwise would be two tables in
 * one; that is refused, naming the column, the first row and both values.
 */
export function withPartitionColumns(
  frame: pl.DataFrame,
  values: [string, string | null][],
  wanted?: readonly string[],
): pl.DataFrame {
  for (const [key, value] of values) {
    if (!frame.columns.includes(key)) {
      if (wanted && !wanted.includes(key)) continue;
      frame = frame.withColumns(pl.lit(value).cast(pl.Utf8).alias(key));
      continue;
    }
    const col = pl.col(key).cast(pl.Utf8);
    const bad = value === null ? col.isNotNull() : col.isNull().or(col.neq(pl.lit(value)));
    const [r] = frame.select(bad.any().alias("any"), bad.argMax().alias("at")).toRecords();
    if (!r.any) continue;
    const row = Number(r.at);
    const found = frame.slice(row, 1).getColumn(key).toArray()[0];
    throw new RangeError(
      `column ${key}: row ${row + 1} is ${JSON.stringify(found)}, but the part lies in folder ` +
        `${partitionFolder(key, value)} (engines that read the folder take its value)`,
    );
  }
  return frame;
}

/**
 * The rows of `frame` as part `part` of `table` in dataset `dir`, by the folder each goes to:
 * one path and frame per distinct value of the table's partition columns that the frame has
 * (in the order of their first rows; none for a frame without rows), or the whole frame flat
 * where the table or the frame has no partition column.
 */
export function partFrames(
  dir: string,
  table: string,
  part: string,
  frame: pl.DataFrame,
): { path: string; frame: pl.DataFrame }[] {
  const keys = (PARTITION_COLUMNS[table] ?? []).filter((k) => frame.columns.includes(k));
  if (keys.length === 0) return [{ path: partPath(dir, table, part), frame }];
  if (frame.height === 0) return [];
  // One folder (the common case: a run of one runtime) is told by each key's minimum and
  // maximum, a scan without hashing, and then the frame is written as it is, never copied.
  const single = oneValueEach(frame, keys);
  if (single) return [{ path: partPath(dir, table, part, single), frame }];
  const groups = frame.partitionBy(keys, true, true);
  return groups.map((group) => {
    const first = group.select(...keys.map((k) => pl.col(k).cast(pl.Utf8))).row(0);
    const values = Object.fromEntries(keys.map((k, i) => [k, first[i] as string | null]));
    return { path: partPath(dir, table, part, values), frame: group };
  });
}

/** The one value of each of `keys` in `frame` (null included), or null where one has several. */
function oneValueEach(
  frame: pl.DataFrame,
  keys: readonly string[],
): Record<string, string | null> | null {
  const stats = frame.select(
    ...keys.flatMap((k) => {
      const col = pl.col(k).cast(pl.Utf8);
      return [
        col.min().alias(`${k}:min`),
        col.max().alias(`${k}:max`),
        col.nullCount().alias(`${k}:nulls`),
      ];
    }),
  ).toRecords()[0];
  const values: Record<string, string | null> = {};
  for (const k of keys) {
    const nulls = Number(stats[`${k}:nulls`]);
    if (nulls === frame.height) values[k] = null;
    else if (nulls === 0 && stats[`${k}:min`] === stats[`${k}:max`]) {
      values[k] = stats[`${k}:min`] as string;
    } else return null;
  }
  return values;
}

/**
 * Renames each written file `from` into place as `to`, after checking that none of the `to` is
 * there (a part is never overwritten; on refusal no file is moved or removed), then fsyncs every
 * folder of the table that a file landed in. Returns the paths landed. Every file is written
 * before the first lands, so that a crash between the renames, the only step left, leaves as
 * few of a part's folders without their rows as can be.
 */
export async function landParts(
  dir: string,
  table: string,
  moves: { from: string; to: string }[],
): Promise<string[]> {
  for (const { to } of moves) {
    if (await Deno.lstat(to).then(() => true, () => false)) {
      throw new Error(`${to} is already there: a part is never overwritten`);
    }
  }
  for (const { from, to } of moves) await Deno.rename(from, to);
  const tableFolder = join(dir, table);
  const folders = new Set<string>();
  for (const { to } of moves) {
    for (let at = dirname(to); at.startsWith(tableFolder); at = dirname(at)) folders.add(at);
  }
  for (const folder of folders) await syncFolder(folder);
  return moves.map((m) => m.to);
}

/**
 * Moves a written Parquet file `tmp` (inside `dir`'s `table` folder) into place as part `part`:
 * into the partition folders of its rows' values, split into one file per folder where its
 * rows have several (the file is then removed), and dropped where it has no rows in a
 * partitioned table. A table without partition columns, or a file without them, stays flat.
 * For a part written where its rows are not in memory (a streaming write); returns the paths
 * written, as {@linkcode landParts}.
 */
export async function placePart(
  dir: string,
  table: string,
  part: string,
  tmp: string,
): Promise<string[]> {
  const columns = pl.scanParquet(tmp).columns;
  const keys = (PARTITION_COLUMNS[table] ?? []).filter((k) => columns.includes(k));
  const groups = keys.length === 0
    ? [{}]
    : (await pl.scanParquet(tmp).select(...keys.map((k) => pl.col(k).cast(pl.Utf8))).unique({
      maintainOrder: true,
    }).collect()).toRecords() as Record<string, string | null>[];
  const paths = groups.map((values) => partPath(dir, table, part, values));
  for (const path of paths) await Deno.mkdir(dirname(path), { recursive: true });
  if (groups.length === 1) return await landParts(dir, table, [{ from: tmp, to: paths[0] }]);
  const moves = paths.map((to) => ({ from: `${to}.tmp`, to }));
  try {
    for (const [i, values] of groups.entries()) {
      const match = keys.map((k) =>
        values[k] === null ? pl.col(k).isNull() : pl.col(k).cast(pl.Utf8).eq(pl.lit(values[k]))
      ).reduce((a, b) => a.and(b));
      const each = moves[i].from;
      await pl.scanParquet(tmp).filter(match).sinkParquet(each, { compression: "zstd" })
        .collect();
      using f = await Deno.open(each, { read: true });
      await f.sync();
    }
    await landParts(dir, table, moves);
  } catch (err) {
    for (const { from } of moves) await Deno.remove(from).catch(() => {});
    throw err;
  }
  await Deno.remove(tmp);
  return paths;
}

/**
 * Moves the flat parts of every partitioned table of dataset `dir` (an older whiskbench's
 * layout) into their partition folders, as a new write would place them: the bytes of a part
 * whose rows are of one folder are not touched (a rename); a part of several is split. Safe to
 * run again after an interruption: parts already in folders stay. Returns the parts moved.
 */
export async function relayoutDataset(dir: string): Promise<number> {
  let moved = 0;
  for (const [table, keys] of Object.entries(PARTITION_COLUMNS)) {
    if (keys.length === 0) continue;
    const folder = join(dir, table);
    for (const path of await partPaths(folder)) {
      if (dirname(path) !== folder) continue;
      await placePart(dir, table, basename(path, ".parquet"), path);
      moved++;
    }
  }
  return moved;
}
