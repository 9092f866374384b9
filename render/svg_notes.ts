/**
 * Text and lines a figure places on its data, for the SVG renderer: annotations (a level's
 * maximum written above its box, upright with `textangle: -90`; Figures 31/32's extremes
 * beside the line with a short leader, `showarrow` with a vertical offset `ay`) and line
 * shapes (the forest plot's "no difference" line, `yref: "paper"` for the whole height).
 */
import type { Scale } from "./svg_scale.ts";
import { paint, type Trace } from "./svg_traces.ts";
import { esc, px, textWidth } from "./svg_text.ts";

/** The annotations of a layout on the panel whose x axis is `x<suffix>`. */
export function panelNotes(layout: Record<string, unknown>, suffix: string): Trace[] {
  return ((layout.annotations ?? []) as Trace[]).filter((a) =>
    String(a.xref ?? "x") === `x${suffix}`
  );
}

function fontOf(a: Trace, font: number): number {
  return Number((a.font as Trace | undefined)?.size ?? font);
}

/**
 * How far an annotation's text reaches above and below its point, in px: the axis's range
 * makes room for it, as Plotly's autorange does for annotations.
 */
export function reach(a: Trace, font: number): { above: number; below: number } {
  const size = fontOf(a, font);
  if (a.showarrow) {
    const ay = Number(a.ay ?? -30);
    return ay < 0 ? { above: -ay + size * 0.7, below: 0 } : { above: 0, below: ay + size * 0.7 };
  }
  if (a.yanchor !== "bottom") return { above: size * 0.7, below: size * 0.7 };
  const tall = Number(a.textangle) === -90 ? textWidth(String(a.text), size) : size * 1.1;
  return { above: Number(a.yshift ?? 0) + tall, below: 0 };
}

/**
 * An annotation at its point on the panel's scales; text that would cross the panel's left
 * or right edge is moved inside (its leader still starts at the point).
 */
function noteSvg(a: Trace, xs: Scale, ys: Scale, font: number, [x0, x1]: number[]): string {
  const size = fontOf(a, font), text = esc(a.text ?? "");
  const X = xs.at(a.x), Y = ys.at(a.y);
  const half = textWidth(String(a.text ?? ""), size) / 2;
  const inside = (x: number) => Math.min(Math.max(x, x0 + half), x1 - half);
  if (![X, Y].every(Number.isFinite)) return "";
  const open = `<text class="annotation" font-size="${px(size)}"`;
  if (a.showarrow) {
    const ax = Number(a.ax ?? -10), ay = Number(a.ay ?? -30);
    const edge = Y + ay + (ay < 0 ? size * 0.55 : -size * 0.55);
    return `<path d="M${px(X)} ${px(Y)}L${px(X + ax)} ${px(edge)}" stroke="#444" stroke-width="${
      Number(a.arrowwidth ?? 1)
    }"/>` +
      `${open} x="${px(inside(X + ax))}" y="${px(Y + ay + size * 0.35)}" text-anchor="middle">` +
      `${text}</text>`;
  }
  const bottom = Y - Number(a.yshift ?? 0) - (a.yanchor === "bottom" ? 0 : -size * 0.5);
  if (Number(a.textangle) === -90) {
    return `${open} transform="translate(${px(X + size * 0.35)} ${px(bottom)}) rotate(-90)">` +
      `${text}</text>`;
  }
  return `${open} x="${px(inside(X))}" y="${
    px(bottom - size * 0.22)
  }" text-anchor="middle">${text}</text>`;
}

/** Every annotation of the panel, whose plot area spans `x0` to `x1`. */
export function notesSvg(
  notes: Trace[],
  xs: Scale,
  ys: Scale,
  font: number,
  { x0, x1 }: { x0: number; x1: number },
): string {
  return notes.map((a) => noteSvg(a, xs, ys, font, [x0, x1])).join("");
}

const DASH: Record<string, string> = { dot: "2,3", dash: "6,4" };

/**
 * The line shapes on the panel whose x axis is `x<suffix>`: values on its axes, or a share of
 * the panel where a reference is `paper`.
 */
export function shapesSvg(
  layout: Record<string, unknown>,
  suffix: string,
  xs: Scale,
  ys: Scale,
  box: { x0: number; x1: number; y0: number; y1: number },
): string {
  const shapes = ((layout.shapes ?? []) as Trace[]).filter((s) =>
    s.type === "line" && [`x${suffix}`, "paper"].includes(String(s.xref ?? "x"))
  );
  return shapes.map((s) => {
    const X = (v: unknown) =>
      s.xref === "paper" ? box.x0 + Number(v) * (box.x1 - box.x0) : xs.at(v);
    const Y = (v: unknown) =>
      s.yref === "paper" ? box.y1 - Number(v) * (box.y1 - box.y0) : ys.at(v);
    const line = (s.line ?? {}) as Trace;
    const dash = DASH[String(line.dash)];
    return `<path class="shape" d="M${px(X(s.x0))} ${px(Y(s.y0))}L${px(X(s.x1))} ${px(Y(s.y1))}" ${
      paint(String(line.color ?? "#444"), "stroke")
    } stroke-width="${Number(line.width ?? 1)}"${dash ? ` stroke-dasharray="${dash}"` : ""}/>`;
  }).join("");
}
