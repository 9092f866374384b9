/**
 * The traces of the SVG renderer, drawn on a panel's two scales, by the Plotly rules the
 * pipeline's figures rely on: a box from the numbers the figure carries (R's quartiles and
 * whiskers from pipeline/box_stats.ts; a box given only its values gets them from the same
 * function), its whiskers capped at half its width; markers as circles or squares, each
 * distinct point once; lines broken where a value is missing, as steps (`shape: "hv"`),
 * dashed or dotted, or filled (`fill: "toself"`); horizontal error bars; bars side by side
 * (`barmode: "group"`) or on top of each other (`"stack"`). Every element carries a class
 * saying what it draws (`box`, `marker`, `line`, `band`, `error`, `bar`).
 */
import pl from "nodejs-polars";
import { boxStats } from "../pipeline/box_stats.ts";
import type { Scale } from "./svg_scale.ts";
import { esc, px } from "./svg_text.ts";

/** A Plotly trace, as far as the renderer reads it. */
export type Trace = Record<string, unknown>;

/** Plotly's default colours, for a trace that sets none. */
const COLORWAY = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

/** Share of a category or unit a box or a group of bars takes (Plotly's gaps: 0.3, 0.2). */
const BOX_SHARE = 0.7, BAR_SHARE = 0.8;

const DASHES: Record<string, string> = { dot: "2,3", dash: "6,4", dashdot: "6,3,2,3" };

/** Numbers of a trace's array (missing values as NaN). */
export function nums(a: unknown): number[] {
  return (Array.isArray(a) ? a : []).map((v) => (v === null || v === "" ? NaN : Number(v)));
}

/** The pixel of value `v` on `scale`, NaN for a missing value (null, undefined, ""). */
function pos(scale: Scale, v: unknown): number {
  return v === null || v === undefined || v === "" ? NaN : scale.at(v);
}

/** The colour of trace number `i`: its marker's, its line's, else Plotly's next. */
export function traceColor(t: Trace, i: number): string {
  const marker = t.marker as Trace | undefined, line = t.line as Trace | undefined;
  return String(marker?.color ?? line?.color ?? COLORWAY[i % COLORWAY.length]);
}

/**
 * A colour as SVG paint attributes: `rgba(r, g, b, a)` (which SVG 1.1 readers need not know)
 * as `rgb(r, g, b)` and an opacity.
 */
export function paint(color: string, attr: "fill" | "stroke"): string {
  const m = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)$/.exec(color);
  return m
    ? `${attr}="rgb(${m[1]},${m[2]},${m[3]})" ${attr}-opacity="${Number(m[4])}"`
    : `${attr}="${esc(color)}"`;
}

/** The five numbers of a box: its own, else R's from its values (pipeline/box_stats.ts). */
function boxNumbers(t: Trace): { q1: number; median: number; q3: number; lo: number; hi: number } {
  const first = (k: string) => nums(t[k])[0];
  if (Array.isArray(t.q1)) {
    const [q1, median, q3] = [first("q1"), first("median"), first("q3")];
    return { q1, median, q3, lo: first("lowerfence"), hi: first("upperfence") };
  }
  const y = nums(t.y).filter(Number.isFinite);
  const [b] = boxStats(pl.DataFrame({ level: y.map(() => 0), latency_ms: y }));
  if (!b) return { q1: NaN, median: NaN, q3: NaN, lo: NaN, hi: NaN };
  return { q1: b.q1, median: b.median, q3: b.q3, lo: b.lower_whisker, hi: b.upper_whisker };
}

/** The values a box trace spans on its value axis. */
export function boxExtent(t: Trace): number[] {
  const b = boxNumbers(t);
  return [b.lo, b.hi, ...(Array.isArray(t.q1) ? [] : nums(t.y))];
}

/** A box: whiskers with caps, the quartiles' box (filled at half opacity), the median. */
export function boxSvg(t: Trace, xs: Scale, ys: Scale, color: string): string {
  const b = boxNumbers(t);
  if (![b.q1, b.median, b.q3, b.lo, b.hi].every(Number.isFinite)) return "";
  const x = xs.at(t.x0 ?? t.name), w = xs.band * BOX_SHARE;
  const [l, r] = [px(x - w / 2), px(x + w / 2)];
  const [cl, cr] = [px(x - w / 4), px(x + w / 4)];
  const line = (x1: string, x2: string, y1: number, y2: number) =>
    `<line x1="${x1}" x2="${x2}" y1="${px(y1)}" y2="${px(y2)}"/>`;
  const width = Number((t.line as Trace | undefined)?.width ?? 1);
  return [
    `<g class="box" ${paint(color, "stroke")} stroke-width="${width}">`,
    line(px(x), px(x), ys.at(b.lo), ys.at(b.q1)),
    line(px(x), px(x), ys.at(b.q3), ys.at(b.hi)),
    line(cl, cr, ys.at(b.lo), ys.at(b.lo)),
    line(cl, cr, ys.at(b.hi), ys.at(b.hi)),
    `<rect x="${l}" y="${px(ys.at(b.q3))}" width="${px(w)}" height="${
      px(Math.max(ys.at(b.q1) - ys.at(b.q3), 0.5))
    }" ${paint(color, "fill")} fill-opacity="0.5"/>`,
    line(l, r, ys.at(b.median), ys.at(b.median)),
    `</g>`,
  ].join("");
}

/** The markers of a scatter trace, each distinct point once. */
function markersSvg(t: Trace, xs: Scale, ys: Scale, color: string): string[] {
  const marker = (t.marker ?? {}) as Trace;
  const size = Number(marker.size ?? 6), square = marker.symbol === "square";
  const x = (t.x ?? []) as unknown[], y = (t.y ?? []) as unknown[];
  const seen = new Set<string>();
  const out = [`<g class="markers" ${paint(color, "fill")}>`];
  x.forEach((xv, i) => {
    const [cx, cy] = [pos(xs, xv), pos(ys, y[i])];
    if (!Number.isFinite(cx) || !Number.isFinite(cy) || seen.has(`${xv}|${y[i]}`)) return;
    seen.add(`${xv}|${y[i]}`);
    out.push(
      square
        ? `<rect class="marker" x="${px(cx - size / 2)}" y="${
          px(cy - size / 2)
        }" width="${size}" height="${size}"/>`
        : `<circle class="marker" cx="${px(cx)}" cy="${px(cy)}" r="${px(size / 2)}"/>`,
    );
  });
  out.push(`</g>`);
  return out;
}

/** The runs of consecutive points with a value (a missing value breaks the line). */
function segments(t: Trace, xs: Scale, ys: Scale): [number, number][][] {
  const x = (t.x ?? []) as unknown[], y = (t.y ?? []) as unknown[];
  const runs: [number, number][][] = [[]];
  x.forEach((xv, i) => {
    const X = pos(xs, xv), Y = pos(ys, y[i]);
    if (Number.isFinite(X) && Number.isFinite(Y)) runs.at(-1)!.push([X, Y]);
    else if (runs.at(-1)!.length > 0) runs.push([]);
  });
  return runs.filter((r) => r.length > 0);
}

/** A line's path: straight between points, or steps across then up (`shape: "hv"`). */
function pathOf(points: [number, number][], steps: boolean): string {
  return points.map(([X, Y], i) => {
    if (i === 0) return `M${px(X)} ${px(Y)}`;
    return steps ? `H${px(X)}V${px(Y)}` : `L${px(X)} ${px(Y)}`;
  }).join("");
}

/** Horizontal error bars (`error_x` with `array`, `arrayminus`), capped. */
function errorBarsSvg(t: Trace, xs: Scale, ys: Scale, color: string): string[] {
  const e = t.error_x as Trace | undefined;
  if (!e) return [];
  const x = nums(t.x), plus = nums(e.array), minus = nums(e.arrayminus ?? e.array);
  const out = [`<g class="error" ${paint(String(e.color ?? color), "stroke")}>`];
  (t.y as unknown[]).forEach((yv, i) => {
    const lo = x[i] - (minus[i] || 0), hi = x[i] + (plus[i] || 0);
    const Y = pos(ys, yv), [X0, X1] = [xs.at(lo), xs.at(hi)];
    if (![Y, X0, X1].every(Number.isFinite)) return;
    out.push(
      `<path d="M${px(X0)} ${px(Y)}H${px(X1)}M${px(X0)} ${px(Y - 4)}V${px(Y + 4)}M${px(X1)} ${
        px(Y - 4)
      }V${px(Y + 4)}"/>`,
    );
  });
  out.push(`</g>`);
  return out;
}

/** A scatter trace: band, line, error bars, then markers, as its `mode` and `fill` say. */
export function scatterSvg(t: Trace, xs: Scale, ys: Scale, color: string): string {
  const mode = String(t.mode ?? "markers"), line = (t.line ?? {}) as Trace;
  const out: string[] = [];
  if (t.fill === "toself") {
    const fill = String(t.fillcolor ?? color);
    for (const run of segments(t, xs, ys)) {
      out.push(`<path class="band" d="${pathOf(run, false)}Z" ${paint(fill, "fill")}/>`);
    }
  } else if (mode.includes("lines")) {
    const dash = DASHES[String(line.dash)] ?? "";
    const steps = line.shape === "hv";
    for (const run of segments(t, xs, ys)) {
      out.push(
        `<path class="line" d="${pathOf(run, steps)}" fill="none" ${paint(color, "stroke")}` +
          ` stroke-width="${Number(line.width ?? 1.5)}"${
            dash ? ` stroke-dasharray="${dash}"` : ""
          }/>`,
      );
    }
  }
  out.push(...errorBarsSvg(t, xs, ys, color));
  if (mode.includes("markers")) out.push(...markersSvg(t, xs, ys, color));
  return out.join("");
}

/** Bars of trace `k` of `n` bar traces: side by side, or stacked on `base` (tops so far). */
export function barSvg(
  t: Trace,
  xs: Scale,
  ys: Scale,
  color: string,
  { k, n, stacked, base }: { k: number; n: number; stacked: boolean; base: Map<string, number> },
): string {
  const group = xs.band * BAR_SHARE;
  const [offset, width] = stacked ? [-group / 2, group] : [-group / 2 + k * group / n, group / n];
  const y = nums(t.y);
  const out = [`<g class="bars" ${paint(color, "fill")}>`];
  (t.x as unknown[]).forEach((c, i) => {
    if (!Number.isFinite(y[i])) return;
    const b0 = stacked ? base.get(String(c)) ?? 0 : 0;
    if (stacked) base.set(String(c), b0 + y[i]);
    const [top, bottom] = [ys.at(Math.max(b0, b0 + y[i])), ys.at(Math.min(b0, b0 + y[i]))];
    out.push(
      `<rect class="bar" x="${px(xs.at(c) + offset)}" y="${px(top)}" width="${px(width)}" height="${
        px(bottom - top)
      }"/>`,
    );
  });
  out.push(`</g>`);
  return out.join("");
}
