/**
 * The resource figures (Figures 31, 32): CPU % and memory per observation of the capacity
 * test, and Figure 31 as the thesis's own processing drew it, kept apart from the latency and
 * duration figures of `figures.ts`.
 */
import pl from "nodejs-polars";
import {
  axis,
  baseLayout,
  knownFirst,
  lineTrace,
  runtimeColor,
  runtimeLabel,
  sixDigits,
  valueLabel,
} from "./_figure_style.ts";
import { RESOURCE_FIGURES, thesisId } from "./thesis_facts.ts";
import type { FigureSpec } from "./figures.ts";

/** Options of {@linkcode resourceFigure}. */
export interface ResourceFigureOptions {
  /**
   * Samples whose value is written beside the line, per panel. Default: each panel's
   * maximum, as the thesis labels Figure 32 (the peaks Table 17 reports).
   */
  labels?: { cpu: number[]; mem: number[] };
  /** Figure id. Default `figure_31`/`figure_32` for Docker/Wasm, else `resources_<runtime>`. */
  id?: string;
  /** Said after the runtime in the title. Default nothing. */
  variant?: string;
  /** What differs from the thesis's figure and why, shown with the figure. */
  note?: string;
}

/**
 * CPU % (left panel) and memory in MiB (right panel) per observation of one runtime
 * (Figures 31, 32), from the per-sample totals of `resourceSeries`, with chosen samples'
 * values written beside the line (six significant digits, as the thesis's logs and labels
 * print them).
 */
export function resourceFigure(
  series: pl.DataFrame,
  runtime: string,
  { labels, id, variant, note }: ResourceFigureOptions = {},
): FigureSpec {
  const rows = series.filter(pl.col("runtime").eq(pl.lit(runtime))).sort(["sampler", "sample"]);
  const samplers = knownFirst(rows.getColumn("sampler").dropNulls().toArray() as string[], []);
  const color = runtimeColor(runtime);
  const panels = [["cpu_pct", "x", "y", "cpu"], ["mem_mib", "x2", "y2", "mem"]] as const;
  const data = samplers.flatMap((sampler) => {
    const part = rows.filter(pl.col("sampler").eq(pl.lit(sampler)));
    const x = part.getColumn("sample").toArray();
    return panels.map(([column, xa, ya]) =>
      lineTrace(
        `${column === "cpu_pct" ? "CPU" : "Memory"}, ${sampler}`,
        x,
        part.getColumn(column).toArray(),
        [xa, ya],
        color,
      )
    );
  });
  const annotations = samplers.length === 1
    ? panels.flatMap(([column, xa, ya, key]) => {
      const x = rows.getColumn("sample").toArray() as number[];
      const y = rows.getColumn(column).toArray() as number[];
      const chosen = labels?.[key] ?? [x[y.indexOf(Math.max(...y))]];
      return chosen.filter((sample) => x.includes(sample)).map((sample) =>
        valueLabel(y, x.indexOf(sample), sample, [xa, ya])
      );
    })
    : [];
  const title = `CPU and memory per observation, ${runtimeLabel(runtime)}${
    variant ? `, ${variant}` : ""
  }`;
  const layout = {
    ...baseLayout(title),
    showlegend: samplers.length > 1,
    xaxis: axis("Observation", { domain: [0, 0.45], anchor: "y" }),
    yaxis: axis("CPU (%)", { anchor: "x" }),
    xaxis2: axis("Observation", { domain: [0.55, 1], anchor: "y2" }),
    yaxis2: axis("Memory (MiB)", { anchor: "x2" }),
    annotations,
  };
  const n = (RESOURCE_FIGURES as Record<string, number>)[runtime];
  const figureId = id ?? (n === undefined ? `resources_${runtime}` : thesisId(n));
  const x = rows.getColumn("sample").toArray() as number[];
  const peak = (column: string, unit: string) => {
    const y = rows.getColumn(column).toArray() as number[];
    const max = Math.max(...y.filter((v) => v !== null));
    return `${unit === "%" ? "CPU" : "memory"} peaks at ${sixDigits(max)} ${unit} ` +
      `(observation ${x[y.indexOf(max)]})`;
  };
  const description = rows.height === 0 ? undefined : `Two line charts over ` +
    `${new Set(x).size} observations of the capacity test: CPU in % (left) and memory in MiB ` +
    `(right); ${peak("cpu_pct", "%")}, ${peak("mem_mib", "MiB")}.`;
  return {
    id: figureId,
    title,
    ...(note ? { note } : {}),
    ...(description ? { description } : {}),
    figure: { data, layout },
  };
}

/**
 * Figure 31 as the thesis drew it, from a log already summed over containers (the thesis's
 * `docker_res.log` format, rows with target `*`): its script reads that log with R's
 * `read.table(header = TRUE)`, as it reads `wasm_res.log`, but `docker_res.log` has no header
 * line, so its first sample became column names and the plot starts at the second sample,
 * one observation short. Same series, first sample dropped, observations renumbered from 1.
 */
export function thesisModeResourceFigure(
  series: pl.DataFrame,
  runtime: string,
  { labels }: Pick<ResourceFigureOptions, "labels"> = {},
): FigureSpec {
  const rows = series.filter(pl.col("runtime").eq(pl.lit(runtime))).sort("sample");
  const first = rows.head(1).toRecords()[0] as { cpu_pct: number; mem_mib: number };
  const shown = rows.tail(rows.height - 1).withColumns(pl.col("sample").minus(1).alias("sample"));
  const base = resourceFigure(series, runtime);
  const note = `As the thesis plots it: ${shown.height} observations, not ${rows.height}. ` +
    "The thesis's plot_resources.R reads docker_res.log with read.table(header = TRUE), as it " +
    "reads wasm_res.log, which has a header line; docker_res.log has none, so its first " +
    `sample (CPU ${sixDigits(first.cpu_pct)} %, memory ${sixDigits(first.mem_mib)} MiB) ` +
    "became the column names and every later sample moved up one observation. " +
    (labels ? "Values are labelled where the thesis's script labels them. " : "") +
    `${base.id} plots every sample.`;
  return resourceFigure(shown, runtime, {
    labels,
    id: `${base.id}_thesis`,
    variant: "as the thesis plots it",
    note,
  });
}
