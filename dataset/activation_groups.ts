/**
 * Activation rows kept apart by the partition folder each lands in (`experiment=`,
 * `runtime=`), for sources whose rows of one part go to several folders: imported activation
 * records, whose experiment is told by the initTime and runtime by the kind. Written
 * together, such a part is written once, read back and written again per folder
 * (partitions.ts's placePart), which cost the record importers as much time as reading the
 * records; written a group a file, each is sunk into its folder and lands by a rename.
 */
import pl from "nodejs-polars";
import type { RecordContext } from "./activation_row.ts";
import { ActivationRows, type TsvPartWriter } from "./activation_bytes.ts";
import { NUMBER, RecordReader, STRING } from "./_record_reader.ts";
import type { ActivationRow } from "./schema.ts";
import { writePart } from "./mod.ts";
import { partitionFolder } from "./part_path.ts";

/**
 * The partition folder (experiment and runtime) of a row, told from whether it has an init
 * time and from its kind (null where it has none). It must be the folder of the columns that
 * the writer's `complete` gives the row: the part is written there without reading them back
 * (a part whose rows are not its folder's is refused when read).
 */
export type FolderOf = (
  cold: boolean,
  kind: string | null,
) => { experiment: string; runtime: string };

/**
 * Turns the rows of a part, of the columns `columns`, into the part's columns (the importers'
 * extra columns), in the same run. The columns are given because a lazy TSV scan's own
 * (`rows.columns`) cost polars about 2 ms each time it was asked.
 */
export type CompleteRows = (
  rows: pl.LazyDataFrame,
  columns: readonly string[],
) => pl.LazyDataFrame;

/**
 * {@linkcode ActivationRows} of one context, a builder per partition folder that `folderOf`
 * gives, in the order of each folder's first row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GroupedActivationRows } from "./activation_groups.ts";
 * const rows = new GroupedActivationRows(
 *   { experiment: "record", workload: "record", runtime: "record" },
 *   (cold) => ({ experiment: cold ? "cold_start" : "concurrency", runtime: "nodejs:20" }),
 * );
 * const rec = (id: string, ann: string) =>
 *   new TextEncoder().encode(`{"activationId":"${id}","annotations":[${ann}]}`);
 * for (const [id, ann] of [["a", '{"key":"waitTime","value":5}'], ["b", '{"key":"initTime","value":9},{"key":"waitTime","value":1}'], ["c", '{"key":"waitTime","value":2}']]) {
 *   assert.ok(rows.record(rec(id, ann), 0) > 0);
 * }
 * assert.equal(rows.length, 3);
 * ```
 */
export class GroupedActivationRows {
  /** Rows so far, of every group. */
  length = 0;
  readonly #context: Pick<RecordContext, "experiment" | "workload" | "runtime">;
  readonly #folderOf: FolderOf;
  readonly #reader: RecordReader;
  /** By folder (its values joined): the folder and its rows. */
  readonly #groups = new Map<
    string,
    { folder: { experiment: string; runtime: string }; rows: ActivationRows }
  >();
  /** The last kind's bytes and string, so that a run of one kind decodes it once. */
  #kindBytes = new Uint8Array(0);
  #kind: string | null = null;
  /** By warmth (warm, cold): the kind and group of the last such record read. */
  readonly #last: ({ kind: string | null; rows: ActivationRows } | null)[] = [null, null];

  readonly #limitsMemory: boolean;

  /** `limitsMemory`: as {@linkcode ActivationRows}' option (default false). */
  constructor(
    context: Pick<RecordContext, "experiment" | "workload" | "runtime">,
    folderOf: FolderOf,
    { limitsMemory = false }: { limitsMemory?: boolean } = {},
  ) {
    this.#context = context;
    this.#folderOf = folderOf;
    this.#limitsMemory = limitsMemory;
    this.#reader = new RecordReader({ limits: limitsMemory });
  }

  #group(cold: boolean, kind: string | null): ActivationRows {
    const folder = this.#folderOf(cold, kind);
    const key = `${folder.experiment}\0${folder.runtime}`;
    let group = this.#groups.get(key);
    if (!group) {
      // A value no folder can be named by (too long, empty) is refused at its first row.
      partitionFolder("experiment", folder.experiment);
      partitionFolder("runtime", folder.runtime);
      const rows = new ActivationRows(this.#context, {
        reader: this.#reader,
        limitsMemory: this.#limitsMemory,
      });
      group = { folder: { ...folder }, rows };
      this.#groups.set(key, group);
    }
    return group.rows;
  }

  /** The kind of the record just read: a plain string's text (no decoding), else null. */
  #readKind(buf: Uint8Array): string | null {
    const f = this.#reader.kind;
    if (f.start < 0 || f.kind !== STRING) return null;
    const from = f.start + 1, n = f.end - 1 - from, last = this.#kindBytes;
    let same = n === last.length;
    for (let k = 0; same && k < n; k++) same = buf[from + k] === last[k];
    if (!same) {
      this.#kindBytes = buf.slice(from, from + n);
      this.#kind = String.fromCharCode(...this.#kindBytes); // plain: printable ASCII
    }
    return this.#kind;
  }

  /**
   * Reads the activation record whose `{` is at `p` of `buf` and appends its row to its
   * group; returns the index after the record, or -1 (nothing appended) if the fast path
   * cannot take it, as {@linkcode ActivationRows.record}.
   */
  record(buf: Uint8Array, p: number): number {
    const r = this.#reader;
    const end = r.read(buf, p);
    if (end < 0) return -1;
    // The row's init_ms is the initTime where it is a number (the fast path declines others).
    const cold = r.init.start >= 0 && r.init.kind === NUMBER;
    const kind = this.#readKind(buf);
    // The group of the last record of this warmth and kind, without making its key again.
    const last = this.#last[cold ? 1 : 0];
    let rows: ActivationRows;
    if (last !== null && last.kind === kind) rows = last.rows;
    else {
      rows = this.#group(cold, kind);
      this.#last[cold ? 1 : 0] = { kind, rows };
    }
    rows.begin(null, null);
    if (rows.append(buf, p, end) < 0) return -1;
    rows.commit();
    this.length++;
    return end;
  }

  /** Appends a row built by activationRow to its group. */
  push(row: ActivationRow): void {
    const rows = this.#group(row.init_ms !== null, row.kind);
    rows.begin(null, null);
    rows.push(row);
    rows.commit();
    this.length++;
  }

  /**
   * Writes the rows as Parquet part `part` of `dir`'s activations and clears the builder, as
   * {@linkcode ActivationRows.writePart}: a file a folder through `writer`, sunk into that
   * folder, where they are all TSV, else here (split by the rows' own columns).
   */
  async writePart(
    dir: string,
    part: string,
    writer: TsvPartWriter,
    complete: CompleteRows,
  ): Promise<void> {
    const groups = [...this.#groups.values()].filter(({ rows }) => rows.length > 0);
    this.length = 0;
    if (groups.length === 0) return;
    if (groups.every(({ rows }) => rows.allTsv)) {
      const pieces = groups.map(({ rows }) => rows.tsvPieces()!);
      const columns = groups[0].rows.tsvSchema, names = Object.keys(columns);
      await writer.writeGroups(dir, part, pieces, {
        columns,
        complete: (rows) => complete(rows, names),
      }, groups.map(({ folder }) => folder));
      return;
    }
    // Some rows are objects: all as one frame, split by folder in memory (partFrames).
    const frames = groups.map(({ rows }) => rows.toFrame());
    const frame = frames.length === 1 ? frames[0] : pl.concat(frames, { how: "vertical" });
    await writePart(dir, "activations", part, complete(frame.lazy(), frame.columns).collectSync());
  }
}
