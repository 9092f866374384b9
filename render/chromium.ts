/**
 * Headless Chromium, driven by playwright-core: exports figure specs to SVG and PDF with the
 * same plotly.js the HTML report embeds, and opens a built report the way a reader would (for
 * the tests). This is an edge of the system: it starts a browser process. One browser and one
 * page serve every figure, since loading plotly.js costs more than rendering a figure.
 */
import { type Browser, chromium } from "playwright-core";
import type { FigureSpec } from "../pipeline/mod.ts";
import { dataFile } from "./out_path.ts";
import { paperFigure, type PaperFigureOptions } from "../pipeline/paper_figure.ts";

/** Where Chromium is looked for, after `$WHISKBENCH_CHROMIUM`. */
export const CHROMIUM_PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** How to get a browser, for messages where none was found. */
export const CHROMIUM_HINT = "install Debian's chromium (`sudo apt-get install chromium`, or " +
  "`deno task setup`) or set WHISKBENCH_CHROMIUM to a Chromium or Chrome binary";

/** The Chromium binary to use, or undefined where there is none. */
export function findChromium(): string | undefined {
  const candidates = [Deno.env.get("WHISKBENCH_CHROMIUM"), ...CHROMIUM_PATHS];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

/** plotly.js as the report embeds it (from the pinned npm package). */
export function plotlySource(): Promise<string> {
  return Deno.readTextFile(
    new URL("../node_modules/plotly.js-dist-min/plotly.min.js", import.meta.url),
  );
}

/** Runs `fn` with a headless browser, closed afterwards whatever happens. */
export async function withChromium<T>(
  executablePath: string,
  fn: (browser: Browser) => Promise<T>,
): Promise<T> {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** Pixel size of an exported figure: the layout's own, else a default by panel count. */
export function figureSize(f: FigureSpec): { width: number; height: number } {
  const layout = f.figure.layout as { width?: number; height?: number; xaxis2?: unknown };
  return {
    width: layout.width ?? (layout.xaxis2 ? 1100 : 900),
    height: layout.height ?? 500,
  };
}

/** The PDF page holds an SVG made from a dataset's strings: no script or request there. */
const NO_SCRIPT = `<meta http-equiv="Content-Security-Policy" ` +
  `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:">`;

/** Files written for one figure. */
export interface Exported {
  id: string;
  svg: string;
  pdf?: string;
}

/**
 * Writes `<dir>/<id>.svg` and, unless `pdf` is false, `<dir>/<id>.pdf` for every figure, as
 * `paperFigure` sets it for a paper's page (options in `paper`), calling
 * `progress(done, total, id)` after each.
 */
export async function exportFigures(
  browser: Browser,
  figures: FigureSpec[],
  dir: string,
  options: {
    plotlyJs: string;
    pdf?: boolean;
    paper?: PaperFigureOptions;
    progress?: (i: number, n: number, id: string) => void;
  },
): Promise<Exported[]> {
  const svgPage = await browser.newPage();
  await svgPage.setContent("<!doctype html><html><body></body></html>");
  await svgPage.addScriptTag({ content: options.plotlyJs });
  const pdfPage = options.pdf === false ? undefined : await browser.newPage();
  const out: Exported[] = [];
  for (const [i, spec] of figures.entries()) {
    const f = paperFigure(spec, options.paper);
    const size = figureSize(f);
    const svg = await svgPage.evaluate(async ({ figure, size }) => {
      // deno-lint-ignore no-explicit-any
      const Plotly = (globalThis as any).Plotly;
      const url: string = await Plotly.toImage(figure, { format: "svg", ...size });
      return decodeURIComponent(url.slice(url.indexOf(",") + 1));
    }, { figure: f.figure, size });
    const svgPath = dataFile(dir, f.id, ".svg");
    await Deno.writeTextFile(svgPath, svg + "\n");
    const written: Exported = { id: f.id, svg: svgPath };
    if (pdfPage) {
      await pdfPage.setContent(
        `<!doctype html><html><head>${NO_SCRIPT}<style>@page{size:${size.width}px ${size.height}px;margin:0}` +
          `html,body{margin:0}</style></head><body>${svg}</body></html>`,
      );
      written.pdf = dataFile(dir, f.id, ".pdf");
      await pdfPage.pdf({
        path: written.pdf,
        width: `${size.width}px`,
        height: `${size.height}px`,
        printBackground: true,
        pageRanges: "1",
      });
    }
    out.push(written);
    options.progress?.(i + 1, figures.length, f.id);
  }
  await svgPage.close();
  await pdfPage?.close();
  return out;
}
