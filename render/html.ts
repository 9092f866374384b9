/**
 * The report as one self-contained HTML page: plotly.js, every figure spec and every table
 * are inlined, so the file works offline and can be mailed or archived alone. Pure: the page
 * is a function of its model, which keeps it testable without a browser and deterministic
 * apart from the provenance block. Every string of a dataset (names, ids, titles, labels) is
 * escaped where it lands, and a Content-Security-Policy lets only the page's own two scripts
 * run and nothing be fetched, so a crafted dataset cannot run script in a reader's browser.
 */
import { createHash } from "node:crypto";
import type pl from "nodejs-polars";
import type { FigureSpec, NamedTable } from "../pipeline/mod.ts";
import {
  cellsNeedingRuns,
  figureCaption,
  formatCell,
  repetitionsSummary,
} from "../pipeline/mod.ts";
import {
  type Scorecard,
  shown,
  thesisHeaders,
  thesisRowLabel,
  type ThesisTable,
  totals,
} from "../verify/mod.ts";
import { safeName } from "./out_path.ts";
import { OTHER_SECTION, sectionOf, SECTIONS, type SectionSpec } from "./sections.ts";

/** Every thesis table and figure id some section shows by name. */
const THESIS_ITEMS = new Set(SECTIONS.flatMap((s) => s.items));

/** Everything the page shows. */
export interface ReportModel {
  /** Dataset name, for the title. */
  dataset: string;
  /** Pipeline tables of the dataset (all statistics, full precision). */
  tables: NamedTable[];
  figures: FigureSpec[];
  /** Published tables with the computed cells, where a published.json was found. */
  thesisTables: ThesisTable[];
  scorecard?: Scorecard;
  /** True when the dataset is the one the published numbers came from (then a deviation is an
   * erratum or a bug); false for a new run compared with the published numbers. */
  ownData: boolean;
  /** What the figure export did, e.g. "SVG and PDF in figures/" or why it was skipped. */
  exportNote: string;
  /** The figure files written beside each JSON spec (`["svg", "pdf"]`), linked from the page. */
  figureFormats?: string[];
  /** Provenance block (already free of secrets and absolute paths). */
  provenance: Record<string, unknown>;
  /** plotly.js source, inlined. */
  plotlyJs: string;
  /** The comparison with a baseline dataset, where one was asked for (`--baseline`). */
  comparison?: ReportComparison;
}

/** What the page shows of a comparison with a baseline (cli/compare.ts). */
export interface ReportComparison {
  /** The baseline dataset's path, relative to the working folder, else its last part. */
  baseline: string;
  /** The verdicts counted, e.g. "2 slower, 0 faster, 222 same, 35 inconclusive". */
  tally: string;
  /** Generated sentences (pipeline/compare_findings.ts). */
  findings: string[];
  /** The comparison's figures (pipeline/compare_figures.ts), specs in compare/figures/. */
  figures: FigureSpec[];
  /** The files written beside each spec there (`["svg", "pdf"]`), linked from the page. */
  figureFormats?: string[];
  /** The compare frame's pooled rows, and its single levels judged slower or faster. */
  pooled: pl.DataFrame;
  changed: pl.DataFrame;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** A frame as an HTML table (numbers with at most `digits` decimals). */
export function frameHtml(frame: pl.DataFrame, digits = 4): string {
  const cols = frame.columns;
  const numeric = new Set(cols.filter((c) => frame.getColumn(c).isNumeric()));
  const head = cols.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = frame.toRecords().map((r) =>
    `<tr>${
      cols.map((c) =>
        `<td${numeric.has(c) ? ' class="num"' : ""}>${escapeHtml(formatCell(r[c], digits))}</td>`
      ).join("")
    }</tr>`
  );
  return `<table class="data"><thead><tr>${head}</tr></thead><tbody>${
    body.join("")
  }</tbody></table>`;
}

const MARK: Record<string, string> = {
  thesis_mode: "†",
  tolerance: "~",
  off: "≠",
};

/**
 * (computed − published) / |published| in %, one decimal and signed; null where either number
 * is missing or the published one is 0 or not a number.
 */
export function percentDifference(computed: number | null, published: string): string | null {
  const p = Number(published);
  if (computed === null || !Number.isFinite(computed) || !Number.isFinite(p) || p === 0) {
    return null;
  }
  const d = (computed - p) / Math.abs(p) * 100;
  const text = d.toFixed(1);
  return text === "0.0" || text === "-0.0" ? "0.0" : `${d > 0 ? "+" : ""}${text}`;
}

/** One thesis table: computed (deviations marked) beside published. */
export function thesisTableHtml(t: ThesisTable, ownData: boolean): string {
  const labels = thesisHeaders(t);
  const head = `<tr><th>${escapeHtml(labels.row)}</th>${
    t.columns.map((c) => `<th>${escapeHtml(labels[c] ?? c)}</th>`).join("")
  }</tr>`;
  const side = (which: "computed" | "published") =>
    t.rows.map((r) => {
      const cells = t.columns.map((col) => {
        const c = t.cell(r, col);
        if (!c) return "<td></td>";
        const mark = ownData ? MARK[c.status] : undefined;
        const cls = mark ? ` class="num dev ${c.status}"` : ' class="num"';
        const tip = mark
          ? ` title="${
            escapeHtml(
              `published ${c.published}, computed ${shown(c) || "n/a"}` +
                (ownData ? `: ${c.status}${c.cause ? `; ${c.cause}` : ""}` : ""),
            )
          }"`
          : "";
        const text = which === "computed" ? (shown(c) || "–") : c.published;
        return `<td${cls}${tip}>${escapeHtml(text)}${
          which === "computed" && mark ? `<sup>${mark}</sup>` : ""
        }</td>`;
      });
      return `<tr><th>${escapeHtml(thesisRowLabel(r))}</th>${cells.join("")}</tr>`;
    }).join("");
  // Another dataset's numbers are results, not errata: the difference from the published
  // number is shown in a column of its own, not graded.
  const delta = t.rows.map((r) =>
    `<tr><th>${escapeHtml(thesisRowLabel(r))}</th>${
      t.columns.map((col) => {
        const c = t.cell(r, col);
        if (!c) return "<td></td>";
        const d = percentDifference(c.computed, c.published);
        return `<td class="num">${d === null ? "–" : escapeHtml(d)}</td>`;
      }).join("")
    }</tr>`
  ).join("");
  return `<figure class="thesis-table" id="${escapeHtml(t.id)}">` +
    `<figcaption>${escapeHtml(t.label)}: ${escapeHtml(t.title)}</figcaption>` +
    `<div class="pair">` +
    `<div><h4>computed from this dataset</h4><table class="data computed"><thead>${head}</thead><tbody>${
      side("computed")
    }</tbody></table></div>` +
    `<div><h4>published</h4><table class="data published"><thead>${head}</thead><tbody>${
      side("published")
    }</tbody></table></div>` +
    (ownData ? "" : `<div><h4>Δ % (computed − published) / published</h4>` +
      `<table class="data delta"><thead>${head}</thead><tbody>${delta}</tbody></table></div>`) +
    `</div><p class="files">${
      fileLinks(`tables/thesis/${safeName(t.id)}`, TABLE_FORMATS)
    }</p></figure>`;
}

/** Links to the files `<base>.<ext>` the report wrote. */
function fileLinks(base: string, exts: string[]): string {
  return exts.map((e) =>
    `<a href="${escapeHtml(`${base}.${e}`)}">${escapeHtml(`${base}.${e}`)}</a>`
  )
    .join(" · ");
}

const TABLE_FORMATS = ["csv", "md", "tex"];

function figureHtml(f: FigureSpec, formats: string[] = [], dir = "figures"): string {
  const alt = f.description ? ` role="img" aria-label="${escapeHtml(f.description)}"` : "";
  const id = escapeHtml(f.id);
  return `<figure class="plot-figure" id="${id}"><div class="plot" data-figure="${id}"${alt}></div>` +
    `<figcaption>${escapeHtml(figureCaption(f))}</figcaption>` +
    (f.note ? `<p class="note">${escapeHtml(f.note)}</p>` : "") +
    `<p class="files">${fileLinks(`${dir}/${safeName(f.id)}`, ["json", ...formats])}</p></figure>`;
}

function pipelineTablesHtml(tables: NamedTable[]): string {
  if (tables.length === 0) return "";
  return `<details class="pipeline"><summary>All statistics of this section (${tables.length} ` +
    `pipeline table${
      tables.length === 1 ? "" : "s"
    }: n, mean, sd, CoV, median, p95, p99, min, max, errors)</summary>` +
    tables.map((t) =>
      `<h4 id="tbl-${escapeHtml(t.name)}">${escapeHtml(t.title)}</h4><p class="files">${
        fileLinks(`tables/${safeName(t.name)}`, TABLE_FORMATS)
      }</p>${frameHtml(t.frame)}`
    ).join("") + "</details>";
}

/** The cells whose median is not yet known within 5 %, and the runs each would need. */
function repetitionsHtml(tables: NamedTable[]): string {
  const t = tables.find((t) => t.name === "repetitions");
  if (!t) return "";
  const need = cellsNeedingRuns(t.frame);
  const intro = repetitionsSummary(t.frame);
  return `<h3>Cells that need more runs</h3><p>${escapeHtml(intro)}</p>` +
    (need.height > 0 ? frameHtml(need) : "");
}

function sectionHtml(
  s: SectionSpec,
  m: ReportModel,
  thesis: Map<string, ThesisTable>,
  figures: Map<string, FigureSpec>,
): string {
  const parts: string[] = [];
  const hasComputed = (t: ThesisTable) =>
    t.rows.some((r) => t.columns.some((c) => t.cell(r, c)?.computed != null));
  let withData = 0;
  for (const id of s.items) {
    const f = figures.get(id);
    if (f) {
      parts.push(figureHtml(f, m.figureFormats));
      withData++;
      continue;
    }
    const t = thesis.get(id);
    if (t) {
      parts.push(thesisTableHtml(t, m.ownData));
      if (hasComputed(t)) withData++;
    }
  }
  const own = m.tables.filter((t) => sectionOf(t.name) === s);
  const extraFigures = m.figures.filter((f) => !THESIS_ITEMS.has(f.id))
    .filter((f) => sectionOf(f.id) === s);
  for (const f of extraFigures) parts.push(figureHtml(f, m.figureFormats));
  withData += own.length + extraFigures.length;
  if (withData === 0 && s !== OTHER_SECTION) {
    // Another dataset's page leaves such a section out and lists it once (reportHtml).
    if (!m.ownData) return "";
    parts.unshift(`<p class="nodata">This dataset has no data for this section.</p>`);
  }
  if (s.id === "precision") parts.unshift(repetitionsHtml(m.tables));
  parts.push(pipelineTablesHtml(own));
  return `<section id="${s.id}"><h2>${escapeHtml(s.title)}</h2>${parts.join("")}</section>`;
}

function scorecardHtml(m: ReportModel): string {
  if (!m.scorecard) {
    return `<section id="scorecard"><h2>Against the published numbers</h2><p class="nodata">` +
      `No published.json found: nothing to compare with.</p></section>`;
  }
  const t = totals(m.scorecard.cells);
  const others = m.scorecard.cells.filter((c) => c.status !== "exact" && c.status !== "carried");
  const intro = m.ownData
    ? `Every number the thesis prints, recomputed from this dataset: ${t.cells} cells, ` +
      `${t.exact} exact at the printed precision, ${t.thesis_mode} exact only in the thesis's own ` +
      `way of computing them (marked †, corrected value shown), ${t.tolerance} within one unit of ` +
      `the last digit (~), ${t.off} off (≠); ${t.unexplained} not exact without a known cause. ` +
      `${t.carried} carried cells (Tables 1, 2), ${t.carried_agree} agree with dataset.json.`
    : `This dataset is a new run: its numbers are shown beside the published ones, with the ` +
      `difference in % of the published number (Δ %). Differences here are results, not errata.`;
  const list = m.ownData && others.length > 0
    ? `<table class="data errata"><thead><tr><th>cell</th><th>published</th><th>computed</th>` +
      `<th>grade</th><th>cause</th></tr></thead><tbody>${
        others.map((c) =>
          `<tr><td><a href="#${escapeHtml(c.table)}">${
            escapeHtml(`${c.label} ${c.row} ${c.column}`)
          }</a></td>` +
          `<td class="num">${escapeHtml(c.published)}</td><td class="num">${
            escapeHtml(c.computed === null ? "n/a" : String(Number(c.computed.toPrecision(10))))
          }</td><td>${escapeHtml(c.status)}</td><td>${
            escapeHtml(c.cause ?? "cause unknown")
          }</td></tr>`
        ).join("")
      }</tbody></table>`
    : "";
  return `<section id="scorecard"><h2>Against the published numbers</h2><p>${
    escapeHtml(intro)
  }</p>` +
    (list ? `<h3>Every deviation and its cause</h3>${list}` : "") + `</section>`;
}

/** The provenance block: a one-line summary, the whole record collapsed under it. */
function provenanceHtml(p: Record<string, unknown>): string {
  const tool = (p.tool ?? {}) as Record<string, unknown>;
  const dataset = (p.dataset ?? {}) as { path?: string };
  const summary =
    `dataset ${dataset.path ?? "?"}, ${tool.name ?? "whiskbench"} ${tool.version ?? "?"}, commit ${
      String(tool.git_commit ?? "?").slice(0, 12)
    }${tool.git_dirty ? " (modified)" : ""}, ` +
    `built ${p.generated_at ?? "?"}`;
  return `<p>${escapeHtml(summary)}</p><details><summary>The whole record</summary><pre>${
    escapeHtml(JSON.stringify(p, null, 2))
  }</pre></details>`;
}

/** The section on the baseline comparison; empty where none was asked for. */
function comparisonHtml(m: ReportModel): string {
  const c = m.comparison;
  if (!c) return "";
  const items = c.findings.map((f) => `<li>${escapeHtml(f)}</li>`).join("");
  const intro = `NEW ${m.dataset} against BASE ${c.baseline}, cell by cell: ${c.tally}. ` +
    "Every cell, the slowdowns and these findings: compare/compare.csv, compare/slowdown.csv, " +
    "compare/findings.md.";
  return `<section id="compare"><h2>Against the baseline</h2><p>${escapeHtml(intro)}</p>` +
    `<h3>Findings</h3><ul>${items}</ul>` +
    `<h3>Pooled over the shared levels</h3>${frameHtml(c.pooled)}` +
    (c.changed.height > 0
      ? `<h3>Single levels judged slower or faster</h3>${frameHtml(c.changed)}`
      : "") +
    (c.figures.length > 0
      ? `<h3>Figures</h3>${
        c.figures.map((f) => figureHtml(f, c.figureFormats, "compare/figures")).join("")
      }`
      : "") +
    `</section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px;color:#222}
nav{position:sticky;top:0;background:#fff;padding:4px 0;z-index:1} nav a{margin-right:.8em} h2{border-bottom:1px solid #ccc;margin-top:2em}
table.data{border-collapse:collapse;margin:.3em 0;font-variant-numeric:tabular-nums}
table.data th,table.data td{border-bottom:1px solid #e3e3e3;padding:2px 8px;text-align:left}
table.data td.num{text-align:right} .pair{display:flex;gap:24px;flex-wrap:wrap}
.pair h4{margin:.2em 0;font-weight:500;color:#555}
td.dev.thesis_mode{background:#fff4d6} td.dev.tolerance{background:#eef4ff}
td.dev.off{background:#ffd9d9} td.differs{background:#eef4ff}
figure{margin:1.2em 0} figcaption{font-weight:600} .files{color:#777;font-size:12px;margin:.2em 0}
.plot{width:100%;height:460px} .nodata{color:#a33} pre{background:#f6f6f6;padding:8px;overflow:auto}
details.pipeline{margin:1em 0} summary{cursor:pointer;color:#335}`;

/**
 * Draws each figure when it comes near the viewport, so the text paints first and a reader
 * waits only for the plots they look at; where IntersectionObserver is missing, all at once.
 * The mode bar keeps only buttons that work offline.
 */
const RENDER = `
const figures = JSON.parse(document.getElementById("figure-specs").textContent);
const config = { responsive: true, displaylogo: false, showSendToCloud: false,
  showEditInChartStudio: false, modeBarButtonsToRemove: ["sendDataToCloud"] };
const draw = (el) => {
  if (el.dataset.drawn) return;
  el.dataset.drawn = "1";
  const f = figures[el.dataset.figure];
  Plotly.newPlot(el, f.data, f.layout, config);
};
const plots = document.querySelectorAll(".plot");
if ("IntersectionObserver" in window) {
  const seen = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting) { seen.unobserve(e.target); draw(e.target); }
  }, { rootMargin: "400px" });
  plots.forEach((el) => seen.observe(el));
} else plots.forEach(draw);`;

/** `'sha256-…'`: a CSP source that allows exactly the inline script `source`. */
function scriptHash(source: string): string {
  return `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
}

/**
 * The page's Content-Security-Policy: its two inline scripts (plotly.js and the one that draws
 * the figures) by hash and nothing else, no request of any kind (`default-src 'none'`),
 * images only as data: URLs (plotly's own), inline styles (plotly sets them on every element).
 */
export function contentSecurityPolicy(scripts: string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(scriptHash).join(" ")}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "font-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The whole page. */
export function reportHtml(m: ReportModel): string {
  const thesis = new Map(m.thesisTables.map((t) => [t.id, t]));
  const figures = new Map(m.figures.map((f) => [f.id, f]));
  const hasOther = m.tables.some((t) => sectionOf(t.name) === OTHER_SECTION) ||
    m.figures.some((f) => !THESIS_ITEMS.has(f.id) && sectionOf(f.id) === OTHER_SECTION);
  const all = [...SECTIONS, ...(hasOther ? [OTHER_SECTION] : [])];
  const rendered = all.map((s) => sectionHtml(s, m, thesis, figures));
  const sections = all.filter((_, i) => rendered[i] !== "");
  const empty = all.filter((_, i) => rendered[i] === "");
  const emptyNote = empty.length === 0 ? "" : `<p class="nodata">${
    escapeHtml(
      `Left out, without data in this dataset: ${empty.map((s) => s.title).join("; ")}.`,
    )
  }</p>`;
  const nav = sections.map((s) => `<a href="#${s.id}">${escapeHtml(s.title)}</a>`).join(" ");
  const specs = Object.fromEntries(
    [...m.figures, ...(m.comparison?.figures ?? [])].map((f) => [f.id, f.figure]),
  );
  const plotly = m.plotlyJs.replace(/<\/script/gi, "<\\/script");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${
    escapeHtml(contentSecurityPolicy([plotly, RENDER]))
  }">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>whiskbench report: ${escapeHtml(m.dataset)}</title>
<style>${STYLE}</style>
</head><body>
<header><h1>whiskbench report: ${escapeHtml(m.dataset)}</h1>
<p>Cold-start and warm latency, capacity and executor durations of OpenWhisk actions in Docker
and WebAssembly, computed from the dataset by whiskbench's pipeline. Figures are interactive
(hover, zoom); ${escapeHtml(m.exportNote)}.</p>
<nav>${
    m.comparison ? '<a href="#compare">Against the baseline</a> ' : ""
  }<a href="#scorecard">Against the published numbers</a> ${nav} <a href="#provenance">Provenance</a></nav>
</header>
${comparisonHtml(m)}${scorecardHtml(m)}
${emptyNote}${rendered.filter((h) => h !== "").join("\n")}
<section id="provenance"><h2>Provenance</h2>${provenanceHtml(m.provenance)}</section>
<script type="application/json" id="figure-specs">${scriptJson(specs)}</script>
<script>${plotly}</script>
<script>${RENDER}</script>
</body></html>
`;
}
