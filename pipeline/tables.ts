/**
 * Every table of the pipeline, by file name: what `deno task tables` writes and the report
 * shows. One entry per table, each computed by its one definition.
 */
import pl from "nodejs-polars";
import type { Dataset } from "../dataset/mod.ts";
import { actionsTable } from "./actions_table.ts";
import { capacityRatios, capacityTable, resourceSeries } from "./capacity_table.ts";
import {
  comparisonMoments,
  type ComparisonOptions,
  comparisonTable,
  slowdownTable,
} from "./comparison_table.ts";
import { durationTable, INIT_PHASES, RUN_PHASES } from "./durations_table.ts";
import { coldStartTable, warmTable } from "./latency_tables.ts";

/** One output table: its file stem, a title, and the frame. */
export interface NamedTable {
  name: string;
  title: string;
  frame: pl.DataFrame;
}

/** Options of {@linkcode allTables}. */
export interface TablesOptions {
  /** Levels pooled by the comparison tables. Default 1-15. */
  levels?: number[];
  /** Numerator and denominator runtimes of the slowdown ratio. Default docker over wasm. */
  slowdown?: { numerator?: string; denominator?: string };
}

/** Splits `frame` by the distinct values of `by`, in sorted order, dropping the key columns. */
function split(frame: pl.DataFrame, by: string[]): { keys: string[]; frame: pl.DataFrame }[] {
  if (frame.height === 0) return [];
  const groups = frame.select(...by).unique().sort(by).toRecords();
  return groups.map((g) => {
    let f = frame;
    for (const k of by) f = f.filter(pl.col(k).eq(pl.lit(g[k] as string)));
    return { keys: by.map((k) => String(g[k])), frame: f.drop(by) };
  });
}

/**
 * Every table of a dataset: `cold_start_<runtime>`, `warm_<runtime>_<workload>`,
 * `comparison`, `comparison_thesis_mode`, `slowdown`, `capacity`, `capacity_ratios`,
 * `resources`, `init_durations`, `run_durations`, `actions`. Tables with no data behind them are left out.
 */
export function allTables(ds: Dataset, options: TablesOptions = {}): NamedTable[] {
  const out: NamedTable[] = [];
  for (const { keys: [rt], frame } of split(coldStartTable(ds.activations), ["runtime"])) {
    out.push({ name: `cold_start_${rt}`, title: `Cold-start latency per level, ${rt}`, frame });
  }
  for (
    const { keys: [rt, wl], frame } of split(warmTable(ds.activations), ["runtime", "workload"])
  ) {
    out.push({ name: `warm_${rt}_${wl}`, title: `Warm latency per level, ${rt}, ${wl}`, frame });
  }
  const cmpOptions: ComparisonOptions = { levels: options.levels };
  // One pass over the activations for both comparison tables.
  const moments = comparisonMoments(ds.activations);
  const comparison = comparisonTable(ds.activations, cmpOptions, moments);
  if (comparison.height > 0) {
    out.push({ name: "comparison", title: "Comparison, pooled over levels", frame: comparison });
    out.push({
      name: "comparison_thesis_mode",
      title: "Comparison as the thesis computed it (level labels of 4_ files counted as samples, " +
        "every level read)",
      frame: comparisonTable(ds.activations, { ...cmpOptions, mode: "thesis" }, moments),
    });
    const slowdown = slowdownTable(comparison, options.slowdown);
    if (slowdown.height > 0) {
      out.push({ name: "slowdown", title: "Slowdown ratio", frame: slowdown });
    }
  }
  const capacity = capacityTable(ds.activations, ds.resources);
  if (capacity.height > 0) {
    out.push({ name: "capacity", title: "Capacity and peak resources", frame: capacity });
    out.push({
      name: "capacity_ratios",
      title: "Capacity and resources, ratios",
      frame: capacityRatios(capacity),
    });
  }
  const series = resourceSeries(ds.resources);
  if (series.height > 0) {
    out.push({ name: "resources", title: "Resource samples, totals per sample", frame: series });
  }
  const init = durationTable(ds.timings, INIT_PHASES);
  if (init.height > 0) {
    out.push({ name: "init_durations", title: "Executor /init durations (µs)", frame: init });
  }
  const run = durationTable(ds.timings, RUN_PHASES);
  if (run.height > 0) {
    out.push({ name: "run_durations", title: "Executor /run durations (µs)", frame: run });
  }
  const actions = actionsTable(ds.meta);
  if (actions.height > 0) out.push({ name: "actions", title: "Benchmark actions", frame: actions });
  return out;
}
