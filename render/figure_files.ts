/**
 * A report's figure files: every figure's SVG, drawn by the one renderer (render/svg.ts) as
 * a paper prints it, and its PDF made from that same SVG (render/pdf.ts). No browser: the
 * SVG is text computed here, and each PDF is a short rsvg-convert process, a few at a time.
 */
import type { FigureSpec } from "../pipeline/figures.ts";
import type { PaperFigureOptions } from "../pipeline/paper_figure.ts";
import { dataFile } from "./out_path.ts";
import { inParallel, svgToPdf } from "./pdf.ts";
import { paperSvg } from "./svg.ts";

/** Files written for one figure. */
export interface Exported {
  id: string;
  svg: string;
  pdf?: string;
}

/** Options of {@linkcode writeFigureFiles}. */
export interface FigureFileOptions {
  /** How the figures are set for a paper. Default `paperFigure`'s (text width, no title). */
  paper?: PaperFigureOptions;
  /** The rsvg-convert binary that makes the PDFs; none: SVG only. Default none. */
  rsvgConvert?: string;
  /** PDFs made at once. Default the machine's processors. */
  parallel?: number;
  /** Called after each figure's files are written, with their count so far. */
  progress?: (done: number, total: number, id: string) => void;
}

/**
 * Writes `<dir>/<id>.svg` for every figure and, with `rsvgConvert`, `<dir>/<id>.pdf` from it
 * (file names through `dataFile`: ids are data).
 */
export async function writeFigureFiles(
  figures: FigureSpec[],
  dir: string,
  {
    paper,
    rsvgConvert,
    parallel = navigator.hardwareConcurrency ?? 2,
    progress,
  }: FigureFileOptions = {},
): Promise<Exported[]> {
  let done = 0;
  return await inParallel(figures, parallel, async (spec) => {
    const svg = dataFile(dir, spec.id, ".svg");
    await Deno.writeTextFile(svg, paperSvg(spec, paper) + "\n");
    const written: Exported = { id: spec.id, svg };
    if (rsvgConvert) {
      written.pdf = dataFile(dir, spec.id, ".pdf");
      await svgToPdf(rsvgConvert, svg, written.pdf);
    }
    progress?.(++done, figures.length, spec.id);
    return written;
  });
}
