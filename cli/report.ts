/**
 * `deno task report [--data DIR] [--out DIR] [--baseline DIR] [--no-export] [--no-pdf]
 * [--paper-size text|column] [--figure-titles]`: the paper artifact from a dataset (default
 * data/thesis -> report/):
 *
 * - report.html: one self-contained page (plotly.js inlined) in the thesis's order, every
 *   thesis table beside its published counterpart, the scorecard with every deviation and its
 *   cause, and a provenance block;
 * - tables/: every pipeline table as CSV (full precision), Markdown and LaTeX (booktabs), and
 *   tables/thesis/: the thesis's 29 tables in its layout, recomputed, in the same three forms;
 * - figures/: every figure as a Plotly spec (JSON), and as SVG (render/svg.ts, no browser) and
 *   PDF (from that SVG, where rsvg-convert is found) set for a paper's page (`paperFigure`:
 *   printed size, no title or mean legend unless `--figure-titles`);
 * - scorecard.txt / scorecard.json / published_vs_computed.md, provenance.json, report.md;
 * - with `--baseline DIR`: compare/ (as `deno task compare DIR DATA`) and a section of the page.
 *
 * Everything but provenance.json, report.html's provenance block and the PDFs' embedded dates
 * is the same byte for byte on every run over the same data. File names made from a dataset's
 * ids and names go through `dataFile` and every path through `outPath`: nothing is written
 * outside `--out`.
 */
import { join, relative } from "node:path";
import pl from "nodejs-polars";
import { type Dataset, exists, readDataset } from "../dataset/mod.ts";
import { checkOutput, exitWithParent, replaceFolder, userPath } from "../dataset/folder.ts";
import {
  cellsNeedingRuns,
  computeTables,
  escapeMarkdown,
  type FigureSpec,
  type NamedTable,
  namedTables,
  PAPER_SIZES,
  type PaperFigureOptions,
  type PaperSize,
  PIPELINE_COLUMNS,
  repetitionsSummary,
  thesisFigures,
  toLatex,
  toMarkdown,
} from "../pipeline/mod.ts";
import {
  comparisonMarkdown,
  deviationNotes,
  type Published,
  readPublished,
  scorecardText,
  thesisHeaders,
  thesisRowLabel,
  thesisTableFrame,
  thesisTables,
  verify,
} from "../verify/mod.ts";
import { plotlySource } from "../render/plotly_js.ts";
import { writeFigureFiles } from "../render/figure_files.ts";
import { findRsvgConvert, RSVG_CONVERT_HINT } from "../render/pdf.ts";
import { type ReportComparison, reportHtml } from "../render/html.ts";
import { dataFile, outPath } from "../render/out_path.ts";
import { csvSafe } from "../pipeline/csv_safe.ts";
import { pathRoots, provenance } from "../render/provenance.ts";
import { scrub } from "../render/redact.ts";
import {
  compareDatasets,
  findingsMarkdown,
  shownDataset,
  verdictTally,
  writeComparison,
} from "./compare.ts";
import type { CompareOptions } from "../pipeline/mod.ts";
import { parse, run } from "./_args.ts";
import { DEFAULT_DATA, writeCsvs } from "./tables.ts";

/** Where the report goes when no --out is given: `report/` in the project root. */
export const DEFAULT_REPORT = new URL("../report", import.meta.url).pathname;

/** Options of {@linkcode buildReport}. */
export interface ReportOptions {
  data: string;
  out: string;
  /** A baseline dataset to compare `data` with (a section of the page, files in compare/). */
  baseline?: string;
  /** Threshold, seed and resamples of that comparison (default: `deno task compare`'s). */
  compare?: CompareOptions;
  /** Write each figure's SVG (render/svg.ts), and its PDF unless `pdf` is false. Default true. */
  exportFigures?: boolean;
  pdf?: boolean;
  /** How exported SVG and PDF files are set for a paper; default `paperFigure`'s. */
  paper?: PaperFigureOptions;
  /** rsvg-convert binary for the PDFs; default: {@linkcode findRsvgConvert}. `null`: behave
   * as where none is. */
  rsvgConvert?: string | null;
  /** The command line shown in the provenance block. */
  command?: string[];
  /** Progress and notes (default: stderr). */
  log?: (line: string) => void;
}

/** What {@linkcode buildReport} did. */
export interface ReportResult {
  tables: number;
  thesisTables: number;
  figures: number;
  exported: number;
  /** PDFs written (0 without rsvg-convert or with `pdf: false`). */
  pdfs: number;
  exportNote: string;
  html: string;
  scorecard: string;
  /**
   * What the command line prints of the scorecard: all of it for a dataset with its own
   * published numbers (the thesis); for another dataset one line, since the thesis's numbers
   * are shown beside its own on the page, not graded as if they were its errata.
   */
  summary: string;
}

/**
 * The figures' SVG files (unless `--no-export`) and PDFs (unless `--no-pdf`, and where
 * rsvg-convert is found; else said, with how to get it).
 */
async function exportAll(
  figures: FigureSpec[],
  dir: string,
  options: ReportOptions,
  log: (line: string) => void,
): Promise<{ exported: number; pdf: boolean; note: string }> {
  if (options.exportFigures === false) {
    return { exported: 0, pdf: false, note: "SVG/PDF export was not asked for (--no-export)" };
  }
  if (figures.length === 0) return { exported: 0, pdf: false, note: "no figures to export" };
  const found = options.rsvgConvert === undefined ? findRsvgConvert() : options.rsvgConvert;
  const rsvgConvert = options.pdf === false ? undefined : found ?? undefined;
  const done = await writeFigureFiles(figures, dir, {
    paper: options.paper,
    rsvgConvert,
    progress: (i, n, id) => log(`report: exported ${id} (${i}/${n})`),
  });
  if (options.pdf !== false && !rsvgConvert) {
    const note = `every figure is also in figures/ as SVG; PDF export skipped: no ` +
      `rsvg-convert found; ${RSVG_CONVERT_HINT}`;
    log(`report: ${note}`);
    return { exported: done.length, pdf: false, note };
  }
  const kinds = rsvgConvert ? "SVG and PDF" : "SVG";
  return {
    exported: done.length,
    pdf: !!rsvgConvert,
    note: `every figure is also in figures/ as ${kinds}`,
  };
}

/** A Markdown code fence that no run of backticks in `text` can close. */
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}\n${text}${fence}`;
}

/**
 * Compares `data` with `baseline` (cli/compare.ts), writes the files into
 * `out`/compare/ (its figures also as SVG and PDF, as the report's own), adds the findings to
 * the Markdown report `md`, and returns the page's part.
 */
async function baselineComparison(
  options: ReportOptions,
  root: string,
  md: string[],
  log: (line: string) => void,
): Promise<ReportComparison> {
  const { baseline = "", data, compare } = options;
  const c = await compareDatasets(baseline, data, compare);
  const figures = await writeComparison(c, outPath(root, "compare"), baseline, data);
  const exported = await exportAll(figures, outPath(root, "compare", "figures"), options, log);
  md.push(findingsMarkdown(c, baseline, data, 2));
  const level = pl.col("level"), verdict = pl.col("verdict");
  return {
    figures,
    figureFormats: exported.exported === 0 ? [] : exported.pdf ? ["svg", "pdf"] : ["svg"],
    baseline: shownDataset(baseline),
    tally: verdictTally(c.compare),
    findings: [...c.findings.compare, ...c.findings.slowdownNew],
    pooled: c.compare.filter(level.eq(pl.lit("all"))),
    changed: c.compare.filter(level.neq(pl.lit("all")).and(verdict.isIn(["slower", "faster"]))),
  };
}

/** One line on the thesis's published numbers beside another dataset's computed ones. */
function otherDatasetSummary(cells: { computed: unknown }[]): string {
  const computed = cells.filter((c) => c.computed !== null && c.computed !== undefined).length;
  return `the thesis's ${cells.length} published cells stand beside this dataset's numbers ` +
    `(${computed} computed from it, the rest without data here); not graded: the thesis's ` +
    `errata are not this dataset's. Every cell: report.html, published_vs_computed.md`;
}

/** Builds the whole report from the dataset in `options.data` into `options.out`. */
export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const inputs = [options.data, ...(options.baseline ? [options.baseline] : [])];
  await checkOutput(options.out, "report", { inputs });
  const read = await readDataset(options.data, { activationColumns: PIPELINE_COLUMNS });
  const prov = await provenance({
    dataset: options.data,
    meta: read.meta,
    command: options.command ??
      ["deno", "task", "report", "--data", options.data, "--out", options.out],
  });
  // Parts skipped as damaged are named in the provenance (relative to the dataset's folder).
  if (read.damaged) {
    (prov.dataset as Record<string, unknown>).damaged_parts = scrub(
      read.damaged.map((d) => ({ part: relative(options.data, d.part), error: d.error })),
      pathRoots(options.data),
    );
  }
  // Everything the report shows of dataset.json (its name, the actions of Tables 1 and 2) comes
  // from the provenance block's copy, free of secrets and machine paths.
  const shown = prov.dataset as { path: string; meta: Dataset["meta"] };
  const ds: Dataset = { ...read, meta: shown.meta };
  const computed = computeTables(ds);
  const report: Shown = {
    ds,
    name: String(shown.meta.name ?? shown.path),
    prov,
    computed,
    tables: namedTables(computed),
    figures: thesisFigures(ds),
    plotlyJs: await plotlySource(),
  };
  const built = await replaceFolder(
    options.out,
    "report",
    (root) => writeReport(options, root, report, log),
    { log },
  );
  return { ...built, html: join(options.out, "report.html") };
}

/** What a report shows, computed before its folder is written. */
interface Shown {
  ds: Dataset;
  name: string;
  prov: Record<string, unknown>;
  computed: ReturnType<typeof computeTables>;
  tables: NamedTable[];
  figures: FigureSpec[];
  plotlyJs: string;
}

/** Writes every file of the report into `root` (a new folder, swapped in afterwards). */
async function writeReport(
  options: ReportOptions,
  root: string,
  { ds, name, prov, computed, tables, figures, plotlyJs }: Shown,
  log: (line: string) => void,
): Promise<ReportResult> {
  const tableDir = outPath(root, "tables");
  const thesisDir = outPath(root, "tables", "thesis");
  const figureDir = outPath(root, "figures");
  await Deno.mkdir(thesisDir, { recursive: true });
  await Deno.mkdir(figureDir, { recursive: true });

  await writeCsvs(tables, tableDir);
  const md = [`# whiskbench report: ${escapeMarkdown(name)}\n`];
  for (const t of tables) {
    const body = toMarkdown(t.frame);
    await Deno.writeTextFile(
      dataFile(tableDir, t.name, ".md"),
      `# ${escapeMarkdown(t.title)}\n\n${body}`,
    );
    await Deno.writeTextFile(
      dataFile(tableDir, t.name, ".tex"),
      toLatex(t.frame, { caption: t.title, label: `tab:${t.name}` }),
    );
    md.push(`## ${escapeMarkdown(t.title)}\n\n${body}`);
  }
  const repetitions = tables.find((t) => t.name === "repetitions");
  if (repetitions) {
    const need = cellsNeedingRuns(repetitions.frame);
    md.push(
      `## Cells that need more runs\n\n${escapeMarkdown(repetitionsSummary(repetitions.frame))}` +
        `\n\n${need.height > 0 ? toMarkdown(need) : ""}`,
    );
  }

  const ownData = await exists(join(options.data, "published.json"));
  // A dataset's own published.json is untrusted text as well: its source, titles and labels
  // reach every file of the report.
  const ownPublished = await readPublished(options.data);
  const published = scrub(ownPublished, pathRoots(options.data)) as Published;
  const card = verify(ds, published, computed);
  const thesis = thesisTables(published, card.cells);
  for (const t of thesis) {
    const printed = thesisTableFrame(t, "printed");
    csvSafe(thesisTableFrame(t, "full")).writeCSV(dataFile(thesisDir, t.id, ".csv"));
    await Deno.writeTextFile(
      dataFile(thesisDir, t.id, ".md"),
      `# ${escapeMarkdown(`${t.label}: ${t.title}`)}\n\n${toMarkdown(printed, 4, t.columns)}`,
    );
    const align = Object.fromEntries(t.columns.map((c) => [c, "r" as const]));
    const rowLabels = pl.Series("row", t.rows.map(thesisRowLabel), pl.Utf8);
    await Deno.writeTextFile(
      dataFile(thesisDir, t.id, ".tex"),
      toLatex(printed.withColumns(rowLabels), {
        caption: `${t.title} (recomputed)`,
        label: `tab:${t.id}`,
        align,
        headers: thesisHeaders(t),
        ...deviationNotes(t),
      }),
    );
  }

  for (const f of figures) {
    await Deno.writeTextFile(dataFile(figureDir, f.id, ".json"), JSON.stringify(f.figure) + "\n");
  }

  const text = scorecardText(card.cells);
  await Deno.writeTextFile(outPath(root, "scorecard.txt"), text);
  await Deno.writeTextFile(
    outPath(root, "published_vs_computed.md"),
    comparisonMarkdown(card.cells),
  );
  await Deno.writeTextFile(
    outPath(root, "scorecard.json"),
    JSON.stringify(card, null, 2) + "\n",
  );
  md.push(
    `## Figures\n\nPlotly specs in figures/: ${
      figures.map((f) => escapeMarkdown(`${f.id} (${f.title})`)).join(", ")
    }\n`,
    `## Scorecard against the published tables\n\n${fenced(text)}\n\n` +
      "Every published cell beside the computed one: published_vs_computed.md\n",
  );

  const exported = await exportAll(figures, figureDir, options, log);
  await Deno.writeTextFile(
    outPath(root, "provenance.json"),
    JSON.stringify(prov, null, 2) + "\n",
  );
  const comparison = options.baseline === undefined
    ? undefined
    : await baselineComparison(options, root, md, log);
  await Deno.writeTextFile(outPath(root, "report.md"), md.join("\n"));
  const html = outPath(root, "report.html");
  await Deno.writeTextFile(
    html,
    reportHtml({
      comparison,
      dataset: name,
      tables,
      figures,
      thesisTables: thesis,
      scorecard: card,
      ownData,
      exportNote: exported.note,
      figureFormats: exported.exported === 0 ? [] : exported.pdf ? ["svg", "pdf"] : ["svg"],
      provenance: prov,
      plotlyJs,
    }),
  );
  return {
    tables: tables.length,
    thesisTables: thesis.length,
    figures: figures.length,
    exported: exported.exported,
    pdfs: exported.pdf ? exported.exported : 0,
    exportNote: exported.note,
    html,
    scorecard: text,
    summary: ownData ? text : otherDatasetSummary(card.cells),
  };
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["data", "out", "baseline", "paper-size"], [
      "no-export",
      "no-pdf",
      "figure-titles",
    ]);
    const size = values["paper-size"] ?? "text";
    if (positionals.length > 0 || !(size in PAPER_SIZES)) {
      throw new Error(
        "usage: deno task report [--data DIR] [--out DIR] [--baseline DIR] [--no-export] " +
          "[--no-pdf] [--paper-size text|column] [--figure-titles]",
      );
    }
    exitWithParent();
    const started = performance.now();
    const r = await buildReport({
      data: values.data ? userPath(values.data) : DEFAULT_DATA,
      out: values.out ? userPath(values.out) : DEFAULT_REPORT,
      baseline: values.baseline ? userPath(values.baseline) : undefined,
      exportFigures: !values["no-export"],
      pdf: !values["no-pdf"],
      paper: { size: size as PaperSize, keepTitleAndLegend: values["figure-titles"] === true },
      command: ["deno", "task", "report", ...Deno.args],
    });
    console.log(r.summary);
    console.log(
      `wrote ${r.html}: ${r.tables} pipeline tables and ${r.thesisTables} thesis tables ` +
        `(CSV, Markdown, LaTeX), ${r.figures} figures (JSON${r.exported ? ", SVG" : ""}${
          r.pdfs ? ", PDF" : ""
        }) ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s; ${r.exportNote}`,
    );
  });
}
