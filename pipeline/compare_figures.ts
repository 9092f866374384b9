/**
 * The figures of a comparison of two runs, as Plotly specs like every other figure: the
 * latency distributions of NEW over BASE (ECDFs), each run's slowdown ratios with their
 * intervals in one forest plot, and NEW's per-level medians with their intervals over BASE's.
 * Built from the compare and slowdown frames and the latency cells, so the pictures show the
 * same numbers as compare.csv and slowdown.csv.
 */
import type pl from "nodejs-polars";
import {
  axis,
  baseLayout,
  knownFirst,
  PHASE_COLORS,
  runtimeColor,
  runtimeLabel,
  withAlpha,
  workloadLabel,
} from "./_figure_style.ts";
import { THESIS_RUNTIMES, THESIS_WORKLOADS } from "./thesis_facts.ts";
import type { FigureSpec } from "./figures.ts";
import { cellKey, commonLevels, type LatencyCells, type LatencyGroup } from "./latency_cells.ts";

/** At most this many points a curve: an ECDF of a million latencies needs no million points. */
const ECDF_POINTS = 400;

/** Colours of the workloads of an ECDF, cycling. */
const WORKLOAD_COLORS = [...PHASE_COLORS, "#72b7b2", "#b279a2", "#9d755d", "#bab0ac"];

/**
 * The ECDF of a sorted sample as steps: every value where n <= `points`, else the values at
 * `points` evenly spaced ranks (the last always kept), each with the fraction at or below it.
 */
export function ecdfPoints(
  sorted: ArrayLike<number>,
  points = ECDF_POINTS,
): { x: number[]; y: number[] } {
  const n = sorted.length;
  const x: number[] = [], y: number[] = [];
  const step = Math.max(1, n / points);
  for (let k = 1; k * step <= n + 1e-9; k++) {
    const i = Math.min(n, Math.ceil(k * step)) - 1;
    x.push(sorted[i]);
    y.push((i + 1) / n);
  }
  return { x, y };
}

/** Every latency of `group` at `levels`, all runs, ascending. */
function merged(group: LatencyGroup, levels: number[]): Float64Array {
  const parts = levels.flatMap((l) => [...(group.levels.get(l)?.values() ?? [])]);
  const out = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out.sort();
}

/**
 * Per experiment and runtime present in both datasets: the ECDF of each workload's latencies
 * over the levels both share, NEW solid over BASE dotted, on a log latency axis (latencies of
 * 0 ms or less have no place on it and are not drawn).
 */
export function ecdfFigures(base: LatencyCells, next: LatencyCells): FigureSpec[] {
  const pairs = [...next.values()].flatMap((g) => {
    const b = base.get(cellKey(g.experiment, g.workload, g.runtime));
    const levels = b ? commonLevels(b, g) : [];
    return b && levels.length > 0 ? [{ base: b, next: g, levels }] : [];
  });
  const experiments = [...new Set(pairs.map((p) => p.next.experiment))].sort();
  const runtimes = knownFirst(pairs.map((p) => p.next.runtime), THESIS_RUNTIMES);
  const out: FigureSpec[] = [];
  for (const experiment of experiments) {
    for (const runtime of runtimes) {
      const mine = pairs.filter((p) =>
        p.next.experiment === experiment && p.next.runtime === runtime
      );
      if (mine.length === 0) continue;
      const workloads = knownFirst(mine.map((p) => p.next.workload), THESIS_WORKLOADS);
      const data = workloads.flatMap((wl, i) => {
        const p = mine.find((p) => p.next.workload === wl)!;
        const color = WORKLOAD_COLORS[i % WORKLOAD_COLORS.length];
        return (["next", "base"] as const).map((side) => {
          const all = ecdfPoints(merged(p[side], p.levels));
          const keep = all.x.map((_, i) => i).filter((i) => all.x[i] > 0);
          const [x, y] = [keep.map((i) => all.x[i]), keep.map((i) => all.y[i])];
          return {
            type: "scatter",
            mode: "lines",
            name: `${workloadLabel(wl)}, ${side === "next" ? "NEW" : "BASE"}`,
            x,
            y,
            line: { color, shape: "hv", dash: side === "next" ? "solid" : "dot" },
          };
        });
      });
      const title = `Latency distribution, ${experiment}, ${runtimeLabel(runtime)}: NEW over BASE`;
      out.push({
        id: `compare_ecdf_${experiment}_${runtime}`,
        title,
        description: `Empirical cumulative distribution of the latencies of ${experiment} on ` +
          `${runtimeLabel(runtime)} per workload, over the levels both datasets share; NEW ` +
          `solid, BASE dotted; log latency axis.`,
        figure: {
          data,
          layout: {
            ...baseLayout(title),
            xaxis: axis("Latency (ms), log scale", { type: "log" }),
            yaxis: axis("Fraction of latencies at or below", { range: [0, 1] }),
          },
        },
      });
    }
  }
  return out;
}

/**
 * The pooled median ratios (numerator over denominator runtime, level `all`) of a slowdown
 * frame with a `dataset` column (`base`, `new`), one row per experiment and workload, each
 * dataset's ratio with its 95 % interval: the thesis's Tables 9-16 in one picture. Null where
 * the frame has no pooled row.
 */
export function forestFigure(slowdown: pl.DataFrame): FigureSpec | null {
  const rows = slowdown.toRecords().filter((r) => r.level === "all") as Record<string, unknown>[];
  if (rows.length === 0) return null;
  const label = (r: Record<string, unknown>) =>
    `${r.experiment}, ${workloadLabel(String(r.workload))}`;
  const labels = [...new Set(rows.map(label))];
  const sides = [["base", "BASE", "#7f7f7f"], ["new", "NEW", "#d62728"]] as const;
  const data = sides.flatMap(([side, name, color]) => {
    const mine = rows.filter((r) => r.dataset === side && r.median_ratio !== null);
    if (mine.length === 0) return [];
    const ratio = mine.map((r) => r.median_ratio as number);
    return [{
      type: "scatter",
      mode: "markers",
      name,
      x: ratio,
      y: mine.map(label),
      marker: { color, size: 8 },
      error_x: {
        type: "data",
        symmetric: false,
        array: mine.map((r, i) =>
          r.median_ratio_hi === null ? 0 : (r.median_ratio_hi as number) - ratio[i]
        ),
        arrayminus: mine.map((r, i) =>
          r.median_ratio_lo === null ? 0 : ratio[i] - (r.median_ratio_lo as number)
        ),
        color,
      },
    }];
  });
  const num = String(rows[0].numerator), den = String(rows[0].denominator);
  const title = `Slowdown ${runtimeLabel(num)} / ${runtimeLabel(den)}: median ratios, 95 % CIs`;
  return {
    id: "compare_forest",
    title,
    description: `Ratio of the median latency of ${runtimeLabel(num)} to ${runtimeLabel(den)} ` +
      `per experiment and workload, pooled over levels, with percentile bootstrap 95 % ` +
      `intervals, BASE and NEW; log axis, 1 marks no difference.`,
    figure: {
      data,
      layout: {
        ...baseLayout(title),
        margin: { t: 60, r: 20, b: 60, l: 260 },
        xaxis: axis(`Median ratio ${num} / ${den}, log scale`, { type: "log" }),
        yaxis: { autorange: "reversed", categoryorder: "array", categoryarray: labels },
        shapes: [{
          type: "line",
          x0: 1,
          x1: 1,
          xref: "x",
          y0: 0,
          y1: 1,
          yref: "paper",
          line: { color: "#444", dash: "dash", width: 1 },
        }],
      },
    },
  };
}

/** A line and, where intervals exist, a band around it. */
function lineWithBand(
  name: string,
  levels: number[],
  mid: (number | null)[],
  lo: (number | null)[],
  hi: (number | null)[],
  color: string,
  dash: string,
): Record<string, unknown>[] {
  const withCi = levels.map((_, i) => i).filter((i) => lo[i] !== null && hi[i] !== null);
  const band = withCi.length === 0 ? [] : [{
    type: "scatter",
    mode: "lines",
    name: `${name}, 95 % CI`,
    x: [...withCi.map((i) => levels[i]), ...withCi.map((i) => levels[i]).reverse()],
    y: [...withCi.map((i) => hi[i]), ...withCi.map((i) => lo[i]).reverse()],
    fill: "toself",
    fillcolor: withAlpha(color, 0.2),
    line: { width: 0, color },
    hoverinfo: "skip",
  }];
  return [...band, {
    type: "scatter",
    mode: "lines+markers",
    name: `${name}, median`,
    x: levels,
    y: mid,
    line: { color, dash },
  }];
}

/**
 * Per experiment, workload and runtime of a compare frame: NEW's median at each level with its
 * 95 % interval as a band, over BASE's (grey, dotted).
 */
export function levelMedianFigures(compare: pl.DataFrame): FigureSpec[] {
  const rows = compare.toRecords().filter((r) => r.level !== "all") as Record<string, unknown>[];
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const r of rows) {
    const key = cellKey(String(r.experiment), String(r.workload), String(r.runtime));
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  return [...groups.values()].map((g) => {
    g.sort((a, b) => Number(a.level) - Number(b.level));
    const { experiment, workload, runtime } = g[0] as Record<string, string>;
    const levels = g.map((r) => Number(r.level));
    const pick = (c: string) => g.map((r) => r[c] as number | null);
    const title = `Median per level, ${experiment}, ${runtimeLabel(runtime)}, ` +
      `${workloadLabel(workload)}: NEW over BASE`;
    return {
      id: `compare_levels_${experiment}_${workload}_${runtime}`,
      title,
      description: `Median latency per level with its distribution-free 95 % interval, NEW ` +
        `(coloured) over BASE (grey, dotted).`,
      figure: {
        data: [
          ...lineWithBand(
            "BASE",
            levels,
            pick("median_base"),
            pick("median_base_lo"),
            pick("median_base_hi"),
            "#7f7f7f",
            "dot",
          ),
          ...lineWithBand(
            "NEW",
            levels,
            pick("median_new"),
            pick("median_new_lo"),
            pick("median_new_hi"),
            runtimeColor(runtime),
            "solid",
          ),
        ],
        layout: {
          ...baseLayout(title),
          xaxis: axis("Concurrent requests (level)"),
          yaxis: axis("Median latency (ms)"),
        },
      },
    };
  });
}

/** Every figure of a comparison: the forest plot, the ECDFs, the per-level medians. */
export function compareFigures(
  { compare, slowdown, base, next }: {
    compare: pl.DataFrame;
    slowdown: pl.DataFrame;
    base: LatencyCells;
    next: LatencyCells;
  },
): FigureSpec[] {
  const forest = forestFigure(slowdown);
  return [
    ...(forest ? [forest] : []),
    ...ecdfFigures(base, next),
    ...levelMedianFigures(compare),
  ];
}
