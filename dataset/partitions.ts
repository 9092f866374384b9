/**
 * Reading and writing a table's parts in their partition folders (part_path.ts): the one
 * listing of a table's parts, flat or in folders; the check of a part's columns against its
 * folders; and the placement of a written part, split by folder where its rows need several.
 *
 * The partition columns stay in the files too, so that a reader that knows nothing of folders
 * (one part opened alone) still sees them; the engines then show one column with the folder's
 * value, which {@linkcode withPartitionColumns} makes sure is the file's.
 */
import pl from "nodejs-polars";
import { basename, dirname, join } from "node:path";
import { syncFolder } from "./store.ts";
import { PARTITION_COLUMNS, partitionFolder, partPath } from "./part_path.ts";
import { PART_SINK_OPTIONS } from "./part_compression.ts";

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
 * Whether a table folder holds flat parts and no partition folder: an older dataset's layout,
 * which a write keeps (a dataset in both layouts reads here, but not in DuckDB's
 * hive_partitioning). Stops at the first entry that tells.
 */
export async function isFlatTable(folder: string): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(folder)) {
      if (e.isDirectory && isPartitionFolder(e.name)) return false;
      if (e.name.endsWith(".parquet")) return true;
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return false;
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
 * there (a part is never overwritten; on refusal no file is moved or removed), and each again
 * just before its rename (two `to` that the file system takes for one file, as a case-blind one
 * does `runtime=Wasm` and `runtime=wasm`: refused at the second), then fsyncs every
 * folder of the table that a file landed in. Returns the paths landed. Every file is written
 * before the first lands, so that a crash between the renames, the only step left, leaves as
 * few of a part's folders without their rows as can be.
 */
export async function landParts(
  dir: string,
  table: string,
  moves: { from: string; to: string }[],
): Promise<string[]> {
  const there = (path: string) => Deno.lstat(path).then(() => true, () => false);
  for (const { to } of moves) {
    if (await there(to)) throw new Error(`${to} is already there: a part is never overwritten`);
  }
  for (const { from, to } of moves) {
    // Not there before, there now: an earlier move of this part landed on the same file, which
    // on a file system that ignores case (or folds Unicode forms) is what two runtimes named
    // `Wasm` and `wasm` do. Refused, or the second would replace the first's rows.
    if (await there(to)) {
      throw new Error(
        `${to} is already there, landed by another folder of this part: the file system takes ` +
          `two partition values for one (values differing in case only, on a file system that ` +
          `ignores case?); a part is never overwritten`,
      );
    }
    await Deno.rename(from, to);
  }
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
 * For a part written before its place was known (a flat part of an older layout); returns the paths
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
      await pl.scanParquet(tmp).filter(match).sinkParquet(each, PART_SINK_OPTIONS).collect();
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
