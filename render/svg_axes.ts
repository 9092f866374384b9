/**
 * The axes of the SVG renderer: the plot area (an unpainted `rect.plot`, where the data go),
 * grid lines at the ticks (none across the boxes' levels or
 * categories), the zero line of a linear value axis, tick labels, and axis titles (Plotly's
 * 14 px beside 12 px tick labels, lines broken at `<br>`), with the room each needs beside
 * its panel, so that the layout can grow a margin as Plotly's `automargin` does.
 */
import type { Axis, Scale } from "./svg_scale.ts";
import type { Trace } from "./svg_traces.ts";
import { esc, px, textLines, textWidth } from "./svg_text.ts";

/** A panel's axes and traces, and its plot area in px: left, right, top, bottom. */
export interface PanelBox {
  xa: Axis;
  ya: Axis;
  traces: Trace[];
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Font size of axis titles: Plotly's 14 px beside 12 px tick labels. */
function titleSize(font: number): number {
  return font * 14 / 12;
}

/** Width the tick labels and title of a y axis need left of its panel. */
export function leftNeed(ys: Scale, ya: Axis, font: number): number {
  const ticks = Math.max(0, ...ys.ticks.map((t) => textWidth(t.text, font)));
  const lines = ya.title?.text ? textLines(ya.title.text).length : 0;
  return ticks + font * 0.6 + lines * titleSize(font) * 1.2 + font * 0.4;
}

/** Height the tick labels and title of an x axis need below its panel. */
export function bottomNeed(xa: Axis, font: number): number {
  const lines = xa.title?.text ? textLines(xa.title.text).length : 0;
  return font * 1.8 + lines * titleSize(font) * 1.2 + font * 0.4;
}

/** Multi-line text as `<tspan>`s, the block centred on the element's position. */
function lines(text: string, font: number): string {
  const all = textLines(text);
  return all.map((line, i) =>
    `<tspan x="0" dy="${px(i === 0 ? -(all.length - 1) * font * 0.6 + font * 0.35 : font * 1.2)}">${
      esc(line)
    }</tspan>`
  ).join("");
}

/** Grid, zero line, tick labels and axis titles of a panel. */
export function axesSvg(p: PanelBox, xs: Scale, ys: Scale, font: number): string {
  const out = [
    `<g class="axes">`,
    `<rect class="plot" x="${px(p.x0)}" y="${px(p.y0)}" width="${px(p.x1 - p.x0)}" height="${
      px(p.y1 - p.y0)
    }" fill="none"/>`,
  ];
  const grid: string[] = [];
  for (const t of ys.ticks) grid.push(`M${px(p.x0)} ${px(t.at)}H${px(p.x1)}`);
  const boxes = p.traces.some((t) => t.type === "box");
  if (!boxes && xs.kind !== "category") {
    for (const t of xs.ticks) grid.push(`M${px(t.at)} ${px(p.y0)}V${px(p.y1)}`);
  }
  if (grid.length) out.push(`<path d="${grid.join("")}" stroke="#e8e8e8" stroke-width="1"/>`);
  const [lo, hi] = ys.range;
  if (ys.kind === "linear" && lo <= 0 && hi >= 0) {
    out.push(`<path d="M${px(p.x0)} ${px(ys.at(0))}H${px(p.x1)}" stroke="#444" stroke-width="1"/>`);
  }
  for (const t of ys.ticks) {
    out.push(
      `<text x="${px(p.x0 - font * 0.4)}" y="${px(t.at + font * 0.35)}" text-anchor="end">${
        esc(t.text)
      }</text>`,
    );
  }
  for (const t of xs.ticks) {
    out.push(
      `<text x="${px(t.at)}" y="${px(p.y1 + font * 1.25)}" text-anchor="middle">${
        esc(t.text)
      }</text>`,
    );
  }
  const xTitle = p.xa.title?.text, yTitle = p.ya.title?.text, tf = titleSize(font);
  if (xTitle) {
    const n = textLines(xTitle).length;
    out.push(
      `<text class="axis-title" font-size="${px(tf)}" transform="translate(${
        px((p.x0 + p.x1) / 2)
      } ${px(p.y1 + font * 1.8 + n * tf * 0.6)})" text-anchor="middle">${lines(xTitle, tf)}</text>`,
    );
  }
  if (yTitle) {
    const ticks = Math.max(0, ...ys.ticks.map((t) => textWidth(t.text, font)));
    const n = textLines(yTitle).length;
    out.push(
      `<text class="axis-title" font-size="${px(tf)}" transform="translate(${
        px(p.x0 - ticks - font * 0.6 - n * tf * 0.6)
      } ${px((p.y0 + p.y1) / 2)}) rotate(-90)" text-anchor="middle">${lines(yTitle, tf)}</text>`,
    );
  }
  out.push(`</g>`);
  return out.join("");
}
