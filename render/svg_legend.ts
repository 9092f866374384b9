/**
 * The legend of the SVG renderer, as Plotly shows one: an entry per named trace that does not
 * hide itself (`showlegend: false`), where the figure has more than one trace or asks for a
 * legend (`layout.showlegend: true`), never where it says `false`. Entries go in a column to
 * the right of the plot, or in rows below it with `legend.orientation: "h"`.
 */
import { paint, type Trace, traceColor } from "./svg_traces.ts";
import { esc, px, textWidth } from "./svg_text.ts";

/** One entry: the trace's name, colour and what its swatch shows. */
export interface LegendEntry {
  name: string;
  color: string;
  kind: "bar" | "square" | "marker" | "line" | "band";
  dash?: string;
}

/** The entries of a figure's legend (empty where it shows none). */
export function legendEntries(data: Trace[], layout: Record<string, unknown>): LegendEntry[] {
  if (layout.showlegend === false) return [];
  if (layout.showlegend !== true && data.length < 2) return [];
  return data.flatMap((t, i): LegendEntry[] => {
    if (t.showlegend === false || t.name === undefined) return [];
    const color = traceColor(t, i);
    const mode = String(t.mode ?? "markers");
    const line = (t.line ?? {}) as Trace;
    if (t.type === "bar") return [{ name: String(t.name), color, kind: "bar" }];
    if (t.type === "box") return [{ name: String(t.name), color, kind: "square" }];
    if (t.fill === "toself") {
      return [{ name: String(t.name), color: String(t.fillcolor ?? color), kind: "band" }];
    }
    if (mode.includes("lines")) {
      return [{ name: String(t.name), color, kind: "line", dash: String(line.dash ?? "") }];
    }
    const square = (t.marker as Trace | undefined)?.symbol === "square";
    return [{ name: String(t.name), color, kind: square ? "square" : "marker" }];
  });
}

/** Width of one entry: swatch, gap, text. */
function entryWidth(e: LegendEntry, font: number): number {
  return font * 2.6 + textWidth(e.name, font);
}

/** Rows of entries laid out across `width` px (one entry a row for a vertical legend). */
export function legendRows(
  entries: LegendEntry[],
  font: number,
  width: number,
  horizontal: boolean,
): LegendEntry[][] {
  if (!horizontal) return entries.map((e) => [e]);
  const rows: LegendEntry[][] = [];
  let used = Infinity;
  for (const e of entries) {
    const w = entryWidth(e, font) + font;
    if (used + w > width) rows.push([]), used = 0;
    rows.at(-1)!.push(e);
    used += w;
  }
  return rows;
}

/** Width of a vertical legend's column. */
export function legendWidth(entries: LegendEntry[], font: number): number {
  return Math.max(0, ...entries.map((e) => entryWidth(e, font))) + font;
}

/** The swatch of an entry, its left edge at `x`, centred on `y`. */
function swatch(e: LegendEntry, x: number, y: number, font: number): string {
  const s = font * 0.7;
  switch (e.kind) {
    case "line":
      return `<path d="M${px(x)} ${px(y)}h${px(font * 1.8)}" ${paint(e.color, "stroke")} ` +
        `stroke-width="2"${
          e.dash === "dot"
            ? ' stroke-dasharray="2,3"'
            : e.dash === "dash"
            ? ' stroke-dasharray="6,4"'
            : ""
        }/>`;
    case "marker":
      return `<circle cx="${px(x + font * 0.9)}" cy="${px(y)}" r="${px(s / 2)}" ${
        paint(e.color, "fill")
      }/>`;
    default:
      return `<rect x="${px(x + font * 0.9 - s / 2)}" y="${px(y - s / 2)}" width="${px(s)}" ` +
        `height="${px(s)}" ${paint(e.color, "fill")}/>`;
  }
}

/** The legend's rows drawn from (`x`, `y`), the top of its first row. */
export function legendSvg(rows: LegendEntry[][], x: number, y: number, font: number): string {
  const out = [`<g class="legend">`];
  rows.forEach((row, r) => {
    let at = x;
    const cy = y + (r + 0.5) * font * 1.5;
    for (const e of row) {
      out.push(
        swatch(e, at, cy, font),
        `<text x="${px(at + font * 2.2)}" y="${px(cy + font * 0.35)}">${esc(e.name)}</text>`,
      );
      at += entryWidth(e, font) + font;
    }
  });
  out.push(`</g>`);
  return out.join("");
}
