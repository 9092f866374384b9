/**
 * A figure spec made ready for a paper's page: at the size it is printed, so that its fonts
 * are the sizes a reader sees, without the title the caption replaces, and square per panel
 * as the thesis's figures (ggplot2's default 7 x 7 in device); in one column, two panels are
 * stacked. The report's interactive page
 * keeps the spec as it is; exported SVG and PDF files use this one.
 */
import type { FigureSpec } from "./figures.ts";

/** Where a figure goes on a paper's page. */
export type PaperSize = "text" | "column";

/** Printed width and base font of each {@linkcode PaperSize}. */
export const PAPER_SIZES: Record<PaperSize, { widthIn: number; fontPt: number }> = {
  // Full text width: 7 in is the text block of two-column templates (IEEE 7.16 in, ACM
  // 7.0 in) for a figure spanning both columns, and a one-column page's text (6-6.5 in)
  // shrinks it by at most 0.86, so 10 pt stays at 8.6 pt or more: body-text size.
  text: { widthIn: 7, fontPt: 10 },
  // One column of a two-column paper (3.3-3.5 in): 8 pt, the size of captions there.
  column: { widthIn: 3.5, fontPt: 8 },
};

/** CSS pixels per inch, the unit of Plotly's sizes and of Chromium's PDF pages. */
const PX_PER_IN = 96;
const PX_PER_PT = PX_PER_IN / 72;

/** Share of the plot height each of two stacked panels takes (the rest is the gap). */
const STACKED_PANEL = 0.42;

/** Options of {@linkcode paperFigure}. */
export interface PaperFigureOptions {
  /** Printed width and font. Default `"text"`. */
  size?: PaperSize;
  /**
   * Keep the figure's own title and its legend of the means, which a paper's caption says
   * instead. Default false.
   */
  keepTitleAndLegend?: boolean;
}

type Layout = Record<string, unknown>;

/**
 * The spec at the printed size of `size`: width, height (each panel's plot area square),
 * fonts in points of the printed page, margins that fit them; without title, and without the
 * legend of box plots (its one entry, the mean's red square, is what a caption says), unless
 * kept. A figure whose legend tells its series apart (stacked phases, several samplers) keeps
 * it.
 *
 * @example
 * ```ts
 * import { paperFigure } from "./paper_figure.ts";
 * const spec = {
 *   id: "f",
 *   title: "T",
 *   figure: { data: [{ type: "box" }], layout: { title: { text: "T" }, xaxis: {}, yaxis: {} } },
 * };
 * const paper = paperFigure(spec, { size: "column" });
 * [paper.figure.layout.width, paper.figure.layout.title]; // [336, undefined]
 * ```
 */
export function paperFigure(
  spec: FigureSpec,
  { size = "text", keepTitleAndLegend = false }: PaperFigureOptions = {},
): FigureSpec {
  const { widthIn, fontPt } = PAPER_SIZES[size];
  const font = fontPt * PX_PER_PT;
  const layout: Layout = { ...spec.figure.layout };
  const boxPlot = spec.figure.data.some((t) => (t as { type?: string }).type === "box");
  if (!keepTitleAndLegend) {
    delete layout.title;
    if (boxPlot) layout.showlegend = false;
  }
  const titled = layout.title !== undefined;
  const margin = {
    l: Math.round(font * 5),
    r: Math.round(font * 0.8),
    t: Math.round(font * (titled ? 3 : 1.2)),
    b: Math.round(font * 3.4),
  };
  const width = Math.round(widthIn * PX_PER_IN);
  // Two panels side by side in one column would be 1.4 in each: there they go one above the
  // other, each still square.
  const stacked = size === "column" && layout.xaxis2 !== undefined;
  if (stacked) {
    layout.xaxis = { ...(layout.xaxis as Layout), domain: [0, 1] };
    layout.xaxis2 = { ...(layout.xaxis2 as Layout), domain: [0, 1] };
    layout.yaxis = { ...(layout.yaxis as Layout), domain: [1 - STACKED_PANEL, 1] };
    layout.yaxis2 = { ...(layout.yaxis2 as Layout), domain: [0, STACKED_PANEL] };
  }
  const domain = (layout.xaxis as { domain?: [number, number] } | undefined)?.domain ?? [0, 1];
  const panelWidth = (width - margin.l - margin.r) * (domain[1] - domain[0]);
  const legendBelow = layout.showlegend !== false && !boxPlot && spec.figure.data.length > 1;
  const plotHeight = stacked ? panelWidth / STACKED_PANEL : panelWidth;
  const height = Math.round(plotHeight + margin.t + margin.b + (legendBelow ? font * 2 : 0));
  for (const key of Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k))) {
    const axis = layout[key] as Layout & { title?: { text?: string } };
    // "Cold-start latency (ms) = waitTime + initTime" is longer than a printed axis.
    const text = axis.title?.text?.replace(" = ", "<br>= ");
    layout[key] = {
      ...axis,
      ...(text ? { title: { ...axis.title, text } } : {}),
      automargin: true,
    };
  }
  // In one column, a level's box is narrower than a five-digit maximum written across it.
  const upright = size === "column" && boxPlot;
  return {
    ...spec,
    figure: {
      data: spec.figure.data,
      layout: {
        ...layout,
        width,
        height,
        margin,
        font: { family: "Helvetica, Arial, sans-serif", size: font, color: "#000" },
        ...(legendBelow
          ? { legend: { orientation: "h", x: 0, y: -0.12 - font / height * 2.6 } }
          : {}),
        annotations: ((layout.annotations ?? []) as Layout[]).map((a) => ({
          ...a,
          ...(upright ? { textangle: -90, yshift: 4 } : {}),
          font: { ...(a.font as Layout | undefined), size: Math.round(font * 0.8 * 10) / 10 },
        })),
      },
    },
  };
}
