/**
 * The one renderer of the figures' pictures: a pipeline figure spec to SVG text, without a
 * browser. The report writes each figure's SVG (and its PDF from that SVG) with it, and the
 * notebooks show the same SVG as the static picture beside the interactive Plotly figure, so
 * both are the same bytes for the same figure and options. The report's page itself stays
 * interactive Plotly.
 *
 * It draws the subset of Plotly's figure format the pipeline's figures use (pipeline/
 * figures.ts, resource_figure.ts, compare_figures.ts), by Plotly's rules where they show:
 * the layout's size, margins and font (grown, as Plotly's `automargin`, where tick labels or
 * titles need more room, the panels keeping the shape the layout gives them), one or two
 * panels placed by their axes' domains, grid and zero
 * lines, ticks written out in full, axis titles broken at `<br>`, the title, the legend, and
 * the traces (render/svg_traces.ts), annotations and line shapes (render/svg_notes.ts). A
 * part of the format it does not draw is left out, never guessed.
 */
import type { FigureSpec } from "../pipeline/figures.ts";
import { paperFigure, type PaperFigureOptions } from "../pipeline/paper_figure.ts";
import { type Axis, type Extent, type Scale, scaleOf } from "./svg_scale.ts";
import {
  barSvg,
  boxExtent,
  boxSvg,
  nums,
  scatterSvg,
  type Trace,
  traceColor,
} from "./svg_traces.ts";
import { legendEntries, legendRows, legendSvg, legendWidth } from "./svg_legend.ts";
import { notesSvg, panelNotes, reach, shapesSvg } from "./svg_notes.ts";
import { axesSvg, bottomNeed, leftNeed, type PanelBox } from "./svg_axes.ts";
import { esc, px } from "./svg_text.ts";

type Layout = Record<string, unknown>;

/** A Plotly figure: traces and layout. */
export interface Figure {
  data: unknown[];
  layout: Layout;
}

/** Plotly's default margins, for a layout without its own. */
const MARGIN = { l: 80, r: 80, t: 100, b: 80 };

/** One panel: its axes, traces, annotations and where it is drawn. */
interface Panel extends PanelBox {
  suffix: string;
  notes: Trace[];
}

/** What an axis of `traces` shows on `key` ("x" or "y"). */
function extentOf(traces: Trace[], key: "x" | "y", layout: Layout): Extent {
  const numbers: number[] = [], categories: string[] = [];
  let text = false;
  const add = (v: unknown) => {
    if (v === null || v === undefined) return;
    categories.push(String(v));
    if (typeof v === "string" && !Number.isFinite(Number(v))) text = true;
    else numbers.push(Number(v));
  };
  const stacks = new Map<string, number>();
  for (const t of traces) {
    if (t.type === "box") {
      if (key === "x") add(t.x0 ?? t.name);
      else boxExtent(t).forEach(add);
    } else if (t.type === "bar" && key === "y") {
      const x = t.x as unknown[];
      nums(t.y).forEach((v, i) => {
        const base = layout.barmode === "stack" ? stacks.get(String(x[i])) ?? 0 : 0;
        if (Number.isFinite(v)) stacks.set(String(x[i]), base + v), add(base + v);
      });
    } else {
      for (const v of (t[key] ?? []) as unknown[]) add(v);
      const e = t[`error_${key}`] as Trace | undefined;
      if (e) {
        const at = nums(t[key]), plus = nums(e.array), minus = nums(e.arrayminus ?? e.array);
        at.forEach((v, i) => {
          add(v + (plus[i] || 0));
          add(v - (minus[i] || 0));
        });
      }
    }
  }
  const zero = key === "y" && traces.some((t) => t.type === "bar");
  const pad = traces.some((t) =>
    (t.type ?? "scatter") !== "scatter" || !String(t.mode).startsWith("lines") ||
    String(t.mode).includes("markers")
  );
  return { numbers, categories, text, zero, pad };
}

/** The traces of a panel, in the figure's order (later ones drawn over earlier ones). */
function tracesSvg(p: Panel, xs: Scale, ys: Scale, all: Trace[], layout: Layout): string {
  const bars = p.traces.filter((t) => t.type === "bar");
  const base = new Map<string, number>();
  return p.traces.map((t) => {
    const color = traceColor(t, all.indexOf(t));
    if (t.type === "box") return boxSvg(t, xs, ys, color);
    if (t.type === "bar") {
      return barSvg(t, xs, ys, color, {
        k: bars.indexOf(t),
        n: bars.length,
        stacked: layout.barmode === "stack",
        base,
      });
    }
    return t.type === undefined || t.type === "scatter" ? scatterSvg(t, xs, ys, color) : "";
  }).join("");
}

/** An axis group of a figure: its axes, traces and annotations. */
type AxisGroup = Omit<Panel, "x0" | "x1" | "y0" | "y1">;

/**
 * The panels' heights between `T` and `B` (px, by their y domains) and y scales, with room
 * for the annotations written above or below their points, as Plotly's autorange makes it.
 */
function verticalPanels(axes: AxisGroup[], T: number, B: number, layout: Layout, font: number) {
  return axes.map((a) => {
    const [e0, e1] = a.ya.domain ?? [0, 1];
    const [y0, y1] = [B - e1 * (B - T), B - e0 * (B - T)];
    const extent = extentOf(a.traces, "y", layout);
    const first = scaleOf(a.ya, extent, [y1, y0], font * 3.2);
    const room = {
      above: Math.max(0, ...a.notes.map((n) => reach(n, font).above - (first.at(n.y) - y0))),
      below: Math.max(0, ...a.notes.map((n) => reach(n, font).below - (y1 - first.at(n.y)))),
    };
    const ys = room.above + room.below > 0
      ? scaleOf(a.ya, { ...extent, room }, [y1, y0], font * 3.2)
      : first;
    return { ...a, y0, y1, ys };
  });
}

/**
 * The panels' widths between `L` and `R` (px, by their x domains; a panel right of another
 * starts after its y axis's labels, and all keep the widths' proportions) and x scales.
 */
function horizontalPanels(
  vertical: ReturnType<typeof verticalPanels>,
  L: number,
  R: number,
  layout: Layout,
  font: number,
): { panel: Panel; xs: Scale; ys: Scale }[] {
  const boxes = vertical.map((a, i) => {
    const [d0, d1] = a.xa.domain ?? [0, 1];
    const before = vertical.slice(0, i).map((v) => L + (v.xa.domain ?? [0, 1])[1] * (R - L));
    const x0 = i > 0 && d0 > 0
      ? Math.max(L + d0 * (R - L), Math.max(...before) + leftNeed(a.ys, a.ya, font))
      : L + d0 * (R - L);
    return { x0, x1: L + d1 * (R - L), share: d1 - d0 };
  });
  // Panels of equal share stay equal: one narrowed by its neighbour's labels narrows the others.
  const unit = Math.min(...boxes.map((b) => (b.x1 - b.x0) / b.share));
  return vertical.map((a, i) => {
    const { x0, share } = boxes[i];
    const panel: Panel = { ...a, x0, x1: x0 + unit * share };
    const xs = scaleOf(a.xa, extentOf(a.traces, "x", layout), [x0, panel.x1], font * 5);
    return { panel, xs, ys: a.ys };
  });
}

/**
 * The SVG of a Plotly figure `{data, layout}` as the pipeline builds them, at the layout's
 * `width` x `height` px (default 900 x 500, 1100 wide with two panels).
 *
 * @example
 * ```ts
 * import { figureSvg } from "./svg.ts";
 * const svg = figureSvg({
 *   data: [{ type: "bar", name: "init", x: ["hash", "hello"], y: [1009, 1176] }],
 *   layout: { width: 300, height: 200, yaxis: { title: { text: "Mean duration (µs)" } } },
 * });
 * svg.match(/<rect class="bar"/g)?.length; // 2
 * svg.includes(">1,000</text>"); // true: ticks written out
 * ```
 */
export function figureSvg(figure: Figure): string {
  const layout = figure.layout, data = figure.data as Trace[];
  const W = Number(layout.width ?? (layout.xaxis2 ? 1100 : 900));
  const H = Number(layout.height ?? 500);
  const fontSpec = (layout.font ?? {}) as Trace;
  const font = Number(fontSpec.size ?? 12);
  const family = String(fontSpec.family ?? "Helvetica, Arial, sans-serif");
  const m = { ...MARGIN, ...(layout.margin as Partial<typeof MARGIN> | undefined) };
  const title = (layout.title as { text?: string } | undefined)?.text;
  const titleFont = font * 17 / 12;
  if (title) m.t = Math.max(m.t, titleFont * 2.4);

  const entries = legendEntries(data, layout);
  const horizontal = (layout.legend as Trace | undefined)?.orientation === "h";
  const rows = legendRows(entries, font, W - m.l - m.r, horizontal);
  const legendHeight = horizontal ? rows.length * font * 1.5 + font * 0.5 : 0;

  const suffixes = layout.xaxis2 ? ["", "2"] : [""];
  const axes = suffixes.map((s) => ({
    suffix: s,
    xa: (layout[`xaxis${s}`] ?? {}) as Axis,
    ya: (layout[`yaxis${s}`] ?? {}) as Axis,
    traces: data.filter((t) => String(t.xaxis ?? "x") === `x${s}`),
    notes: panelNotes(layout, s),
  }));
  // The panels' shapes as the layout gives them (paperFigure: square), kept where the labels
  // need wider margins than it set (Plotly's automargin would squeeze them instead).
  const nominal = { w: W - m.l - m.r, h: H - m.t - m.b - legendHeight };
  if (entries.length > 0 && !horizontal) m.r += legendWidth(entries, font);
  m.b = Math.max(m.b, Math.max(...axes.map((a) => bottomNeed(a.xa, font))) + legendHeight);
  const B = H - m.b;
  // Vertical first (it does not depend on the labels' widths), then the y scales, whose tick
  // labels set the room left of each panel, then the x scales; where that room left a panel
  // narrower than its shape, the plot area is made shorter (from the top) and placed again.
  const place = (T: number) => {
    const vertical = verticalPanels(axes, T, B, layout, font);
    m.l = Math.max(m.l, leftNeed(vertical[0].ys, vertical[0].ya, font));
    return horizontalPanels(vertical, m.l, W - m.r, layout, font);
  };
  let panels = place(m.t);
  const T = Math.max(
    m.t,
    ...panels.map(({ panel: p }) => {
      const [d0, d1] = p.xa.domain ?? [0, 1];
      return B - (p.x1 - p.x0) * nominal.h / (nominal.w * (d1 - d0));
    }),
  );
  if (T > m.t + 0.5) panels = place(T);
  const [L, R] = [m.l, W - m.r];

  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="${esc(family)}" font-size="${px(font)}">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<g fill="${esc(fontSpec.color ?? "#000")}">`,
  ];
  if (title) {
    out.push(
      `<text class="title" x="${px(W / 2)}" y="${px(titleFont * 1.6)}" font-size="${
        px(titleFont)
      }" text-anchor="middle">${esc(title)}</text>`,
    );
  }
  for (const { panel, xs, ys } of panels) {
    out.push(
      axesSvg(panel, xs, ys, font),
      shapesSvg(layout, panel.suffix, xs, ys, panel),
      tracesSvg(panel, xs, ys, data, layout),
      notesSvg(panel.notes, xs, ys, font, panel),
    );
  }
  if (entries.length > 0) {
    out.push(
      horizontal ? legendSvg(rows, L, H - legendHeight, font) : legendSvg(rows, R + font, T, font),
    );
  }
  out.push(`</g>`, `</svg>`);
  return out.join("\n");
}

/**
 * The SVG of a figure as a paper prints it (`paperFigure`: size, font, title and legend as
 * `options` say): what the report writes as `figures/<id>.svg` and a notebook shows.
 */
export function paperSvg(spec: FigureSpec, options: PaperFigureOptions = {}): string {
  return figureSvg(paperFigure(spec, options).figure);
}
