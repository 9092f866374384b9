/**
 * PDF from the renderer's SVG with librsvg's `rsvg-convert` (Debian's librsvg2-bin): one short
 * process a figure, a few at a time. It draws the SVG as it is, 96 px to the inch (a 672 px
 * figure is a 7 in page), with the fonts fontconfig finds for the SVG's font family, embedded
 * as subsets. Chromium printed the same pages before, at seconds a report; rsvg-convert takes
 * a tenth of a second a figure and needs no browser. With `SOURCE_DATE_EPOCH` set in the
 * environment (the reproducible-builds convention, honoured by cairo) the PDFs carry that date
 * and are the same bytes on every run.
 */
import { findBinary } from "./find_binary.ts";

/** Where rsvg-convert is looked for, after `$WHISKBENCH_RSVG_CONVERT`. */
export const RSVG_CONVERT_PATHS = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"];

/** How to get rsvg-convert, for messages where none was found. */
export const RSVG_CONVERT_HINT = "install Debian's librsvg2-bin (`sudo apt-get install " +
  "librsvg2-bin`, or `deno task setup`) or set WHISKBENCH_RSVG_CONVERT to an rsvg-convert binary";

/** The rsvg-convert binary to use, or undefined where there is none. */
export function findRsvgConvert(): string | undefined {
  return findBinary("WHISKBENCH_RSVG_CONVERT", RSVG_CONVERT_PATHS);
}

/** Writes the PDF of the SVG file `svg` to `pdf`; an error names the file and what it said. */
export async function svgToPdf(rsvgConvert: string, svg: string, pdf: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(rsvgConvert, {
    args: ["--format", "pdf", "--output", pdf, svg],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `Cannot make ${pdf} from ${svg}: ${rsvgConvert} exited with ${code}: ` +
        new TextDecoder().decode(stderr).trim(),
    );
  }
}

/**
 * Runs `task` on every item, at most `parallel` at a time, and returns the results in the
 * items' order; the first failure is thrown once every started task has ended.
 */
export async function inParallel<T, R>(
  items: T[],
  parallel: number,
  task: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0, failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        out[i] = await task(items[i], i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker);
  const rejected = (await Promise.allSettled(workers)).find((s) => s.status === "rejected");
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return out;
}
