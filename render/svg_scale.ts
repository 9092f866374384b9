/**
 * The scales of the SVG renderer: where a value of one axis goes on the page, and its ticks.
 * Three kinds, as Plotly's axes the pipeline's figures use: linear (the axis's own `range`
 * and `dtick` where it sets them, else every value shown with a margin and about one tick per
 * `tickSpacing` px at 1, 2 or 5 times a power of ten), log (`type: "log"`: decades, with 2 and
 * 5 between them where the axis spans few) and category (text values, in the axis's
 * `categoryarray` order where it gives one, else as they come; `autorange: "reversed"`
 * counts them from the top).
 */
import { tickText } from "./svg_text.ts";

/** An axis of a Plotly layout, as far as the renderer reads it. */
export interface Axis {
  title?: { text?: string };
  type?: string;
  range?: [number, number];
  tickmode?: string;
  dtick?: number;
  tick0?: number;
  domain?: [number, number];
  autorange?: boolean | string;
  categoryarray?: unknown[];
}

/** Where the values of one axis go. */
export interface Scale {
  /** The pixel of a value (a number, or a category's text). */
  at(v: unknown): number;
  /** Ticks inside the shown range: pixel and label. */
  ticks: { at: number; text: string }[];
  /** Pixels of one unit (linear), one category, or 0 (log). */
  band: number;
  kind: "linear" | "log" | "category";
  /** The range shown, in values (log: in values too). */
  range: [number, number];
}

/** What an axis has to show. */
export interface Extent {
  /** The values that are numbers (or text of a number). */
  numbers: number[];
  /** Every value as text, in order: the categories, where the axis is one. */
  categories: string[];
  /** Some value is text that is not a number (Plotly then makes the axis categorical). */
  text?: boolean;
  /** Bars start at zero: the range includes it and is not padded below it. */
  zero?: boolean;
  /** Pixels kept free above the highest and below the lowest value (for labels written
   * there). Default none. */
  room?: { above: number; below: number };
  /** Pad the range by 5 % each side, as Plotly does for markers and boxes (not for lines
   * alone). Default true. */
  pad?: boolean;
}

/** Smallest and largest finite value (no spread: a trace may hold many values). */
export function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  return [lo, hi];
}

/** 1, 2 or 5 times a power of ten, the smallest at or above `raw`. */
function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
}

/** Ticks at `tick0 + k * step` inside [lo, hi]. */
function steps(lo: number, hi: number, step: number, tick0 = 0): number[] {
  const out: number[] = [];
  const first = Math.ceil((lo - tick0) / step - 1e-9);
  for (let k = first; tick0 + k * step <= hi + step * 1e-9; k++) {
    out.push(Number((tick0 + k * step).toPrecision(12)));
  }
  return out;
}

/** Range and ticks of a linear axis over `pixels` px. */
function linear(
  axis: Axis,
  { numbers, zero, room = { above: 0, below: 0 }, pad: padded = true }: Extent,
  pixels: number,
  tickSpacing: number,
) {
  let [lo, hi] = extent(numbers);
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  if (zero) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const pad = padded ? (hi - lo) * 0.05 : 0;
  const perPixel = (hi - lo + 2 * pad) / Math.max(1, pixels - room.above - room.below);
  const range: [number, number] = axis.range ?? [
    zero && lo === 0 ? 0 : lo - pad - room.below * perPixel,
    zero && hi === 0 ? 0 : hi + pad + room.above * perPixel,
  ];
  const step = axis.tickmode === "linear" && axis.dtick
    ? axis.dtick
    : niceStep((range[1] - range[0]) / Math.max(2, pixels / tickSpacing));
  return { range, values: steps(range[0], range[1], step, axis.tick0), step };
}

/** Range (log10 of the values) and ticks of a log axis. */
function logarithmic({ numbers }: Extent) {
  let [lo, hi] = extent(numbers.filter((v) => v > 0).map(Math.log10));
  if (!(lo <= hi)) [lo, hi] = [0, 1];
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  const range: [number, number] = [lo - pad, hi + pad];
  const decades = range[1] - range[0];
  const mantissas = decades > 3 ? [1] : decades > 1.2 ? [1, 2, 5] : [1, 2, 3, 5, 7];
  const values: number[] = [];
  for (let k = Math.floor(range[0]); k <= Math.ceil(range[1]); k++) {
    if (decades > 8 && k % 2 !== 0) continue;
    for (const m of mantissas) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (Math.log10(v) >= range[0] && Math.log10(v) <= range[1]) values.push(v);
    }
  }
  return { range, values };
}

/**
 * The scale of `axis` showing `extent` between pixels `p0` (the range's start: left, or
 * bottom) and `p1`.
 */
export function scaleOf(
  axis: Axis,
  values: Extent,
  [p0, p1]: [number, number],
  tickSpacing: number,
): Scale {
  const pixels = Math.abs(p1 - p0);
  const category = axis.type ? axis.type === "category" : values.text === true;
  if (category && values.categories.length > 0) {
    const given = (axis.categoryarray ?? []).map(String);
    const names = [...new Set([...given, ...values.categories])];
    const reversed = axis.autorange === "reversed";
    const band = pixels / names.length;
    const at = (v: unknown) => {
      const i = names.indexOf(String(v));
      const k = reversed ? names.length - 1 - i : i;
      return p0 + Math.sign(p1 - p0) * (k + 0.5) * band;
    };
    return {
      at,
      band,
      kind: "category",
      range: [-0.5, names.length - 0.5],
      ticks: names.map((n) => ({ at: at(n), text: n })),
    };
  }
  if (axis.type === "log") {
    const { range, values: ticks } = logarithmic(values);
    const at = (v: unknown) =>
      p0 + (Math.log10(Number(v)) - range[0]) / (range[1] - range[0]) * (p1 - p0);
    return {
      at,
      band: 0,
      kind: "log",
      range: [10 ** range[0], 10 ** range[1]],
      ticks: ticks.map((v) => ({ at: at(v), text: tickText(v, v) })),
    };
  }
  const { range, values: ticks, step } = linear(axis, values, pixels, tickSpacing);
  const at = (v: unknown) => p0 + (Number(v) - range[0]) / (range[1] - range[0]) * (p1 - p0);
  return {
    at,
    band: Math.abs(at(1) - at(0)),
    kind: "linear",
    range,
    ticks: ticks.map((v) => ({ at: at(v), text: tickText(v, step) })),
  };
}
