/**
 * `deno task compare BASE NEW --out DIR [--threshold PCT] [--seed N] [--resamples N]`: whether
 * two runs really differ, cell by cell (DIR/compare.csv), each run's Docker/Wasm slowdown with
 * its uncertainty (DIR/slowdown.csv, a `dataset` column saying base or new), the findings
 * in sentences (DIR/findings.md) and the figures (DIR/figures/: Plotly specs, SVG drawn by
 * render/svg.ts, PDF where rsvg-convert is found). Numbers at full precision; the same bytes on every run for
 * the same data, seed and resamples.
 */
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import {
  checkOutput,
  exitWithParent,
  replaceFolder,
  userCwd,
  userPath,
} from "../dataset/folder.ts";
import pl from "nodejs-polars";
import {
  cellKey,
  compareCells,
  compareFigures,
  compareFindings,
  compareFrame,
  type CompareOptions,
  type FigureSpec,
  type LatencyCells,
  latencyCells,
  MedianDraws,
  noCellsFinding,
  PIPELINE_COLUMNS,
  slowdownFindings,
} from "../pipeline/mod.ts";
import { Buffer } from "node:buffer";
import type { SlowdownReply, SlowdownRequest } from "./_slowdown_worker.ts";
import { parse, run } from "./_args.ts";
import { csvSafe } from "../pipeline/csv_safe.ts";
import { escapeMarkdown } from "../pipeline/markdown.ts";
import { dataFile } from "../render/out_path.ts";
import { writeFigureFiles } from "../render/figure_files.ts";
import { findRsvgConvert } from "../render/pdf.ts";
import { shownPath } from "../render/provenance.ts";

const USAGE =
  "usage: deno task compare BASE NEW --out DIR [--threshold PCT] [--seed N] [--resamples N]";

/** What `deno task compare` was asked to do. */
export interface CompareArgs {
  base: string;
  next: string;
  out: string;
  options: Required<CompareOptions>;
}

/**
 * The fewest `--resamples` a verdict is given on. A 95 % percentile interval rests on its 2.5 %
 * tails: with 10 resamples those are the extreme draws, and on two samples of one distribution
 * (lognormal, 30 a side, threshold 0) 19 % of cells were called different, with 1 resample all
 * of them; with 1,000, 4 % (Efron and Tibshirani's rule for percentile intervals, §13.3).
 */
const MIN_RESAMPLES = 1000;

/** A flag's value as an integer in [min, max], or a RangeError naming the flag. */
function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new RangeError(`--${flag} ${text}: expected an integer from ${min} to ${max}`);
  }
  return n;
}

/** Parses and checks the arguments of `deno task compare`. */
export function parseCompareArgs(args: string[]): CompareArgs {
  const { values, positionals } = parse(args, ["out", "threshold", "seed", "resamples"]);
  if (positionals.length !== 2 || !values.out) throw new Error(USAGE);
  // Typed in the user's own folder; the guard (dataset/folder.ts) checks --out when writing.
  const [base, next] = positionals.map(userPath);
  const out = userPath(values.out);
  const pct = Number(values.threshold ?? "3");
  if ((values.threshold !== undefined && !/^\d+(\.\d+)?$/.test(values.threshold)) || pct >= 100) {
    throw new RangeError(`--threshold ${values.threshold}: expected a percentage from 0 to 100`);
  }
  return {
    base,
    next,
    out,
    options: {
      threshold: pct / 100,
      seed: values.seed === undefined ? 1 : integer("seed", values.seed, 0, 2 ** 53 - 1),
      resamples: values.resamples === undefined
        ? 10_000
        : integer("resamples", values.resamples, MIN_RESAMPLES, 10_000_000),
    },
  };
}

/** A dataset's latency cells (only the columns the comparison reads are loaded). */
async function cellsOf(dir: string): Promise<LatencyCells> {
  const ds = await readDataset(dir, { activationColumns: [...PIPELINE_COLUMNS, "run"] });
  try {
    return latencyCells(ds.activations);
  } catch (cause) {
    throw new Error(`${dir}: ${(cause as Error).message}`, { cause });
  }
}

/** A comparison of two datasets: the frames and the findings, as written to its folder. */
export interface Comparison {
  compare: pl.DataFrame;
  /** Both datasets' slowdown frames, with a first column `dataset` (`base` or `new`). */
  slowdown: pl.DataFrame;
  /** Findings on NEW against BASE, and on each dataset's slowdown. */
  findings: { compare: string[]; slowdownBase: string[]; slowdownNew: string[] };
  /** Each dataset's latency cells, as compared (for the figures). */
  cells: { base: LatencyCells; next: LatencyCells };
}

/** A dataset's median draws and slowdown frame, computed by a worker (_slowdown_worker.ts). */
function inWorker(
  request: SlowdownRequest,
  workers: Worker[],
): Promise<{ slowdown: pl.DataFrame; draws: MedianDraws }> {
  const worker = new Worker(new URL("./_slowdown_worker.ts", import.meta.url), {
    type: "module",
  });
  workers.push(worker);
  const { side, seed, resamples } = request.options;
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<SlowdownReply>) => {
      worker.terminate();
      if ("error" in data) return reject(new Error(data.error));
      resolve({
        slowdown: pl.readIPC(Buffer.from(data.ipc)),
        draws: new MedianDraws(side, seed, resamples, data.draws),
      });
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(`Cannot compute the ${side} dataset's draws: ${e.message}`));
    };
    worker.postMessage(request);
  });
}

/**
 * Compares the datasets in folders `base` and `next`. One worker per dataset draws its
 * bootstrap medians (each once, for both frames) and computes its slowdown frame; this thread
 * then builds the compare frame from their draws: the same numbers as `compareFrame` and
 * `slowdownFrame` on one thread, on both cores.
 */
export async function compareDatasets(
  base: string,
  next: string,
  options: CompareOptions = {},
): Promise<Comparison> {
  const { threshold = 0.03, seed = 1, resamples = 10_000 } = options;
  const full = { threshold, seed, resamples };
  const [b, n] = [await cellsOf(base), await cellsOf(next)];
  const cells = compareCells(b, n);
  const needs = (side: "base" | "next") =>
    cells.map((c): [string, number[]] => {
      const g = c[side];
      return [cellKey(g.experiment, g.workload, g.runtime), c.levels];
    });
  const workers: Worker[] = [];
  let results;
  try {
    results = await Promise.all([
      inWorker({ cells: b, options: { ...full, side: "base" }, needs: needs("base") }, workers),
      inWorker({ cells: n, options: { ...full, side: "new" }, needs: needs("next") }, workers),
    ]);
  } finally {
    for (const w of workers) w.terminate();
  }
  const [rb, rn] = results;
  const cmp = compareFrame(b, n, full, { base: rb.draws, next: rn.draws });
  const [sb, sn] = [rb.slowdown, rn.slowdown];
  return {
    compare: cmp,
    slowdown: pl.concat([
      sb.select(pl.lit("base").alias("dataset"), pl.all()),
      sn.select(pl.lit("new").alias("dataset"), pl.all()),
    ]),
    findings: {
      compare: cmp.height === 0 ? [noCellsFinding(b.size, n.size)] : compareFindings(cmp, options),
      slowdownBase: slowdownFindings(sb),
      slowdownNew: slowdownFindings(sn),
    },
    cells: { base: b, next: n },
  };
}

/**
 * A dataset's path as findings name it: relative to the folder the command was typed in, else
 * its last part. Findings are shared; the author's folder names are not theirs to carry.
 */
export function shownDataset(path: string): string {
  return shownPath(path, userCwd());
}

/**
 * The findings as Markdown, under a heading of level `depth`; `base` and `next` name the
 * datasets as given (shown by {@linkcode shownDataset}).
 */
export function findingsMarkdown(c: Comparison, base: string, next: string, depth = 1): string {
  const h = "#".repeat(depth);
  // Sentences name runtimes and workloads from the data: escaped, like every string from data.
  const list = (lines: string[]) =>
    lines.map((l) => `- ${escapeMarkdown(l)}\n`).join("") || "- none\n";
  const [b, n] = [base, next].map((p) => escapeMarkdown(shownDataset(p)));
  return `${h} Findings\n\nBASE: ${b}\n\nNEW: ${n}\n\n` +
    `${h}# NEW against BASE\n\n${list(c.findings.compare)}\n` +
    `${h}# Slowdown in BASE\n\n${list(c.findings.slowdownBase)}\n` +
    `${h}# Slowdown in NEW\n\n${list(c.findings.slowdownNew)}`;
}

/**
 * Writes compare.csv, slowdown.csv (cells that a spreadsheet would read as formulas made
 * text), findings.md and the comparison's figures as Plotly JSON in figures/ into `out`
 * (created if missing). Returns the figures.
 */
export async function writeComparison(
  c: Comparison,
  out: string,
  base: string,
  next: string,
): Promise<FigureSpec[]> {
  await Deno.mkdir(out, { recursive: true });
  csvSafe(c.compare).writeCSV(join(out, "compare.csv"));
  csvSafe(c.slowdown).writeCSV(join(out, "slowdown.csv"));
  await Deno.writeTextFile(join(out, "findings.md"), findingsMarkdown(c, base, next));
  const figures = compareFigures({
    compare: c.compare,
    slowdown: c.slowdown,
    base: c.cells.base,
    next: c.cells.next,
  });
  const figureDir = join(out, "figures");
  await Deno.mkdir(figureDir, { recursive: true });
  for (const f of figures) {
    await Deno.writeTextFile(dataFile(figureDir, f.id, ".json"), JSON.stringify(f.figure) + "\n");
  }
  return figures;
}

/** The verdicts of a compare frame counted: "2 slower, 0 faster, 222 same, 35 inconclusive". */
export function verdictTally(compare: pl.DataFrame): string {
  const verdicts = compare.getColumn("verdict").toArray() as string[];
  const count = (v: string) => `${verdicts.filter((x) => x === v).length} ${v}`;
  return ["slower", "faster", "same", "inconclusive"].map(count).join(", ");
}

/** Runs `deno task compare` and returns its summary line. */
export async function compare({ base, next, out, options }: CompareArgs): Promise<string> {
  await checkOutput(out, "compare", { inputs: [base, next] });
  const c = await compareDatasets(base, next, options);
  const rsvgConvert = findRsvgConvert();
  await replaceFolder(out, "compare", async (dir) => {
    const figures = await writeComparison(c, dir, base, next);
    await writeFigureFiles(figures, join(dir, "figures"), { rsvgConvert });
  });
  const files = rsvgConvert ? "JSON, SVG and PDF" : "JSON and SVG (no rsvg-convert: no PDF)";
  return `compared ${c.compare.height} cells (${verdictTally(c.compare)}) and ` +
    `${c.slowdown.height} slowdown rows: wrote compare.csv, slowdown.csv, findings.md and the ` +
    `figures (${files}) to ${out}` + (c.compare.height === 0 ? `\n${c.findings.compare[0]}` : "");
}

if (import.meta.main) {
  await run(async () => {
    exitWithParent();
    console.log(await compare(parseCompareArgs(Deno.args)));
  });
}
