/**
 * The collections of a collected dataset (dataset.json's `collections`), one row each: what it
 * measured and whether it completed. Tables pool the rows of every collection of a cell, so a
 * killed or stopped collection's rows are in them too; this table says which collections they
 * came from and how each ended. A capacity test measured its capacity only where it completed
 * with a final error; an interrupted one, or one with no failure up to its last level, gives
 * a lower bound, shown as `>= N`, never as the capacity.
 */
import pl from "nodejs-polars";
import type { DatasetMeta } from "../dataset/mod.ts";

type Entry = Record<string, unknown>;

const text = (v: unknown) => typeof v === "string" ? v : null;
const count = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : null;

/** The entries of `collections` in dataset.json (none for an ingested dataset). */
export function collectionEntries(meta: DatasetMeta): Entry[] {
  return Array.isArray(meta.collections)
    ? meta.collections.filter((c): c is Entry => typeof c === "object" && c !== null)
    : [];
}

/**
 * Ids of the capacity collections that measured a capacity (complete, ended by a final
 * error); null for a dataset without collections (ingested: every row counts).
 */
export function measuredCapacityIds(meta: DatasetMeta): string[] | null {
  const entries = collectionEntries(meta);
  if (entries.length === 0) return null;
  return entries
    .filter((c) => c.experiment === "capacity" && c.status === "complete" && c.final_error)
    .map((c) => String(c.id));
}

/**
 * The capacity a collection's rows show: `N` where it measured one, `>= N` for a lower bound
 * (the highest level whose invocations all succeeded, from `reached`), null otherwise.
 */
function capacityText(c: Entry, reached: Map<string, number>): string | null {
  if (c.experiment !== "capacity") return null;
  const level = reached.get(String(c.id)) ?? 0;
  const final = c.final_error as { level?: number } | undefined;
  if (c.status === "complete" && final) return String(level);
  return c.status === "complete" || c.status === "interrupted" ? `>= ${level}` : null;
}

/**
 * One row per collection: `collection` (id), `experiment`, `runtime`, `workload`, `status`
 * (complete, interrupted, stopped, failed, or running for one killed), `rows`, `errors`,
 * `capacity` (capacity tests: `N` or `>= N`), `stop_reason`.
 */
export function collectionsTable(meta: DatasetMeta, activations: pl.DataFrame): pl.DataFrame {
  const entries = collectionEntries(meta);
  const reached = new Map<string, number>();
  if (entries.length > 0 && activations.columns.includes("collection")) {
    const levels = activations
      .filter(
        pl.col("experiment").eq(pl.lit("capacity")).and(pl.col("source").eq(pl.lit("record")))
          .and(pl.col("success").isNull().or(pl.col("success").eq(pl.lit(true)))),
      )
      .groupBy("collection")
      .agg(pl.col("level").max().alias("level"))
      .toRecords();
    for (const r of levels) reached.set(String(r.collection), Number(r.level));
  }
  const column = <T>(name: string, f: (c: Entry) => T, type: pl.DataType) =>
    pl.Series(name, entries.map(f), type);
  const counts = (c: Entry) => (c.counts ?? {}) as Record<string, unknown>;
  return pl.DataFrame([
    column("collection", (c) => text(c.id), pl.Utf8),
    column("experiment", (c) => text(c.experiment), pl.Utf8),
    column("runtime", (c) => text(c.runtime), pl.Utf8),
    column("workload", (c) => text(c.workload), pl.Utf8),
    column("status", (c) => text(c.status), pl.Utf8),
    column("rows", (c) => count(counts(c).rows), pl.Int64),
    column("errors", (c) => count(counts(c).errors), pl.Int64),
    column("capacity", (c) => capacityText(c, reached), pl.Utf8),
    column("stop_reason", (c) => text(c.stop_reason), pl.Utf8),
  ]);
}
