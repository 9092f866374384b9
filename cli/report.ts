/**
 * `deno task report [--data DIR] [--out DIR] [--baseline DIR] [--no-export] [--no-pdf]`: the
 * paper artifact from a dataset (default data/thesis -> report/):
 *
 * - report.html: one self-contained page (plotly.js inlined) in the thesis's order, every
 *   thesis table beside its published counterpart, the scorecard with every deviation and its
 *   cause, and a provenance block;
 * - tables/: every pipeline table as CSV (full precision), Markdown and LaTeX (booktabs), and
 *   tables/thesis/: the thesis's 29 tables in its layout, recomputed, in the same three forms;
 * - figures/: every figure as a Plotly spec (JSON) and, where Chromium is found, SVG and PDF;
 * - scorecard.txt / scorecard.json / published_vs_computed.md, provenance.json, report.md;
 * - with `--baseline DIR`: compare/ (as `deno task compare DIR DATA`) and a section of the page.
 *
 * Everything but provenance.json, report.html's provenance block and the PDFs' embedded dates
 * is the same byte for byte on every run over the same data.
 */
import { join } from "node:path";
import { exists, readDataset } from "../dataset/mod.ts";
import {
  computeTables,
  type FigureSpec,
  namedTables,
  PIPELINE_COLUMNS,
  thesisFigures,
  toLatex,
  toMarkdown,
} from "../pipeline/mod.ts";
import {
  comparisonMarkdown,
  scorecardText,
  thesisTableFrame,
  thesisTables,
  verify,
} from "../verify/mod.ts";
import {
  CHROMIUM_HINT,
  exportFigures,
  findChromium,
  plotlySource,
  withChromium,
} from "../render/chromium.ts";
import { type ReportComparison, reportHtml } from "../render/html.ts";
import pl from "nodejs-polars";
import { compareDatasets, findingsMarkdown, verdictTally, writeComparison } from "./compare.ts";
import type { CompareOptions } from "../pipeline/mod.ts";
import { provenance } from "../render/provenance.ts";
import { parse, run } from "./_args.ts";
import { DEFAULT_DATA, writeCsvs } from "./tables.ts";
import { readPublished } from "./verify.ts";

/** Options of {@linkcode buildReport}. */
export interface ReportOptions {
  data: string;
  out: string;
  /** A baseline dataset to compare `data` with (a section of the page, files in compare/). */
  baseline?: string;
  /** Threshold, seed and resamples of that comparison (default: `deno task compare`'s). */
  compare?: CompareOptions;
  /** Export figures to SVG (and PDF unless `pdf` is false) when a browser is found. */
  exportFigures?: boolean;
  pdf?: boolean;
  /** Chromium binary; default: {@linkcode findChromium}. `null`: behave as where none is. */
  chromium?: string | null;
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
  exportNote: string;
  html: string;
  scorecard: string;
}

async function exportAll(
  figures: FigureSpec[],
  dir: string,
  plotlyJs: string,
  options: ReportOptions,
  log: (line: string) => void,
): Promise<{ exported: number; note: string }> {
  if (options.exportFigures === false) {
    return { exported: 0, note: "SVG/PDF export was not asked for (--no-export)" };
  }
  const browser = options.chromium === undefined ? findChromium() : options.chromium;
  if (!browser) {
    const note = `SVG/PDF export skipped: no Chromium found; ${CHROMIUM_HINT}`;
    log(`report: ${note}`);
    return { exported: 0, note };
  }
  if (figures.length === 0) return { exported: 0, note: "no figures to export" };
  const done = await withChromium(browser, (b) =>
    exportFigures(b, figures, dir, {
      plotlyJs,
      pdf: options.pdf !== false,
      progress: (i, n, id) => log(`report: exported ${id} (${i}/${n})`),
    }));
  const kinds = options.pdf === false ? "SVG" : "SVG and PDF";
  return { exported: done.length, note: `every figure is also in figures/ as ${kinds}` };
}

/**
 * Compares `data` with `baseline` (cli/compare.ts), writes the files into
 * `out`/compare/, adds the findings to the Markdown report `md`, and returns the page's part.
 */
async function baselineComparison(
  { baseline = "", data, out, compare }: ReportOptions,
  md: string[],
): Promise<ReportComparison> {
  const c = await compareDatasets(baseline, data, compare);
  await writeComparison(c, join(out, "compare"), baseline, data);
  md.push(findingsMarkdown(c, baseline, data, 2));
  const level = pl.col("level"), verdict = pl.col("verdict");
  return {
    baseline,
    tally: verdictTally(c.compare),
    findings: [...c.findings.compare, ...c.findings.slowdownNew],
    pooled: c.compare.filter(level.eq(pl.lit("all"))),
    changed: c.compare.filter(level.neq(pl.lit("all")).and(verdict.isIn(["slower", "faster"]))),
  };
}

/** Builds the whole report from the dataset in `options.data` into `options.out`. */
export async function buildReport(options: ReportOptions): Promise<ReportResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const ds = await readDataset(options.data, { activationColumns: PIPELINE_COLUMNS });
  const computed = computeTables(ds);
  const tables = namedTables(computed);
  const figures = thesisFigures(ds);
  const tableDir = join(options.out, "tables");
  const thesisDir = join(tableDir, "thesis");
  const figureDir = join(options.out, "figures");
  await Deno.mkdir(thesisDir, { recursive: true });
  await Deno.mkdir(figureDir, { recursive: true });

  await writeCsvs(tables, tableDir);
  const md = [`# whiskbench report: ${ds.meta.name ?? options.data}\n`];
  for (const t of tables) {
    const body = toMarkdown(t.frame);
    await Deno.writeTextFile(join(tableDir, `${t.name}.md`), `# ${t.title}\n\n${body}`);
    await Deno.writeTextFile(
      join(tableDir, `${t.name}.tex`),
      toLatex(t.frame, { caption: t.title, label: `tab:${t.name}` }),
    );
    md.push(`## ${t.title}\n\n${body}`);
  }

  const ownData = await exists(join(options.data, "published.json"));
  const published = await readPublished(options.data);
  const card = verify(ds, published, computed);
  const thesis = thesisTables(published, card.cells);
  for (const t of thesis) {
    const printed = thesisTableFrame(t, "printed");
    thesisTableFrame(t, "full").writeCSV(join(thesisDir, `${t.id}.csv`));
    await Deno.writeTextFile(
      join(thesisDir, `${t.id}.md`),
      `# ${t.label}: ${t.title}\n\n${toMarkdown(printed, 4, t.columns)}`,
    );
    const align = Object.fromEntries(t.columns.map((c) => [c, "r" as const]));
    await Deno.writeTextFile(
      join(thesisDir, `${t.id}.tex`),
      toLatex(printed, { caption: `${t.title} (recomputed)`, label: `tab:${t.id}`, align }),
    );
  }

  for (const f of figures) {
    await Deno.writeTextFile(join(figureDir, `${f.id}.json`), JSON.stringify(f.figure) + "\n");
  }

  const text = scorecardText(card.cells);
  await Deno.writeTextFile(join(options.out, "scorecard.txt"), text);
  await Deno.writeTextFile(
    join(options.out, "published_vs_computed.md"),
    comparisonMarkdown(card.cells),
  );
  await Deno.writeTextFile(
    join(options.out, "scorecard.json"),
    JSON.stringify(card, null, 2) + "\n",
  );
  md.push(
    `## Figures\n\nPlotly specs in figures/: ${
      figures.map((f) => `${f.id} (${f.title})`).join(", ")
    }\n`,
    `## Scorecard against the published tables\n\n\`\`\`\n${text}\`\`\`\n\n` +
      "Every published cell beside the computed one: published_vs_computed.md\n",
  );

  const plotlyJs = await plotlySource();
  const exported = await exportAll(figures, figureDir, plotlyJs, options, log);
  const prov = await provenance({
    dataset: options.data,
    meta: ds.meta,
    command: options.command ??
      ["deno", "task", "report", "--data", options.data, "--out", options.out],
  });
  await Deno.writeTextFile(
    join(options.out, "provenance.json"),
    JSON.stringify(prov, null, 2) + "\n",
  );
  const comparison = options.baseline === undefined
    ? undefined
    : await baselineComparison(options, md);
  await Deno.writeTextFile(join(options.out, "report.md"), md.join("\n"));
  const html = join(options.out, "report.html");
  await Deno.writeTextFile(
    html,
    reportHtml({
      comparison,
      dataset: String(ds.meta.name ?? options.data),
      tables,
      figures,
      thesisTables: thesis,
      scorecard: card,
      ownData,
      exportNote: exported.note,
      provenance: prov,
      plotlyJs,
    }),
  );
  return {
    tables: tables.length,
    thesisTables: thesis.length,
    figures: figures.length,
    exported: exported.exported,
    exportNote: exported.note,
    html,
    scorecard: text,
  };
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(
      Deno.args,
      ["data", "out", "baseline"],
      ["no-export", "no-pdf"],
    );
    if (positionals.length > 0) {
      throw new Error(
        "usage: deno task report [--data DIR] [--out DIR] [--baseline DIR] [--no-export] [--no-pdf]",
      );
    }
    const started = performance.now();
    const r = await buildReport({
      data: values.data ?? DEFAULT_DATA,
      out: values.out ?? "report",
      baseline: values.baseline,
      exportFigures: !values["no-export"],
      pdf: !values["no-pdf"],
      command: ["deno", "task", "report", ...Deno.args],
    });
    console.log(r.scorecard);
    console.log(
      `wrote ${r.html}: ${r.tables} pipeline tables and ${r.thesisTables} thesis tables ` +
        `(CSV, Markdown, LaTeX), ${r.figures} figures (JSON${r.exported ? ", SVG, PDF" : ""}) ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s; ${r.exportNote}`,
    );
  });
}
