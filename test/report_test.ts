/// <reference lib="dom" />
/**
 * `deno task report` end to end: the files it writes, their determinism, the LaTeX and
 * thesis-layout tables, a dataset with parts missing, the path without a browser, and the
 * HTML page opened in real headless Chromium (no console errors, every figure drawn, every
 * table there; a screenshot is left in test_output/ as an artefact of the run).
 */
import assert from "node:assert/strict";
import { drawEveryPlot } from "./_browser.ts";
import { join } from "node:path";
import { ingest } from "../ingest/mod.ts";
import { buildReport } from "../cli/report.ts";
import { findChromium, withChromium } from "../render/chromium.ts";
import { activationLog, rawDir } from "./_raw_logs.ts";

const chromium = findChromium();
const ARTEFACTS = "test_output";

async function tree(dir: string, sub = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of Deno.readDir(join(dir, sub))) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory) { for (const [k, v] of await tree(dir, rel)) out.set(k, v); }
    else out.set(rel, await Deno.readTextFile(join(dir, rel)));
  }
  return out;
}

const quiet = () => {};

Deno.test({
  name: "report on data/thesis: files, figures exported, page renders in Chromium",
  ignore: !chromium && !Deno.env.get("CI"),
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  assert.ok(chromium, "CI must have Chromium: deno task setup installs it");
  const out = await Deno.makeTempDir({ prefix: "whiskbench-report-" });
  const progress: string[] = [];
  const r = await buildReport({
    data: "data/thesis",
    out,
    log: (l) => progress.push(l),
  });
  assert.deepEqual([r.tables, r.thesisTables, r.figures, r.exported, r.pdfs], [27, 29, 21, 21, 21]);
  assert.equal(progress.length, 21, "one progress line per exported figure");
  assert.match(progress[20], /\(21\/21\)$/);
  const svg = await Deno.readTextFile(join(out, "figures/figure_05.svg"));
  assert.match(svg, /^<svg[^>]*width="672" height="\d+"/, "7 in at 96 px/in: full text width");
  assert.match(svg, /Cold-start latency \(ms\)/);
  assert.doesNotMatch(svg, /Cold-start latency per level/, "no built-in title: the caption's");
  assert.doesNotMatch(svg, />\d+k</, "milliseconds written out, not 35k");
  const pdf = await Deno.readFile(join(out, "figures/figure_31.pdf"));
  assert.equal(new TextDecoder().decode(pdf.slice(0, 5)), "%PDF-");
  const page = /\/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]/.exec(new TextDecoder().decode(pdf));
  assert.equal(page?.[1], "504", "the SVG's 672 px at 96 px/in: a 7 in (504 pt) page");
  // Every exported file fits a paper's submission system (Figure 13's PDF was 5.4 MB).
  for await (const e of Deno.readDir(join(out, "figures"))) {
    if (!/\.(svg|pdf)$/.test(e.name)) continue;
    const { size } = await Deno.stat(join(out, "figures", e.name));
    assert.ok(size < 300_000, `figures/${e.name} is ${size} bytes, over 300 KB`);
  }

  await Deno.mkdir(ARTEFACTS, { recursive: true });
  const seen = await withChromium(chromium, async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    // Offline: any request leaving file:// would be a CDN the report must not need.
    const requests: string[] = [];
    page.on("request", (q) => {
      if (!q.url().startsWith("file:")) requests.push(q.url());
    });
    await page.goto(`file://${Deno.realPathSync(r.html)}`);
    // The text paints first; plots are drawn as they come into view. Measured, not asserted:
    // first paint depends on the machine.
    const firstPaint = await page.evaluate(() =>
      performance.getEntriesByName("first-contentful-paint")[0]?.startTime
    );
    console.error(`report.html: first contentful paint at ${firstPaint?.toFixed(0)} ms`);
    const drawnAtLoad = await page.evaluate(() =>
      document.querySelectorAll(".plot[data-drawn]").length
    );
    await drawEveryPlot(page);
    await page.waitForFunction(
      (n) =>
        [...document.querySelectorAll(".plot")].filter((e) => e.querySelector(".main-svg"))
          .length === n,
      21,
      { timeout: 60_000 },
    );
    const counts = await page.evaluate(() => ({
      plots: document.querySelectorAll(".plot").length,
      boxes: document.querySelectorAll("#figure_05 .boxlayer .trace").length,
      described: document.querySelectorAll(".plot[role=img][aria-label]").length,
      thesisTables: document.querySelectorAll("figure.thesis-table").length,
      marked: document.querySelectorAll("table.computed td.dev").length,
      errata: document.querySelectorAll("table.errata tbody tr").length,
      firstCell: document.querySelector("#table_3 table.computed tbody td")?.textContent,
      nodata: document.querySelectorAll(".nodata").length,
      files: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")!)
        .filter((href) => !href.startsWith("#")),
      navTop: getComputedStyle(document.querySelector("nav")!).position,
      provenance: document.querySelector("#provenance > p")?.textContent,
      provenanceOpen: document.querySelector("#provenance details")?.hasAttribute("open"),
    }));
    await page.screenshot({ path: join(ARTEFACTS, "report.png"), fullPage: false });
    await page.locator("#figure_05").screenshot({ path: join(ARTEFACTS, "figure_05.png") });
    await page.locator("#table_14").screenshot({ path: join(ARTEFACTS, "table_14.png") });
    const cloudButtons = await page.evaluate(() =>
      document.querySelectorAll(
        '[data-title*="Chart Studio"], [data-title*="cloud" i], [data-title*="share" i]',
      ).length
    );
    return { errors, requests, counts, drawnAtLoad, cloudButtons };
  });
  assert.ok(seen.drawnAtLoad < 21, `${seen.drawnAtLoad} of 21 plots drawn before any scrolling`);
  assert.equal(seen.cloudButtons, 0, "no mode-bar button that needs the network");
  assert.deepEqual(seen.errors, []);
  assert.deepEqual(seen.requests, []);
  assert.equal(seen.counts.plots, 21);
  assert.equal(seen.counts.described, 21, "every plot has a text alternative");
  assert.equal(seen.counts.boxes, 15, "one box per level in Figure 5");
  assert.equal(seen.counts.thesisTables, 29);
  // 22 thesis-mode cells and 3 off cells are marked, and each is listed with its cause.
  assert.equal(seen.counts.marked, 25);
  assert.equal(seen.counts.errata, 25);
  assert.equal(seen.counts.firstCell, "2.8952049", "Table 3, level 1, CoV as printed");
  assert.equal(seen.counts.nodata, 0);
  assert.equal(seen.counts.navTop, "sticky", "the table of contents stays visible");
  assert.match(
    seen.counts.provenance ?? "",
    /^dataset data\/thesis, @whiskbench\/whiskbench 0\.1\.0, commit (\w{12}|unknown[^,]*)[^,]*, built \d{4}-/,
  );
  assert.equal(seen.counts.provenanceOpen, false, "the whole record collapsed");
  // A link to every file the report wrote for a table or figure, and every link resolves.
  assert.equal(seen.counts.files.length, 3 * 27 + 3 * 29 + 3 * 21);
  for (const href of seen.counts.files) {
    assert.ok((await Deno.stat(join(out, href))).isFile, `${href} does not resolve`);
  }
  console.log(`screenshot: ${ARTEFACTS}/report.png`);
  await Deno.remove(out, { recursive: true });
});

Deno.test("report: tables and figure specs are the same on every run; no machine paths", async () => {
  const a = await Deno.makeTempDir({ prefix: "whiskbench-report-a-" });
  const b = await Deno.makeTempDir({ prefix: "whiskbench-report-b-" });
  await buildReport({ data: "data/thesis", out: a, exportFigures: false, log: quiet });
  await buildReport({ data: "data/thesis", out: b, exportFigures: false, log: quiet });
  const [ta, tb] = [await tree(a), await tree(b)];
  assert.deepEqual([...ta.keys()].sort(), [...tb.keys()].sort());
  for (const [name, text] of ta) {
    if (name === "provenance.json" || name === "report.html") continue;
    assert.equal(tb.get(name), text, `${name} differs between two runs`);
  }
  // The page differs in its provenance block only.
  const strip = (html: string) => html.replace(/<section id="provenance">.*?<\/section>/s, "");
  assert.equal(strip(ta.get("report.html")!), strip(tb.get("report.html")!));
  for (const [name, text] of ta) {
    if (name.endsWith(".html")) continue; // plotly.js source is inlined there
    assert.ok(!text.includes(Deno.cwd()), `${name} holds the working folder's absolute path`);
    assert.ok(!text.includes(a), `${name} holds the output folder's absolute path`);
  }
  const prov = JSON.parse(ta.get("provenance.json")!);
  assert.equal(prov.dataset.path, "data/thesis");
  assert.match(prov.tool.git_commit, /^[0-9a-f]{40}$|^unknown/);
  assert.equal(prov.runtime.deno, Deno.version.deno);
  assert.equal(prov.packages["nodejs-polars"], "0.25.2");
  assert.ok(!ta.get("report.html")!.includes(Deno.cwd() + "/"), "report.html holds a machine path");

  // The thesis-layout tables: Table 3 as printed (Markdown, LaTeX) and at full precision (CSV).
  const md = ta.get("tables/thesis/table_3.md")!;
  assert.match(md, /\| level 1 \| 2\.8952049 \| 83\.35295 \| 2879\.000 \|/);
  const tex = ta.get("tables/thesis/table_17.tex")!;
  assert.match(
    tex,
    /\\toprule\n & Docker & Wasm & vs\. Docker \\\\\n\\midrule\nmax\. CPU usage & 773\.37 & 182 & 4\.25/,
    "the thesis's own row and column labels",
  );
  assert.match(ta.get("tables/thesis/table_3.csv")!, /^row,cov_pct,sd,mean\nlevel 1,2\.8952049/);
  assert.match(ta.get("tables/cold_start_docker.tex")!, /\\begin\{tabular\}\{rrrrrrrrrrrr\}/);
  assert.equal(
    [...ta.keys()].filter((k) => k.startsWith("tables/thesis/") && k.endsWith(".tex")).length,
    29,
  );
  await Deno.remove(a, { recursive: true });
  await Deno.remove(b, { recursive: true });
});

Deno.test("report on a new dataset with one experiment: Δ % beside the thesis, empty sections listed once", async () => {
  const raw = await rawDir({
    "1_docker_cold_start.log": activationLog([[
      { level: 1, records: [{ id: "a", wait: 10, init: 300 }] },
      { level: 2, records: [{ id: "b", wait: 20, init: 310 }, { id: "c", wait: 30, init: 320 }] },
    ]]),
  });
  const data = await Deno.makeTempDir({ prefix: "whiskbench-data-" });
  await ingest(raw, `${data}/ds`, { meta: { name: "tiny" } });
  const out = await Deno.makeTempDir({ prefix: "whiskbench-report-" });
  const notes: string[] = [];
  const r = await buildReport({
    data: `${data}/ds`,
    out,
    rsvgConvert: null,
    log: (l) => notes.push(l),
  });
  assert.deepEqual([r.exported, r.pdfs], [1, 0], "SVG without a browser, no PDF");
  assert.match(
    r.exportNote,
    /as SVG; PDF export skipped: no rsvg-convert found; install Debian's librsvg2-bin/,
  );
  assert.deepEqual(notes, ["report: exported figure_05 (1/1)", `report: ${r.exportNote}`]);
  assert.equal(r.figures, 1, "the cold-start box plot of Docker only");
  const files = [...Deno.readDirSync(join(out, "figures"))].map((e) => e.name).sort();
  assert.deepEqual(files, ["figure_05.json", "figure_05.svg"]);
  const html = await Deno.readTextFile(r.html);
  // Compared with the published numbers of the thesis, as a new run (no errata, no marks).
  assert.match(html, /This dataset is a new run/);
  assert.ok(!html.includes('class="num dev'));
  // Every thesis section but cold start and the comparison (Table 9 has Docker's half) has no
  // data: each is left out of the page and the navigation, and all are listed once.
  assert.equal(html.match(/class="nodata"/g)?.length, 1);
  assert.match(
    html,
    /<p class="nodata">Left out, without data in this dataset: Benchmark actions; Warm latency, no load \(hello\); Warm latency, hash load; [^<]*; Executor durations\.<\/p>/,
  );
  assert.equal(
    html.match(/<section id="(actions|no_load|hash|mixed_\w+|capacity|durations)"/g),
    null,
  );
  assert.doesNotMatch(html, /<a href="#hash">/);
  assert.match(html, /<section id="cold_start"><h2>[^<]*<\/h2><figure/);
  assert.match(html, /<section id="precision">/);
  // Table 3 beside the thesis: no shading, a Δ % column instead. Level 1: (310 - 2879) / 2879
  // = -89.2 % of the mean, no sd or CoV; level 2 (330, 350): CoV 4.1594517 against 0.9208138
  // +351.7 %, sd 14.142136 against 34.64102 -59.2 %, mean 340 against 3762 -91.0 %.
  assert.ok(!html.includes('class="num differs"'));
  const table3 = html.slice(html.indexOf('<figure class="thesis-table" id="table_3">'));
  const delta = table3.slice(
    table3.indexOf('<table class="data delta">'),
    table3.indexOf("</table>", table3.indexOf('class="data delta"')),
  );
  assert.match(
    delta,
    /<tr><th>1<\/th><td class="num">–<\/td><td class="num">–<\/td><td class="num">-89\.2<\/td><\/tr>/,
  );
  assert.match(
    delta,
    /<tr><th>2<\/th><td class="num">\+351\.7<\/td><td class="num">-59\.2<\/td><td class="num">-91\.0<\/td><\/tr>/,
  );
  const t3 = await Deno.readTextFile(join(out, "tables/thesis/table_3.md"));
  assert.match(t3, /\| level 1 \| {2}\| {2}\| 310\.000 \|/, "one sample: no sd or CoV");
  assert.match(t3, /\| level 2 \| 4\.1594517 \| 14\.14214 \| 340\.000 \|/);
  for (const d of [raw, data, out]) await Deno.remove(d, { recursive: true });
});
