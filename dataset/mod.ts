/**
 * Reading and writing datasets (DESIGN.md, "The dataset contract"): the one module that
 * touches a dataset's files. A dataset is read as the union of its Parquet parts, so a
 * collector can flush part by part and a crash loses at most the part in flight.
 */
import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import { statfsSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  ACTIVATION_COLUMNS,
  emptyFrame,
  EVENT_COLUMNS,
  RESOURCE_COLUMNS,
  type Schema,
  TIMING_COLUMNS,
} from "./schema.ts";
import { readMeta, writeMetaFile } from "./store.ts";
import {
  anyBadRow,
  checkRows,
  checkUniqueIds,
  conformPart,
  idHashes,
  type PartIds,
} from "./part_checks.ts";
import { type IdHashStore, idHashStore } from "./id_hashes.ts";
import { releaseNativeMemory } from "./native_memory.ts";
import { partitionValues, partPath } from "./part_path.ts";
import {
  isFlatTable,
  landParts,
  partFrames,
  partPaths,
  withPartitionColumns,
} from "./partitions.ts";

export * from "./schema.ts";
export * from "./activation_row.ts";
export * from "./store.ts";
export { checkMeta } from "./meta_checks.ts";
export { type DuplicateId, findDuplicateId, type PartIds } from "./part_checks.ts";
export { PARTITION_COLUMNS, partPath, tableGlob } from "./part_path.ts";
export { partPaths } from "./partitions.ts";

/** The tables of a dataset, one folder of Parquet parts each. */
export const TABLES = {
  activations: ACTIVATION_COLUMNS,
  resources: RESOURCE_COLUMNS,
  timings: TIMING_COLUMNS,
  events: EVENT_COLUMNS,
} as const;

/** Name of one table of a dataset. */
export type TableName = keyof typeof TABLES;

/** A dataset in memory: its provenance and one frame per table. */
export interface Dataset {
  /** Contents of dataset.json. */
  meta: DatasetMeta;
  activations: pl.DataFrame;
  resources: pl.DataFrame;
  timings: pl.DataFrame;
  events: pl.DataFrame;
  /** Parts skipped because Parquet cannot decode them (absent where none was). */
  damaged?: DamagedPart[];
}

/** dataset.json: free-form provenance with a few known fields. */
export interface DatasetMeta {
  /** Where the data came from (for the thesis: its published repository). */
  source?: string;
  /** Table 1, 2 style metadata of the benchmark actions. */
  actions?: ActionInfo[];
  [key: string]: unknown;
}

/** Lines of code and size of one action's source (Tables 1, 2). */
export interface ActionInfo {
  runtime: string;
  file: string;
  action: string;
  lines_of_code: number;
  size_kb: number;
  type: string;
}

/**
 * Throws if two parts are byte for byte the same file: a copied part doubles every count, and
 * parts of samples have no activation id that would show it. Only parts of equal size are read.
 */
async function checkNoCopies(paths: string[]): Promise<void> {
  const bySize = new Map<number, string[]>();
  for (const path of paths) {
    const { size } = await Deno.stat(path);
    bySize.set(size, [...(bySize.get(size) ?? []), path]);
  }
  for (const same of bySize.values()) {
    if (same.length < 2) continue;
    const seen: { path: string; bytes: Uint8Array }[] = [];
    for (const path of same) {
      const bytes = await Deno.readFile(path);
      const copy = seen.find((s) => equalBytes(s.bytes, bytes));
      if (copy) {
        throw new Error(
          `Cannot read dataset part ${path}: a copy of ${copy.path} (the same bytes), which would count every row twice`,
        );
      }
      seen.push({ path, bytes });
    }
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** The columns of `table` read for `columns` (all of the contract's where none are named). */
export function readSchema(table: TableName, columns?: readonly string[]): Schema {
  const full: Schema = TABLES[table];
  // A column outside the contract (an allowed extra, such as a collected dataset's
  // `collection`) is read from the parts that have it, and absent where none has.
  return columns
    ? Object.fromEntries(columns.filter((c) => c in full).map((c) => [c, full[c]])) as Schema
    : full;
}

/** Options of {@linkcode forEachPart}. */
export interface PartOptions {
  /**
   * Release the native memory of the parts already handed over every this many rows
   * (native_memory.ts): for a caller that keeps only a digest of each part. Default never.
   */
  releaseEvery?: number;
  /**
   * Told each part that Parquet cannot decode, which is skipped (default: a warning on
   * stderr naming it).
   */
  onDamaged?: (part: string, error: string) => void;
}

/** The default of {@linkcode PartOptions.onDamaged}: a warning naming the part. */
export function warnDamaged(part: string, error: string): void {
  console.error(
    `warning: skipped damaged dataset part ${part}: not readable as Parquet (${error})`,
  );
}

/**
 * Reads the `*.parquet` parts of one table folder one at a time, flat or in partition folders
 * (partitions.ts), in file name order, and hands each to `take` checked against the schema
 * (part_checks.ts) and against the values of its folders, and conformed to it; activation ids
 * must be unique across all parts. With `columns`, only those are read (from each part that has
 * them; nulls where a part lacks one that is not required): the tables need 9 of the 19
 * activation columns, and the full `record` JSON is by far the largest.
 *
 * A part's type errors are thrown as it is read; the ids are kept as hashes (8 bytes a row),
 * and their check and the checks of the rows' values come after the last part, so the first
 * error is the one a read of the whole table at once would meet. A part with a bad row, and
 * every part after it, is not handed over.
 */
export async function forEachPart(
  dir: string,
  table: TableName,
  columns: readonly string[] | undefined,
  take: (frame: pl.DataFrame, part: string) => void | Promise<void>,
  { releaseEvery = Infinity, onDamaged = warnDamaged }: PartOptions = {},
): Promise<void> {
  const schema = readSchema(table, columns);
  const paths = await partPaths(join(dir, table));
  await checkNoCopies(paths);
  const hashes = idHashStore();
  let damaged = 0;
  const skip = (part: string, error: string) => {
    damaged++;
    onDamaged(part, error);
  };
  try {
    await readParts(paths, table, schema, columns, take, hashes, {
      releaseEvery,
      onDamaged: skip,
    }, dir);
  } finally {
    await hashes.close();
  }
  if (damaged > 0) {
    console.error(`warning: ${damaged} damaged part(s) of ${join(dir, table)} skipped`);
  }
}

/** The loop of {@linkcode forEachPart}, its ids' hashes in `hashes`. */
async function readParts(
  paths: string[],
  table: TableName,
  schema: Schema,
  columns: readonly string[] | undefined,
  take: (frame: pl.DataFrame, part: string) => void | Promise<void>,
  hashes: IdHashStore,
  { releaseEvery, onDamaged }: Required<PartOptions>,
  dir: string,
): Promise<void> {
  let rowError: Error | null = null;
  let unreleased = 0;
  for (const path of paths) {
    const fail = (cause: unknown) => {
      const message = cause instanceof Error ? cause.message : String(cause);
      return new Error(`Cannot read dataset part ${path}: ${message}`, { cause });
    };
    let frame: pl.DataFrame;
    // A part Parquet cannot decode (cut short by a power loss before parts were fsynced, or
    // not Parquet at all) is skipped, named and counted: the other parts stay readable. A
    // part that decodes but holds wrong values is an error, below.
    const damaged = (cause: unknown) =>
      onDamaged(path, cause instanceof Error ? cause.message : String(cause));
    let present: string[];
    try {
      present = pl.scanParquet(path).columns;
    } catch (cause) {
      damaged(cause);
      continue;
    }
    const keepIds = table === "activations" && present.includes("activation_id");
    const wanted = columns
      ? present.filter((c) => columns.includes(c) || (keepIds && c === "activation_id"))
      : undefined;
    let decoded: pl.DataFrame;
    try {
      decoded = pl.readParquet(path, wanted ? { columns: wanted } : {});
    } catch (cause) {
      damaged(cause);
      continue;
    }
    try {
      const raw = withPartitionColumns(decoded, partitionValues(join(dir, table), path), columns);
      frame = conformPart(raw, table, schema);
      if (keepIds) {
        await hashes.add(idHashes(path, frame.getColumn("activation_id")));
        if (!(columns?.includes("activation_id") ?? true)) frame = frame.drop("activation_id");
      }
      if (!rowError && anyBadRow(frame, table, schema)) {
        try {
          checkRows(frame, table, schema);
        } catch (cause) {
          rowError = fail(cause);
        }
      }
    } catch (cause) {
      throw fail(cause);
    }
    if (!rowError) await take(frame, path);
    unreleased += frame.height;
    if (unreleased >= releaseEvery) {
      unreleased = 0;
      await releaseNativeMemory();
    }
  }
  if (await hashes.repeat()) {
    // Only where two hashes are equal are the ids read again, to decide on their text.
    const ids: PartIds[] = hashes.parts.map((part) => ({
      part,
      ids: pl.readParquet(part, { columns: ["activation_id"] }).getColumn("activation_id"),
    }));
    try {
      checkUniqueIds(ids);
    } catch (cause) {
      throw new Error(`Cannot read dataset ${dir}: ${(cause as Error).message}`, { cause });
    }
  }
  if (rowError) throw rowError;
}

/**
 * Rows of one table of a dataset, all parts together, from the parts' Parquet metadata (a part
 * Parquet cannot decode counts none).
 */
export async function tableRows(dir: string, table: TableName): Promise<number> {
  let rows = 0;
  for (const path of await partPaths(join(dir, table))) {
    try {
      rows += Number(
        pl.scanParquet(path).select(pl.len().alias("n")).collectSync().getColumn("n")[0],
      );
    } catch {
      // A damaged part holds no rows that can be read; its reader skips it and says so.
    }
  }
  return rows;
}

/**
 * Reads every `*.parquet` part of one table folder as one frame, in file name order, each
 * checked and conformed as {@linkcode forEachPart} does; with `columns`, only those.
 */
export async function readTable(
  dir: string,
  table: TableName,
  columns?: readonly string[],
  { onDamaged = warnDamaged }: Pick<PartOptions, "onDamaged"> = {},
): Promise<pl.DataFrame> {
  const frames: pl.DataFrame[] = [];
  await forEachPart(dir, table, columns, (frame) => {
    frames.push(frame);
  }, { onDamaged });
  if (frames.length === 0) return emptyFrame(readSchema(table, columns));
  return frames.length === 1 ? frames[0] : pl.concat(frames, { how: "diagonal" });
}

/** Whether `path` exists (any other error than "not found" is thrown). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** Options of {@linkcode readDataset}. */
export interface ReadOptions {
  /** Read only these columns of `activations` (default all, extra columns included). */
  activationColumns?: readonly string[];
}

/** Reads a dataset folder: dataset.json and every table (missing tables are empty). */
export async function readDataset(dir: string, options: ReadOptions = {}): Promise<Dataset> {
  const meta = await readDatasetMeta(dir);
  const damaged: DamagedPart[] = [];
  const onDamaged = (part: string, error: string) => {
    warnDamaged(part, error);
    damaged.push({ part, error });
  };
  const activations = await readTable(dir, "activations", options.activationColumns, {
    onDamaged,
  });
  const ds: Dataset = { meta, activations, ...await readSmallTables(dir, onDamaged) };
  if (damaged.length > 0) ds.damaged = damaged;
  return ds;
}

/** A part skipped because Parquet cannot decode it. */
export interface DamagedPart {
  part: string;
  error: string;
}

/**
 * A dataset folder's dataset.json and every table but the activations, for a reader that
 * reads those in pieces (activation_pieces.ts).
 */
export async function readDatasetRest(dir: string): Promise<Omit<Dataset, "activations">> {
  const meta = await readDatasetMeta(dir);
  return { meta, ...await readSmallTables(dir) };
}

async function readDatasetMeta(dir: string): Promise<DatasetMeta> {
  const meta = await readMeta(dir);
  if (!meta) throw new Error(`Not a dataset: ${dir} has no dataset.json`);
  return meta;
}

async function readSmallTables(
  dir: string,
  onDamaged: (part: string, error: string) => void = warnDamaged,
) {
  return {
    resources: await readTable(dir, "resources", undefined, { onDamaged }),
    timings: await readTable(dir, "timings", undefined, { onDamaged }),
    events: await readTable(dir, "events", undefined, { onDamaged }),
  };
}

/**
 * Writes one Parquet part of a table, atomically (temporary name, fsync, then rename), so that
 * a reader never sees half a part, even after a power loss; in the partition folders of its
 * rows (partitions.ts), one file per folder, or flat where the table's parts are flat (an older
 * dataset written into again keeps its layout). Resolves to the paths written.
 */
export async function writePart(
  dir: string,
  table: TableName,
  part: string,
  frame: pl.DataFrame,
): Promise<string[]> {
  const folder = join(dir, table);
  let groups: { path: string; frame: pl.DataFrame }[];
  try {
    groups = partFrames(dir, table, part, frame);
    const flat = partPath(dir, table, part);
    if (groups.some((g) => g.path !== flat) && await isFlatTable(folder)) {
      groups = [{ path: flat, frame }];
    }
  } catch (cause) {
    throw new Error(`Cannot write ${partPath(dir, table, part)}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const moves: { from: string; to: string }[] = [];
  try {
    for (const group of groups) {
      await Deno.mkdir(dirname(group.path), { recursive: true });
      const tmp = `${group.path}.tmp`;
      moves.push({ from: tmp, to: group.path });
      await writeSynced(tmp, (at) => group.frame.writeParquet(at, { compression: "zstd" }));
    }
    return await landParts(dir, table, moves);
  } catch (err) {
    for (const { from } of moves) await Deno.remove(from).catch(() => {});
    const path = moves.at(-1)?.to ?? partPath(dir, table, part);
    throw new Error(`Cannot write ${path}: ${describeWriteError(err, folder)}`, { cause: err });
  }
}

/** Writes a file with `write(tmp)` and fsyncs it. */
async function writeSynced(tmp: string, write: (tmp: string) => unknown): Promise<void> {
  await write(tmp);
  using f = await Deno.open(tmp, { read: true });
  await f.sync();
}

/**
 * A write error in plain words. polars reports a full disk as "Invalid thrift: transport
 * error", so the file system's free space is asked too.
 */
function describeWriteError(err: unknown, folder: string): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/No space left|ENOSPC|os error 28/i.test(text)) return "no space left on device";
  try {
    const fs = statfsSync(folder);
    if (fs.bavail * fs.bsize < 1 << 20) {
      return `no space left on device (${fs.bavail * fs.bsize} bytes free; ${text})`;
    }
  } catch {
    // No statfs here: the error as it came.
  }
  return text;
}

/**
 * What a dataset folder holds besides dataset.json and its tables (published.json, notes):
 * what a re-ingest or re-import copies into the new dataset, so that it replaces the data and
 * nothing else. Empty where the folder does not exist.
 */
export async function notDatasetFiles(dir: string): Promise<string[]> {
  const owned = new Set(["dataset.json", ...Object.keys(TABLES)]);
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (!owned.has(e.name)) names.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}

/** Writes dataset.json (stable key order as given, two-space indent, final newline). */
export function writeMeta(dir: string, meta: DatasetMeta): Promise<void> {
  return writeMetaFile(dir, meta);
}
