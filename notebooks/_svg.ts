/**
 * A static SVG of a pipeline figure spec, the fallback of the Plotly MIME bundle for viewers
 * without a Plotly renderer (GitHub, nbviewer, a terminal). No browser: it draws the subset
 * of Plotly the pipeline's figures use, by Plotly's rules where they matter (box: the
 * figure's own quartiles and whiskers where it gives them, else quartiles interpolated
 * linearly, whiskers at the furthest points within 1.5 IQR, outliers beyond; markers of a
 * trace without legend entry (outliers) as small circles;
 * bars stacked with `barmode: "stack"`, else side by side; a second panel on `xaxis2`/`yaxis2` domains). The
 * interactive figure stays the reference; this is a picture of it.
 */

type Trace = Record<string, unknown>;
type Layout = Record<string, unknown>;
type Axis = { title?: { text?: string }; domain?: [number, number] };

const W = 720, H = 420, M = { t: 48, r: 16, b: 52, l: 72 };

function esc(text: unknown): string {
  return String(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function fmt(v: number): string {
  return Number(v.toFixed(2)).toString();
}

/** Quantile `p` of sorted values, linear interpolation (Plotly's default quartile method). */
export function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]);
}

/** The five numbers and outliers of one box, as Plotly draws it. */
export function boxStats(y: number[]): {
  q1: number;
  median: number;
  q3: number;
  low: number;
  high: number;
  outliers: number[];
} {
  const s = y.filter(Number.isFinite).sort((a, b) => a - b);
  const q1 = quantile(s, 0.25), median = quantile(s, 0.5), q3 = quantile(s, 0.75);
  const iqr = q3 - q1, lowFence = q1 - 1.5 * iqr, highFence = q3 + 1.5 * iqr;
  const inside = s.filter((v) => v >= lowFence && v <= highFence);
  return {
    q1,
    median,
    q3,
    low: inside[0] ?? q1,
    high: inside.at(-1) ?? q3,
    outliers: s.filter((v) => v < lowFence || v > highFence),
  };
}

/** The numbers of a box the figure computed itself (`q1`, `median`, ... of one box). */
function precomputed(t: Trace): ReturnType<typeof boxStats> {
  const first = (k: string) => nums(t[k])[0];
  return {
    q1: first("q1"),
    median: first("median"),
    q3: first("q3"),
    low: first("lowerfence"),
    high: first("upperfence"),
    outliers: [],
  };
}

/** About five round ticks covering [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / 5, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

const nums = (a: unknown): number[] => (Array.isArray(a) ? a : []).map(Number);

/** Smallest and largest finite value (no spread: box traces hold 100,000s of values). */
function extent(values: number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  return [lo, hi];
}

/** Where one panel's values go: its pixel extent and scales, and its ticks. */
interface Panel {
  /** Left and right pixel of the plot area. */
  px0: number;
  px1: number;
  X: (v: unknown) => number;
  Y: (v: number) => number;
  /** The y range shown, and its ticks. */
  y0: number;
  y1: number;
  yt: number[];
  xticks: (string | number)[];
  /** Bars stacked (`barmode: "stack"`) rather than side by side. */
  stacked: boolean;
  bars: Trace[];
}

/**
 * The scales of the panel on `x<suffix>`: y over every value drawn (stacked bars summed, from
 * zero for bars), x over the categories of its bars, else over its x values.
 */
function panelOf(mine: Trace[], layout: Layout, xa: Axis, suffix: string): Panel {
  const [d0, d1] = xa.domain ?? [0, 1];
  const px0 = M.l + d0 * (W - M.l - M.r) + (suffix ? 40 : 0);
  const px1 = M.l + d1 * (W - M.l - M.r);
  const categories = [
    ...new Set(mine.filter((t) => t.type === "bar").flatMap((t) => t.x as string[])),
  ];
  const stacked = layout.barmode === "stack";
  const bars = mine.filter((t) => t.type === "bar");
  const ys: number[] = [];
  const stack = new Map<string, number>();
  for (const t of mine) {
    if (t.type === "bar") {
      (t.x as string[]).forEach((c, i) => {
        const top = (stacked ? stack.get(c) ?? 0 : 0) + (Number((t.y as unknown[])[i]) || 0);
        stack.set(c, top);
        ys.push(top, 0);
      });
    } else {
      const [lo, hi] = extent([...nums(t.y), ...nums(t.lowerfence), ...nums(t.upperfence)]);
      if (lo <= hi) ys.push(lo, hi);
    }
  }
  const xs = mine.flatMap((t) =>
    t.type === "box" ? [Number(t.x0)] : t.type === "bar" ? [] : nums(t.x)
  );
  const [ylo, yhi] = ys.length ? extent(ys) : [0, 1];
  const ypad = (yhi - ylo || 1) * 0.08;
  const yt = ticks(ylo - (ylo === 0 ? 0 : ypad), yhi + ypad);
  const [y0, y1] = [Math.min(yt[0], ylo), Math.max(yt.at(-1)!, yhi + ypad)];
  const Y = (v: number) => H - M.b - ((v - y0) / (y1 - y0 || 1)) * (H - M.t - M.b);
  const [xmin, xmax] = xs.length ? extent(xs) : [0.6, 0.4];
  const [xlo, xhi] = [xmin - 0.6, xmax + 0.6];
  const X = categories.length
    ? (c: unknown) => px0 + (categories.indexOf(String(c)) + 0.5) * (px1 - px0) / categories.length
    : (v: unknown) => px0 + ((Number(v) - xlo) / (xhi - xlo || 1)) * (px1 - px0);
  const integers = Array.from(
    { length: Math.max(0, Math.floor(xhi) - Math.ceil(xlo) + 1) },
    (_, k) => Math.ceil(xlo) + k,
  );
  const xticks = categories.length
    ? categories
    : integers.length <= 20
    ? integers
    : ticks(xlo, xhi).filter((v) => Number.isInteger(v));
  return { px0, px1, X, Y, y0, y1, yt, xticks, stacked, bars };
}

/** A panel's grid lines, tick labels, x axis line and axis titles. */
function axesSvg({ px0, px1, X, Y, y0, y1, yt, xticks }: Panel, xa: Axis, ya: Axis): string[] {
  const out = [`<g font-size="11" fill="#444">`];
  for (const v of yt.filter((v) => v >= y0 && v <= y1)) {
    out.push(
      `<line x1="${fmt(px0)}" x2="${fmt(px1)}" y1="${fmt(Y(v))}" y2="${fmt(Y(v))}" stroke="#eee"/>`,
      `<text x="${fmt(px0 - 4)}" y="${fmt(Y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (const v of xticks) {
    out.push(`<text x="${fmt(X(v))}" y="${H - M.b + 14}" text-anchor="middle">${esc(v)}</text>`);
  }
  out.push(
    `<line x1="${fmt(px0)}" x2="${fmt(px1)}" y1="${H - M.b}" y2="${H - M.b}" stroke="#888"/>`,
    `<text x="${fmt((px0 + px1) / 2)}" y="${H - 12}" text-anchor="middle">${
      esc(xa.title?.text ?? "")
    }</text>`,
    `<text transform="translate(${fmt(px0 - 52)} ${
      fmt((M.t + H - M.b) / 2)
    }) rotate(-90)" text-anchor="middle">${esc(ya.title?.text ?? "")}</text>`,
    `</g>`,
  );
  return out;
}

/** A box: whisker, quartile box, median line and outliers (one circle per pixel row). */
function boxSvg(t: Trace, { X, Y }: Panel, width: number, color: string): string[] {
  const b = t.q1 ? precomputed(t) : boxStats(nums(t.y)), x = X(t.x0);
  const [l, r] = [fmt(x - width / 2), fmt(x + width / 2)];
  const out = [
    `<g stroke="${esc(color)}" fill="none">`,
    `<line x1="${fmt(x)}" x2="${fmt(x)}" y1="${fmt(Y(b.low))}" y2="${fmt(Y(b.high))}"/>`,
    `<rect x="${l}" y="${fmt(Y(b.q3))}" width="${fmt(width)}" height="${
      fmt(Math.max(Y(b.q1) - Y(b.q3), 0.5))
    }" fill="${esc(color)}" fill-opacity="0.25"/>`,
    `<line x1="${l}" x2="${r}" y1="${fmt(Y(b.median))}" y2="${
      fmt(Y(b.median))
    }" stroke-width="2"/>`,
  ];
  const seen = new Set<string>();
  for (const v of b.outliers) {
    const key = fmt(Y(v));
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`<circle cx="${fmt(x)}" cy="${key}" r="1.6" stroke-opacity="0.4"/>`);
  }
  out.push(`</g>`);
  return out;
}

/**
 * A bar trace: stacked, one bar per category with the phases on top of each other (`base`
 * holds each category's top so far); grouped, side by side.
 */
function barSvg(
  t: Trace,
  { X, Y, stacked, bars }: Panel,
  width: number,
  color: string,
  base: Map<string, number>,
): string[] {
  const [left, barWidth] = stacked
    ? [-width, 2 * width]
    : [-width + bars.indexOf(t) * 2 * width / bars.length, 2 * width / bars.length];
  return (t.x as string[]).map((c, i) => {
    const v = Number((t.y as unknown[])[i]) || 0, b0 = stacked ? base.get(c) ?? 0 : 0;
    base.set(c, b0 + v);
    return `<rect x="${fmt(X(c) + left)}" y="${fmt(Y(b0 + v))}" width="${fmt(barWidth)}" height="${
      fmt(Y(b0) - Y(b0 + v))
    }" fill="${esc(color)}"><title>${esc(t.name)} ${esc(c)}: ${fmt(v)}</title></rect>`;
  });
}

/** A scatter trace: a line, outlier circles (no legend entry, one per pixel), or squares. */
function scatterSvg(t: Trace, { X, Y }: Panel, color: string): string[] {
  if (t.mode === "lines") {
    const pts = nums(t.x).map((x, i) => `${fmt(X(x))},${fmt(Y(nums(t.y)[i]))}`).join(" ");
    return [`<polyline points="${pts}" fill="none" stroke="${esc(color)}" stroke-width="1.2"/>`];
  }
  const out: string[] = [];
  if (t.showlegend === false) {
    const seen = new Set<string>();
    nums(t.x).forEach((x, i) => {
      const [cx, cy] = [fmt(X(x)), fmt(Y(nums(t.y)[i]))];
      if (seen.has(`${cx},${cy}`)) return;
      seen.add(`${cx},${cy}`);
      out.push(`<circle cx="${cx}" cy="${cy}" r="1.6" fill="none" stroke="${esc(color)}"/>`);
    });
    return out;
  }
  nums(t.x).forEach((x, i) => {
    out.push(
      `<rect x="${fmt(X(x) - 3)}" y="${fmt(Y(nums(t.y)[i]) - 3)}" width="6" height="6" fill="${
        esc(color)
      }"/>`,
    );
  });
  return out;
}

/** The traces of one panel, and their legend entries into `legend`. */
function tracesSvg(mine: Trace[], panel: Panel, legend: Map<string, string>): string[] {
  const out: string[] = [];
  const base = new Map<string, number>();
  const width = Math.min(28, (panel.px1 - panel.px0) / Math.max(panel.xticks.length, 1) * 0.6);
  for (const t of mine) {
    const color = String(
      (t.marker as Trace | undefined)?.color ??
        (t.line as Trace | undefined)?.color ?? "#1f77b4",
    );
    if (t.type === "box") {
      out.push(...boxSvg(t, panel, width, color));
      continue;
    }
    const inLegend = t.type === "bar" || (t.mode !== "lines" && t.showlegend !== false);
    if (inLegend) legend.set(String(t.name), color);
    out.push(
      ...(t.type === "bar" ? barSvg(t, panel, width, color, base) : scatterSvg(t, panel, color)),
    );
  }
  return out;
}

/** The annotations of the panel on `x<suffix>`, over their points. */
function annotationsSvg(layout: Layout, suffix: string, { X, Y }: Panel): string[] {
  const notes = (layout.annotations ?? []) as Trace[];
  return notes.filter((a) => (a.xref ?? "x") === `x${suffix}`).map((a) =>
    `<text x="${fmt(X(a.x))}" y="${
      fmt(Y(Number(a.y)) + (Number(a.ay) > 0 ? 12 : -4))
    }" font-size="9" text-anchor="middle" fill="#333">${esc(a.text)}</text>`
  );
}

/** A static SVG picture of a Plotly figure `{data, layout}` built by pipeline/figures.ts. */
export function figureSvg(figure: { data: unknown[]; layout: Layout }): string {
  const traces = figure.data as Trace[];
  const layout = figure.layout;
  const title = (layout.title as { text?: string } | undefined)?.text ?? "";
  const panels = layout.xaxis2 ? ["", "2"] : [""];
  const out: string[] = [];
  const legend = new Map<string, string>();
  for (const suffix of panels) {
    const xa = (layout[`xaxis${suffix}`] ?? {}) as Axis;
    const ya = (layout[`yaxis${suffix}`] ?? {}) as Axis;
    const mine = traces.filter((t) => (t.xaxis ?? "x") === `x${suffix}`);
    const panel = panelOf(mine, layout, xa, suffix);
    out.push(
      ...axesSvg(panel, xa, ya),
      ...tracesSvg(mine, panel, legend),
      ...annotationsSvg(layout, suffix, panel),
    );
  }
  [...legend].forEach(([name, color], i) => {
    const y = M.t + 4 + i * 14;
    out.push(
      `<rect x="${W - M.r - 90}" y="${y - 8}" width="9" height="9" fill="${esc(color)}"/>`,
      `<text x="${W - M.r - 77}" y="${y}" font-size="11" fill="#444">${esc(name)}</text>`,
    );
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" font-size="15" text-anchor="middle" fill="#222">${
      esc(title)
    }</text>`,
    ...out,
    `</svg>`,
  ].join("\n");
}
