/**
 * Private helpers of `figures.ts`: display names, colours and layout pieces, kept apart so
 * that `figures.ts` holds only the figure definitions (the thesis's figure numbers are in
 * thesis_facts.ts).
 */
import type { BoxStats } from "./box_stats.ts";
import { RUNTIME_NAMES } from "./thesis_facts.ts";

/** Display name of a runtime ("Docker", "Wasm", else the name as given). */
export function runtimeLabel(runtime: string): string {
  return (RUNTIME_NAMES as Record<string, string>)[runtime] ?? runtime;
}

/** Display name of a workload: "no load", "hash load", "mixed load 10 % IO / 90 % CPU". */
export function workloadLabel(workload: string): string {
  if (workload === "hello") return "no load";
  if (workload === "hash") return "hash load";
  const mixed = /^mixed_(\d+)_(\d+)$/.exec(workload);
  return mixed ? `mixed load ${mixed[1]} % IO / ${mixed[2]} % CPU` : workload;
}

const RUNTIME_COLORS: Record<string, string> = { docker: "#1f77b4", wasm: "#8c564b" };
const OTHER_COLOR = "#7f7f7f";

/** Colour of a runtime's boxes and lines. */
export function runtimeColor(runtime: string): string {
  return RUNTIME_COLORS[runtime] ?? OTHER_COLOR;
}

/** Colours of stacked phases, in phase order. */
export const PHASE_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756"];

/** Colour of the mean markers of the box plots. */
export const MEAN_COLOR = "red";

/** Opacity of outlier markers, so that accumulations show (the thesis's `outlier.alpha`). */
export const OUTLIER_OPACITY = 0.55;

/**
 * An axis with a title and optional extra settings; tick labels are numbers written out
 * ("35,000", not Plotly's default "35k", which reads as a unit in a paper), every one with
 * thousands separated.
 */
export function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { text: title }, exponentformat: "none", separatethousands: true, ...extra };
}

/** Layout entries every figure shares: the title and margins. */
export function baseLayout(title: string): Record<string, unknown> {
  return { title: { text: title }, margin: { t: 60, r: 20, b: 60, l: 80 } };
}

/** A number as short text: integers as they are, others with one decimal. */
export function shortNumber(v: number): string {
  return String(Number(v.toFixed(1)));
}

/** A value with six significant digits, as awk writes the thesis's logs and its labels read. */
export function sixDigits(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** Known names first in their order, then the others sorted by code point (locale-free). */
export function knownFirst(names: string[], known: readonly string[]): string[] {
  const unique = [...new Set(names)];
  const first = known.filter((k) => unique.includes(k));
  const rest = unique.filter((n) => !known.includes(n)).sort((
    a,
    b,
  ) => (a < b ? -1 : a > b ? 1 : 0));
  return [...first, ...rest];
}

/**
 * One box of a box plot, drawn from its precomputed numbers (R's quartiles and whiskers, see
 * `box_stats.ts`) rather than from the values, which Plotly would summarise its own way.
 */
export function boxTrace(b: BoxStats, color: string): Record<string, unknown> {
  return {
    type: "box",
    name: String(b.level),
    x0: b.level,
    q1: [b.q1],
    median: [b.median],
    q3: [b.q3],
    lowerfence: [b.lower_whisker],
    upperfence: [b.upper_whisker],
    boxpoints: false,
    line: { color, width: 1 },
    showlegend: false,
  };
}

/** The outliers of every box, one semi-transparent marker per distinct level and value. */
export function outlierTrace(boxes: BoxStats[], color: string): Record<string, unknown> {
  return {
    type: "scatter",
    mode: "markers",
    name: "Outliers",
    x: boxes.flatMap((b) => b.outliers.map(() => b.level)),
    y: boxes.flatMap((b) => b.outliers),
    // Transparency in the colour, not as `opacity`: Chromium's PDF gives every element with
    // an opacity a group of its own (600 bytes a marker), a colour's alpha costs nothing.
    marker: { color: withAlpha(color, OUTLIER_OPACITY), size: 4 },
    showlegend: false,
  };
}

/** `#rrggbb` as `rgba(r, g, b, alpha)`. */
export function withAlpha(hex: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** The means of the levels, as red squares over the boxes. */
export function meanTrace(summaries: BoxStats[]): Record<string, unknown> {
  return {
    type: "scatter",
    mode: "markers",
    name: "Mean",
    x: summaries.map((s) => s.level),
    y: summaries.map((s) => s.mean),
    marker: { color: MEAN_COLOR, symbol: "square", size: 7 },
  };
}

/** The maximum of a level, written just above its box. */
export function maxAnnotation({ level, max }: BoxStats): Record<string, unknown> {
  return {
    x: level,
    y: max,
    xref: "x",
    yref: "y",
    text: shortNumber(max),
    showarrow: false,
    yanchor: "bottom",
    yshift: 2,
    font: { size: 10 },
  };
}

/** One line of a two-panel figure, on the axes `xaxis`, `yaxis` (`"x"`, `"y2"`, ...). */
export function lineTrace(
  name: string,
  x: unknown[],
  y: unknown[],
  [xaxis, yaxis]: [string, string],
  color: string,
): Record<string, unknown> {
  return { type: "scatter", mode: "lines", name, x, y, xaxis, yaxis, line: { color } };
}

/**
 * The value of point `i` of a line written beside it, with a short leader line: below a
 * trough (a point lower than each of its neighbours), above any other point.
 */
export function valueLabel(
  y: number[],
  i: number,
  x: number,
  [xref, yref]: readonly [string, string],
): Record<string, unknown> {
  const neighbours = [y[i - 1], y[i + 1]].filter((v) => v !== undefined);
  const trough = neighbours.every((v) => v > y[i]);
  return {
    x,
    y: y[i],
    xref,
    yref,
    text: sixDigits(y[i]),
    showarrow: true,
    arrowhead: 0,
    arrowwidth: 0.6,
    ax: 0,
    ay: trough ? 16 : -16,
    font: { size: 10 },
  };
}
