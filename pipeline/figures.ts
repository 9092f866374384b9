/**
 * Every figure of the thesis (Figures 5-9, 11, 13-15, 17, 19, 21, 23, 25, 27, 29, 31-34) as a
 * plain Plotly figure object, built from the pipeline's tables and rows.
 *
 * Figures are specs, not pictures: JSON-serialisable objects with no functions and no
 * plotly.js import, so that the report, a notebook or any Plotly binding renders them, and
 * the same data always gives the same JSON. Defining them here, once, keeps every renderer
 * showing the same numbers as the tables.
 */
import pl from "nodejs-polars";
import type { Dataset } from "../dataset/mod.ts";
import {
  axis,
  baseLayout,
  boxTrace,
  knownFirst,
  maxAnnotation,
  meanTrace,
  outlierTrace,
  PHASE_COLORS,
  runtimeColor,
  runtimeLabel,
  sixDigits,
  workloadLabel,
} from "./_figure_style.ts";
import {
  COLD_BOX_FIGURES,
  DURATION_FIGURES,
  THESIS_RESOURCE_LABELS,
  THESIS_RUNTIMES,
  THESIS_WORKLOADS,
  thesisId,
  WARM_BOX_FIGURES,
} from "./thesis_facts.ts";
import { type BoxStats, boxStats, boxStatsBy } from "./box_stats.ts";
import { resourceFigure, thesisModeResourceFigure } from "./resource_figure.ts";
import { resourceSeries } from "./capacity_table.ts";
import { levelRange } from "./levels.ts";
import { durationTable, INIT_PHASES, RUN_PHASES } from "./durations_table.ts";
import { coldStartRows, warmRows } from "./latency_rows.ts";

/** One figure: a stable id, a short title, and the Plotly figure object. */
export interface FigureSpec {
  /** `figure_05` ... `figure_34` for the thesis's figures, else a descriptive id. */
  id: string;
  /** Short title, also the figure's layout title. */
  title: string;
  /** What differs from the thesis's figure and why, where something does. */
  note?: string;
  /** What the figure shows and its key numbers, in words: its text alternative. */
  description?: string;
  /** Plotly figure: traces and layout, plain JSON. */
  figure: { data: unknown[]; layout: Record<string, unknown> };
}

/** Which latency a box plot shows: cold start (waitTime + initTime) or warm (waitTime). */
export type LatencyKind = "cold_start" | "warm";

/** Options of {@linkcode latencyBoxFigure}. */
export interface LatencyBoxOptions {
  /** Runtime plotted (rows of other runtimes are ignored). */
  runtime: string;
  /** Workload plotted (rows of other workloads are ignored). */
  workload: string;
  /** `"cold_start"` for rows of `coldStartRows`, `"warm"` for rows of `warmRows`. */
  kind: LatencyKind;
  /** Levels plotted, where they have data. Default 1-15, as the thesis. */
  levels?: number[];
  /**
   * The boxes' numbers, where the caller computed them for many figures at once
   * ({@linkcode boxStatsBy}); default: computed here from `rows`.
   */
  stats?: BoxStats[];
}

const Y_TITLES: Record<LatencyKind, string> = {
  cold_start: "Cold-start latency (ms) = waitTime + initTime",
  warm: "Warm latency (ms) = waitTime",
};

/** Id of a box plot: the thesis's number where it has one, else `box_<experiment>_<rt>_<wl>`. */
export function boxFigureId(kind: LatencyKind, runtime: string, workload: string): string {
  const n = kind === "cold_start"
    ? (workload === "hello" ? (COLD_BOX_FIGURES as Record<string, number>)[runtime] : undefined)
    : (WARM_BOX_FIGURES[workload] as Record<string, number> | undefined)?.[runtime];
  const experiment = kind === "cold_start" ? "cold_start" : "concurrency";
  return n === undefined ? `box_${experiment}_${runtime}_${workload}` : thesisId(n);
}

/** "levels 1-5" for a run of consecutive levels, else "levels 1, 2, 4". */
function levelsLabel(levels: number[]): string {
  const sorted = [...levels].sort((a, b) => a - b);
  const run = sorted.every((v, i) => i === 0 || v === sorted[i - 1] + 1);
  return run && sorted.length > 1
    ? `levels ${sorted[0]}-${sorted.at(-1)}`
    : `level${sorted.length === 1 ? "" : "s"} ${sorted.join(", ")}`;
}

/**
 * Box plot of latency per concurrency level for one runtime and workload (Figures 5-9, 11,
 * 13-15, 17, 19, 21, 23, 25, 27, 29): one box per level with R's quartiles and 1.5 IQR
 * whiskers (`boxStats`), the distinct outliers, the means as red squares and each level's
 * maximum written above its box.
 *
 * @example
 * ```ts
 * import pl from "nodejs-polars";
 * import { latencyBoxFigure } from "./figures.ts";
 * const rows = pl.DataFrame({
 *   runtime: ["wasm", "wasm"],
 *   workload: ["hash", "hash"],
 *   level: [1, 1],
 *   latency_ms: [2, 4],
 * });
 * const spec = latencyBoxFigure(rows, { runtime: "wasm", workload: "hash", kind: "warm" });
 * spec.id; // "figure_11"
 * ```
 */
export function latencyBoxFigure(
  rows: pl.DataFrame,
  { runtime, workload, kind, levels = levelRange(15), stats }: LatencyBoxOptions,
): FigureSpec {
  const summaries = stats ?? boxStats(rows.filter(
    pl.col("runtime").eq(pl.lit(runtime))
      .and(pl.col("workload").eq(pl.lit(workload)))
      .and(pl.col("level").isIn(levels)),
  ));
  const color = runtimeColor(runtime);
  const shown = levels.join() === levelRange(15).join() ? "" : `, ${levelsLabel(levels)}`;
  const title = kind === "cold_start"
    ? `Cold-start latency per level, ${runtimeLabel(runtime)}${shown}`
    : `Warm latency per level, ${runtimeLabel(runtime)}, ${workloadLabel(workload)}${shown}`;
  const boxes = summaries.map((s) => boxTrace(s, color));
  const layout = {
    ...baseLayout(title),
    boxmode: "overlay",
    xaxis: axis("Concurrent activations", {
      type: "linear",
      tickmode: "linear",
      dtick: 1,
      ...(summaries.length === 0
        ? {}
        : { range: [summaries[0].level - 0.5, summaries.at(-1)!.level + 0.5] }),
    }),
    yaxis: axis(Y_TITLES[kind]),
    annotations: summaries.map(maxAnnotation),
  };
  const data = summaries.length === 0
    ? []
    : [...boxes, outlierTrace(summaries, color), meanTrace(summaries)];
  const unit = kind === "cold_start" ? "cold-start latency" : "warm latency";
  const top = summaries.reduce((a, b) => (b.max > a.max ? b : a), summaries[0]);
  const description = summaries.length === 0 ? undefined : `Box plot of ${unit} in ms per ` +
    `concurrency level, levels ${summaries[0].level} to ${summaries.at(-1)!.level}: the median ` +
    `goes from ${sixDigits(summaries[0].median)} ms at level ${summaries[0].level} to ` +
    `${sixDigits(summaries.at(-1)!.median)} ms at level ${summaries.at(-1)!.level}, the mean ` +
    `from ${sixDigits(summaries[0].mean)} to ${sixDigits(summaries.at(-1)!.mean)} ms; the ` +
    `highest latency is ${sixDigits(top.max)} ms, at level ${top.level}.`;
  return {
    id: boxFigureId(kind, runtime, workload),
    title,
    ...(description ? { description } : {}),
    figure: { data, layout },
  };
}

/**
 * Mean executor duration per action, the phases' bars side by side (Figures 33, 34: the
 * thesis's plotting script dodges them, `position_dodge`), from
 * a `durationTable`; bars are labelled by action, and by runtime too where there are several.
 */
export function durationFigure(table: pl.DataFrame, phases: string[], id: string): FigureSpec {
  const rows = table.toRecords() as {
    runtime: string;
    action: string;
    phase: string;
    mean: number;
  }[];
  const runtimes = knownFirst(rows.map((r) => r.runtime), THESIS_RUNTIMES);
  const bars = runtimes.flatMap((runtime) =>
    knownFirst(rows.filter((r) => r.runtime === runtime).map((r) => r.action), [])
      .map((action) => ({ runtime, action }))
  );
  const label = ({ runtime, action }: { runtime: string; action: string }) =>
    runtimes.length > 1 ? `${action} (${runtimeLabel(runtime)})` : action;
  const data = phases
    .filter((phase) => rows.some((r) => r.phase === phase))
    .map((phase, i) => ({
      type: "bar",
      name: phase,
      x: bars.map(label),
      y: bars.map((b) =>
        rows.find((r) => r.runtime === b.runtime && r.action === b.action && r.phase === phase)
          ?.mean ?? null
      ),
      marker: { color: PHASE_COLORS[i % PHASE_COLORS.length] },
    }));
  const title = `Mean executor duration per action, ${phases.join(" and ")}`;
  const layout = {
    ...baseLayout(title),
    barmode: "group",
    xaxis: axis("Action"),
    yaxis: axis("Mean duration (µs)"),
  };
  const description = data.length === 0 ? undefined : `Bar chart of the mean duration in µs ` +
    `per action, one bar per phase: ${
      data.map((t) =>
        `${t.name} ${
          t.x.map((label, i) => `${label} ${t.y[i] === null ? "none" : sixDigits(t.y[i])}`).join(
            ", ",
          )
        }`
      ).join("; ")
    }.`;
  return { id, title, ...(description ? { description } : {}), figure: { data, layout } };
}

export { resourceFigure, thesisModeResourceFigure } from "./resource_figure.ts";
export type { ResourceFigureOptions } from "./resource_figure.ts";

/** Distinct runtime, workload pairs of latency rows: workloads in thesis order, then runtimes. */
function pairs(rows: pl.DataFrame): [string, string][] {
  const keys = rows.select("runtime", "workload").dropNulls().unique().toRecords() as {
    runtime: string;
    workload: string;
  }[];
  const workloads = knownFirst(keys.map((k) => k.workload), THESIS_WORKLOADS);
  return workloads.flatMap((wl) => {
    const rts = keys.filter((k) => k.workload === wl).map((k) => k.runtime);
    return knownFirst(rts, THESIS_RUNTIMES).map((rt): [string, string] => [rt, wl]);
  });
}

/** How the thesis's Figure 34 differs from the one its published runs give. */
export const THESIS_FIGURE_34_NOTE = "The thesis's Figure 34 plots the means Table 19 prints, " +
  "typed into its plotting script (Durations_create_function.R): for hello 172 and 177.8 µs, " +
  "where the ten runs published in function_times.log give 182.0 and 197.8 µs, the means " +
  "plotted here. Every other bar is the same in both.";

/**
 * The caption of a figure: "Figure 31: " and its title for the thesis's figures (and the
 * views of them), its title alone for others.
 */
export function figureCaption(f: FigureSpec): string {
  const n = /^figure_(\d+)(_thesis)?$/.exec(f.id);
  return n ? `Figure ${Number(n[1])}: ${f.title}` : f.title;
}

/** Options of {@linkcode thesisFigures}. */
export interface ThesisFiguresOptions {
  /** Levels of the box plots. Default 1-15, as the thesis. */
  levels?: number[];
}

/**
 * Every figure of a dataset with data behind it, in thesis order: cold-start and warm box
 * plots, resource plots per runtime (each followed, where its samples come from a log in the
 * thesis's summed format, by the view the thesis's own processing makes of it), executor
 * durations. The thesis's runtimes and workloads get its figure ids (`figure_05` ...
 * `figure_34`); others get descriptive ids. On the thesis's own data (dataset name
 * `thesis`), that view labels the observations the thesis labels.
 */
export function thesisFigures(ds: Dataset, { levels }: ThesisFiguresOptions = {}): FigureSpec[] {
  const out: FigureSpec[] = [];
  const box = (rows: pl.DataFrame, kind: LatencyKind) => {
    // Every figure's boxes in one query: a query per figure made a report of a dataset with
    // thousands of workloads take minutes.
    const shown = rows.filter(pl.col("level").isIn(levels ?? levelRange(15)));
    const all = boxStatsBy(shown, ["runtime", "workload"]);
    for (const [runtime, workload] of pairs(rows)) {
      const stats = all.get(JSON.stringify([runtime, workload])) ?? [];
      out.push(latencyBoxFigure(rows, { runtime, workload, kind, levels, stats }));
    }
  };
  box(coldStartRows(ds.activations), "cold_start");
  box(warmRows(ds.activations), "warm");
  const series = resourceSeries(ds.resources);
  const names = series.getColumn("runtime").dropNulls().toArray() as string[];
  const runtimes = knownFirst(names, THESIS_RUNTIMES);
  const summed = ds.resources
    .filter(pl.col("target").eq(pl.lit("*")).and(pl.col("experiment").eq(pl.lit("capacity"))))
    .getColumn("runtime").unique().toArray() as string[];
  const thesisData = ds.meta.name === "thesis";
  for (const runtime of runtimes) {
    out.push(resourceFigure(series, runtime));
    if (!summed.includes(runtime)) continue;
    const labels = thesisData ? THESIS_RESOURCE_LABELS[runtime] : undefined;
    out.push(thesisModeResourceFigure(series, runtime, { labels }));
  }
  out.push(
    durationFigure(
      durationTable(ds.timings, INIT_PHASES),
      INIT_PHASES,
      thesisId(DURATION_FIGURES.init),
    ),
  );
  const run = durationFigure(
    durationTable(ds.timings, RUN_PHASES),
    RUN_PHASES,
    thesisId(DURATION_FIGURES.run),
  );
  out.push(thesisData ? { ...run, note: THESIS_FIGURE_34_NOTE } : run);
  return out.filter((f) => f.figure.data.length > 0);
}
