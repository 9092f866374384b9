/**
 * Every table of the pipeline, by file name: what `deno task tables` writes and the report
 * shows. One entry per table, each computed by its one definition.
 */
import pl from "nodejs-polars";
import type { Dataset } from "../dataset/mod.ts";
import { actionsTable } from "./actions_table.ts";
import { capacityRatios, capacityTable, resourceSeries } from "./capacity_table.ts";
import { collectionsTable, measuredCapacityIds } from "./collections_table.ts";
import {
  comparisonMoments,
  type ComparisonOptions,
  comparisonTable,
  slowdownTable,
} from "./comparison_table.ts";
import { durationTable, INIT_PHASES, RUN_PHASES } from "./durations_table.ts";
import { coldStartTable, warmLevels, warmTable } from "./latency_tables.ts";
import { levelSamples } from "./level_samples.ts";
import { percentilesTable } from "./percentiles_table.ts";
import { repetitionsTable } from "./repetitions_table.ts";

/** One output table: its file stem, a title, and the frame. */
export interface NamedTable {
  name: string;
  title: string;
  frame: pl.DataFrame;
}

/** Options of {@linkcode allTables}. */
export interface TablesOptions {
  /**
   * The levels every table covers: the per-level tables (cold start, warm) keep only these
   * rows and the comparison tables pool only these. Default: the per-level tables keep every
   * level of the data, the comparisons pool 1-15 (as the thesis's tables).
   */
  levels?: number[];
  /** Numerator and denominator runtimes of the slowdown ratio. Default docker over wasm. */
  slowdown?: { numerator?: string; denominator?: string };
}

/**
 * Splits `frame` by the distinct values of `by`, in sorted order, dropping the key columns;
 * rows keep their order. One pass (a filter per group made a dataset with thousands of
 * workloads take minutes); a group with a null key is empty, as comparing with null selects
 * nothing.
 */
function split(frame: pl.DataFrame, by: string[]): { keys: string[]; frame: pl.DataFrame }[] {
  if (frame.height === 0) return [];
  const groups = frame.select(...by).unique().sort(by).toRecords();
  const parts = new Map<string, pl.DataFrame>();
  for (const part of frame.partitionBy(by, true, true)) {
    const first = part.select(...by).head(1).toRecords()[0];
    parts.set(JSON.stringify(by.map((k) => first[k])), part.drop(by));
  }
  const empty = frame.head(0).drop(by);
  return groups.map((g) => {
    const values = by.map((k) => g[k]);
    const part = values.some((v) => v === null || v === undefined)
      ? empty
      : parts.get(JSON.stringify(values)) ?? empty;
    return { keys: by.map((k) => String(g[k])), frame: part };
  });
}

/**
 * Every table of a dataset as computed, by role: what {@linkcode allTables} names and files,
 * and what `verify` compares with the published cells. Computed once: on millions of rows the
 * tables cost seconds, so a caller that needs both takes this and passes it on.
 */
export interface ComputedTables {
  coldStart: pl.DataFrame;
  warm: pl.DataFrame;
  comparison: pl.DataFrame;
  comparisonThesis: pl.DataFrame;
  slowdown: pl.DataFrame;
  capacity: pl.DataFrame;
  capacityRatios: pl.DataFrame;
  resources: pl.DataFrame;
  initDurations: pl.DataFrame;
  runDurations: pl.DataFrame;
  actions: pl.DataFrame;
  /** The collections of a collected dataset and how each ended (empty for an ingested one). */
  collections: pl.DataFrame;
  /** p50, p90, p95, p99 with their intervals, per cell (level) of both latency experiments. */
  percentiles: pl.DataFrame;
  /** Per cell: whether the median's interval is within 5 %, and the runs needed if not. */
  repetitions: pl.DataFrame;
}

/**
 * Rows of activations whose tables are computed together ({@linkcode groupTables}): every row
 * of each of its cells (runtime and level of the cold-start experiment; runtime, workload and
 * level of the concurrency experiment), and, where `others` is true, every row of the other
 * experiments (capacity), whose tables are per runtime.
 */
export interface ActivationGroup {
  activations: pl.DataFrame;
  others: boolean;
}

/** The tables of one {@linkcode ActivationGroup}, to be merged by {@linkcode mergeTables}. */
export interface GroupTables {
  coldStart: pl.DataFrame;
  warm: pl.DataFrame;
  moments: pl.DataFrame;
  /** Per cell, as the latency samples of the group's cells give them (not kept: 8 bytes a row). */
  percentiles: pl.DataFrame;
  repetitions: pl.DataFrame;
  /** Capacity and collections: from the group with the other experiments only. */
  others: { capacity: pl.DataFrame; collections: pl.DataFrame } | null;
  /** No rows, the group's columns: for the tables of a dataset without a group of others. */
  empty: pl.DataFrame;
}

/**
 * The tables of one group of activation rows. The warm rows (most of a large dataset) are
 * grouped once, for the warm tables and the comparison's moments.
 */
export function groupTables(
  ds: Omit<Dataset, "activations">,
  { activations, others }: ActivationGroup,
  { levels }: TablesOptions = {},
): GroupTables {
  const warmByLevel = warmLevels(activations);
  const cells = levelSamples(activations, levels, warmByLevel);
  return {
    coldStart: coldStartTable(activations),
    warm: warmTable(activations, warmByLevel),
    moments: comparisonMoments(activations, warmByLevel),
    percentiles: percentilesTable(cells),
    repetitions: repetitionsTable(cells),
    others: others ? otherTables(ds, activations) : null,
    empty: activations.head(0),
  };
}

function otherTables(ds: Omit<Dataset, "activations">, activations: pl.DataFrame) {
  return {
    capacity: capacityTable(activations, ds.resources, { measured: measuredCapacityIds(ds.meta) }),
    collections: collectionsTable(ds.meta, activations),
  };
}

/**
 * Every table of a dataset from the tables of its groups ({@linkcode groupTables}), which
 * together hold every activation row once: the per-level rows concatenated in key order, the
 * comparisons from the merged moments.
 */
export function mergeTables(
  ds: Omit<Dataset, "activations">,
  groups: GroupTables[],
  options: TablesOptions = {},
): ComputedTables {
  if (groups.length === 0) throw new RangeError("mergeTables: no group of activations");
  const { levels } = options;
  const merged = (part: (g: GroupTables) => pl.DataFrame, keys: string[]) =>
    groups.length === 1 ? part(groups[0]) : pl.concat(groups.map(part)).sort(keys);
  const chosen = (perLevel: pl.DataFrame) =>
    levels === undefined ? perLevel : perLevel.filter(pl.col("level").isIn(levels));
  const moments = merged((g) => g.moments, [
    "experiment",
    "workload",
    "runtime",
    "level",
    "from_file",
  ]);
  const cmpOptions: ComparisonOptions = { levels };
  const empty = groups[0].empty;
  const comparison = comparisonTable(empty, cmpOptions, moments);
  const others = groups.find((g) => g.others)?.others ?? otherTables(ds, empty);
  const cellKeys = ["experiment", "workload", "runtime", "level"];
  return {
    coldStart: chosen(merged((g) => g.coldStart, ["runtime", "level"])),
    warm: chosen(merged((g) => g.warm, ["runtime", "workload", "level"])),
    comparison,
    comparisonThesis: comparisonTable(empty, { ...cmpOptions, mode: "thesis" }, moments),
    slowdown: slowdownTable(comparison, options.slowdown),
    capacity: others.capacity,
    capacityRatios: capacityRatios(others.capacity),
    resources: resourceSeries(ds.resources),
    initDurations: durationTable(ds.timings, INIT_PHASES),
    runDurations: durationTable(ds.timings, RUN_PHASES),
    actions: actionsTable(ds.meta),
    collections: others.collections,
    percentiles: merged((g) => g.percentiles, cellKeys),
    repetitions: merged((g) => g.repetitions, cellKeys),
  };
}

/**
 * Computes every table of `ds`, its activations as one group ({@linkcode mergeTables} of
 * {@linkcode groupTables}).
 */
export function computeTables(ds: Dataset, options: TablesOptions = {}): ComputedTables {
  const group = groupTables(ds, { activations: ds.activations, others: true }, options);
  return mergeTables(ds, [group], options);
}

/**
 * Most workloads of a runtime that get a warm table each; past it, one table holds them all
 * (`warm_<runtime>`, a workload column): a trace replayed by In-Vitro has thousands of
 * functions, and thousands of tables of a few rows serve no reader (and took minutes to write).
 */
export const MAX_WORKLOAD_TABLES = 24;

/**
 * The computed tables as files: `cold_start_<runtime>`, `warm_<runtime>_<workload>` (or
 * `warm_<runtime>` past {@linkcode MAX_WORKLOAD_TABLES} workloads),
 * `comparison`, `comparison_thesis_mode`, `slowdown`, `capacity`, `capacity_ratios`,
 * `resources`, `init_durations`, `run_durations`, `actions`, `collections`, `percentiles`,
 * `repetitions`. Tables with no
 * data behind them are left out.
 */
export function namedTables(t: ComputedTables): NamedTable[] {
  const out: NamedTable[] = [];
  for (const { keys: [rt], frame } of split(t.coldStart, ["runtime"])) {
    out.push({ name: `cold_start_${rt}`, title: `Cold-start latency per level, ${rt}`, frame });
  }
  for (const { keys: [rt], frame: warm } of split(t.warm, ["runtime"])) {
    const workloads = warm.getColumn("workload").nUnique();
    if (workloads > MAX_WORKLOAD_TABLES) {
      out.push({
        name: `warm_${rt}`,
        title: `Warm latency per workload and level, ${rt} (${workloads} workloads)`,
        frame: warm,
      });
      continue;
    }
    for (const { keys: [wl], frame } of split(warm, ["workload"])) {
      out.push({ name: `warm_${rt}_${wl}`, title: `Warm latency per level, ${rt}, ${wl}`, frame });
    }
  }
  const add = (name: string, title: string, frame: pl.DataFrame) => {
    if (frame.height > 0) out.push({ name, title, frame });
  };
  if (t.comparison.height > 0) {
    add("comparison", "Comparison, pooled over levels", t.comparison);
    add(
      "comparison_thesis_mode",
      "Comparison as the thesis computed it (level labels of 4_ files counted as samples, " +
        "every level read)",
      t.comparisonThesis,
    );
    add("slowdown", "Slowdown ratio", t.slowdown);
  }
  if (t.capacity.height > 0) {
    add("capacity", "Capacity and peak resources", t.capacity);
    add("capacity_ratios", "Capacity and resources, ratios", t.capacityRatios);
  }
  add("resources", "Resource samples, totals per sample", t.resources);
  add("init_durations", "Executor /init durations (µs)", t.initDurations);
  add("run_durations", "Executor /run durations (µs)", t.runDurations);
  add("actions", "Benchmark actions", t.actions);
  add("collections", "Collections and how each ended", t.collections);
  add("percentiles", "Tail percentiles per level with 95 % intervals", t.percentiles);
  add("repetitions", "Repetitions: is the median known within 5 %?", t.repetitions);
  return out;
}

/** Every table of a dataset, named as files ({@linkcode namedTables} of {@linkcode computeTables}). */
export function allTables(ds: Dataset, options: TablesOptions = {}): NamedTable[] {
  return namedTables(computeTables(ds, options));
}
