/**
 * The one SVG renderer (render/svg.ts): every figure of the thesis is well-formed XML (read by
 * Python's XML parser), draws what its data holds (boxes at R's quartiles, each distinct
 * outlier once, the means, the lines of Figure 31 at the samples' values, the bars of Figure
 * 33 at Table 18's means, read back through the drawn tick labels), keeps a dataset's strings
 * as text, and is the same bytes in the report's figures/ and in a notebook.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import {
  boxStats,
  coldStartRows,
  durationFigure,
  durationTable,
  type FigureSpec,
  INIT_PHASES,
  latencyBoxFigure,
  resourceSeries,
  thesisFigures,
} from "../pipeline/mod.ts";
import { figureSvg, paperSvg } from "../render/svg.ts";
import { buildReport } from "../cli/report.ts";
import { figureBundle } from "../notebooks/_display.ts";
import { PYTHON } from "../cli/notebooks.ts";

const ds = await readDataset(new URL("../data/thesis", import.meta.url).pathname);
const figures = thesisFigures(ds);
const byId = (id: string) => figures.find((f) => f.id === id)!;

/** Parsed by Python's XML parser: every element's tag and every text, per file. */
async function parseXml(svgs: string[]): Promise<{ tags: string[]; texts: string[] }[]> {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-svg-" });
  const files = await Promise.all(svgs.map(async (svg, i) => {
    const file = join(dir, `${i}.svg`);
    await Deno.writeTextFile(file, svg);
    return file;
  }));
  const script = "import json, sys, xml.etree.ElementTree as E\n" +
    "out = []\n" +
    "for f in sys.argv[1:]:\n" +
    "    root = E.parse(f).getroot()\n" +
    "    out.append({'tags': sorted({e.tag.split('}')[-1] for e in root.iter()}),\n" +
    "                'texts': [''.join(e.itertext()) for e in root.iter() if e.tag.endswith('}text')]})\n" +
    "print(json.dumps(out))\n";
  const r = await new Deno.Command(PYTHON, { args: ["-c", script, ...files], stderr: "piped" })
    .output();
  await Deno.remove(dir, { recursive: true });
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

/** The value at a pixel of the y axis, from two of its drawn tick labels (linear axes). */
function yAxis(svg: string, panel = 0): (pixel: number) => number {
  const axes = svg.split('<g class="axes">').slice(1);
  const ticks = [
    ...axes[panel].matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="end">([^<]+)</g),
  ]
    .map((m) => [Number(m[1]), Number(m[2].replaceAll(",", ""))]);
  assert.ok(ticks.length >= 2, "at least two y tick labels");
  // Labels sit 0.35 font sizes below their tick: the offset cancels in the slope, and the
  // intercept is taken from the same offset of the font size.
  const font = Number(/font-size="([\d.]+)"/.exec(svg)![1]);
  const [[p1, v1], [p2, v2]] = [ticks[0], ticks.at(-1)!].map(([p, v]) => [p - font * 0.35, v]);
  return (pixel) => v1 + (pixel - p1) * (v2 - v1) / (p2 - p1);
}

/** Attributes of every element `<tag class="cls" ...>`. */
function elements(svg: string, tag: string, cls: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag} class="${cls}"([^>]*)>`, "g"))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]))
  );
}

const close = (a: number, b: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tolerance, `${what}: drawn ${a}, data ${b}`);

Deno.test("every thesis figure is well-formed SVG at each paper size, titles kept or not", async () => {
  const svgs = figures.flatMap((f) => [
    paperSvg(f),
    paperSvg(f, { size: "column" }),
    paperSvg(f, { keepTitleAndLegend: true }),
  ]);
  const parsed = await parseXml(svgs);
  assert.equal(parsed.length, 3 * figures.length);
  for (const [i, p] of parsed.entries()) {
    assert.ok(p.tags.includes("svg") && p.tags.includes("text"), figures[Math.floor(i / 3)].id);
    assert.ok(!p.tags.includes("script"));
  }
  for (const f of figures) {
    assert.match(paperSvg(f), /^<svg [^>]*width="672" height="\d+"/, f.id);
    assert.match(paperSvg(f, { size: "column" }), /^<svg [^>]*width="336" height="\d+"/, f.id);
    assert.doesNotMatch(paperSvg(f), /class="title"/, `${f.id}: the caption says it`);
    assert.match(paperSvg(f, { keepTitleAndLegend: true }), /class="title"/, f.id);
    assert.doesNotMatch(paperSvg(f), />-?[\d.]+k</, `${f.id}: milliseconds written out`);
  }
});

Deno.test("panels are square at both paper sizes, as the thesis's ggplot2 figures", () => {
  for (const id of ["figure_05", "figure_13", "figure_31", "figure_31_thesis", "figure_32"]) {
    for (const size of ["text", "column"] as const) {
      const plots = elements(paperSvg(byId(id), { size }), "rect", "plot");
      assert.equal(plots.length, id.startsWith("figure_3") ? 2 : 1);
      for (const p of plots) {
        const [w, h] = [Number(p.width), Number(p.height)];
        assert.ok(Math.abs(w - h) <= 1.5, `${id} ${size}: ${w} x ${h}`);
      }
    }
  }
});

Deno.test("figure_05: one box per level at R's quartiles, each distinct outlier once, the means and maxima", () => {
  const svg = paperSvg(byId("figure_05"));
  const rows = coldStartRows(ds.activations).filter(
    pl.col("runtime").eq(pl.lit("docker")).and(pl.col("workload").eq(pl.lit("hello"))),
  );
  const stats = boxStats(rows);
  assert.equal(stats.length, 15);
  const value = yAxis(svg);
  const boxes = [...svg.matchAll(/<g class="box"[^>]*>(.*?)<\/g>/g)].map((m) => m[1]);
  assert.equal(boxes.length, 15);
  // Coordinates are written with two decimals: a value is read back within 0.05 px.
  const tolerance = Math.abs(value(0) - value(0.05));
  for (const [i, b] of stats.entries()) {
    const rect = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/.exec(boxes[i])!;
    close(value(Number(rect[1])), b.q3, tolerance, `level ${b.level} q3`);
    close(value(Number(rect[1]) + Number(rect[2])), b.q1, tolerance, `level ${b.level} q1`);
    const median = /<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"[^>]*\/>$/.exec(boxes[i])!;
    close(value(Number(median[1])), b.median, tolerance, `level ${b.level} median`);
  }
  const markers = svg.split('<g class="markers"').slice(1);
  assert.equal(markers.length, 2, "outliers, then means");
  const outliers = markers[0].match(/<circle class="marker"/g)?.length;
  assert.equal(outliers, stats.reduce((n, b) => n + b.outliers.length, 0));
  const means = elements(markers[1].split("</g>")[0], "rect", "marker");
  assert.equal(means.length, 15);
  for (const [i, m] of means.entries()) {
    const centre = Number(m.y) + Number(m.height) / 2;
    close(value(centre), stats[i].mean, tolerance, `mean ${i + 1}`);
  }
  const maxima = [...svg.matchAll(/<text class="annotation"[^>]*>([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(maxima, stats.map((b) => String(Number(b.max.toFixed(1)))));
});

Deno.test("figure_31: both lines through every sample, at its value; the extremes labelled", () => {
  const svg = paperSvg(byId("figure_31"));
  const series = resourceSeries(ds.resources).filter(pl.col("runtime").eq(pl.lit("docker")))
    .sort("sample");
  const lines = elements(svg, "path", "line");
  assert.equal(lines.length, 2, "CPU and memory");
  for (const [panel, column] of [[0, "cpu_pct"], [1, "mem_mib"]] as const) {
    const value = yAxis(svg, panel);
    const ys = [...lines[panel].d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    const data = series.getColumn(column).toArray() as number[];
    assert.equal(ys.length, data.length, `${column}: one point per sample`);
    const tolerance = Math.abs(value(0) - value(0.05));
    ys.forEach((y, i) => close(value(y), data[i], tolerance, `${column} sample ${i + 1}`));
  }
  assert.match(svg, /class="annotation"[^>]*>773\.37</, "the CPU peak, as Table 17");
});

Deno.test("figure_33: one bar per action and phase, side by side, at Table 18's means", () => {
  const table = durationTable(ds.timings, INIT_PHASES);
  const svg = paperSvg(durationFigure(table, INIT_PHASES, "figure_33"));
  const bars = elements(svg, "rect", "bar");
  const rows = table.toRecords() as { mean: number }[];
  assert.equal(bars.length, rows.length);
  assert.equal(bars.length, 10, "5 actions, 2 phases");
  const value = yAxis(svg);
  const tolerance = Math.abs(value(0) - value(0.05));
  const drawn = bars.map((b) => value(Number(b.y))).sort((a, b) => a - b);
  const means = rows.map((r) => r.mean).sort((a, b) => a - b);
  drawn.forEach((v, i) => close(v, means[i], tolerance, `bar ${i}`));
  for (const b of bars) close(value(Number(b.y) + Number(b.height)), 0, tolerance, "from zero");
  assert.match(svg, /<g class="legend">.*>overhead<.*>init</s, "the phases told apart");
});

Deno.test("a dataset's strings stay text: a runtime named <script> is escaped, never an element; a NUL is replaced", async () => {
  const evil = `<script>alert("x")</script> & "q"`;
  const control = "nul\u0000 and \uD800 alone";
  const rows = pl.DataFrame({
    runtime: [evil, evil, evil],
    workload: ["hello", "hello", "hello"],
    level: [1, 1, 2],
    latency_ms: [10, 20, 30],
  });
  const box = latencyBoxFigure(rows, { runtime: evil, workload: "hello", kind: "cold_start" });
  const bars: FigureSpec = {
    id: "b",
    title: evil,
    figure: {
      data: [{ type: "bar", name: evil, x: [evil, "a"], y: [1, 2] }, {
        type: "bar",
        name: control,
        x: ["a"],
        y: [3],
      }],
      layout: { title: { text: evil }, xaxis: { title: { text: evil } } },
    },
  };
  const svgs = [
    paperSvg(box, { keepTitleAndLegend: true }),
    paperSvg(bars, { keepTitleAndLegend: true }),
  ];
  for (const svg of svgs) assert.ok(!svg.includes("<script"), "escaped in the file");
  const parsed = await parseXml(svgs);
  for (const p of parsed) {
    assert.ok(!p.tags.includes("script"));
    assert.ok(p.texts.some((t) => t.includes(evil)), "shown as the text it is");
  }
  assert.ok(parsed[1].texts.includes("nul\uFFFD and \uFFFD alone"), "XML cannot hold a NUL");
});

Deno.test("figureSvg() draws boxes from values or from their own numbers, stacked bars, two panels", () => {
  const fromValues = figureSvg({
    data: [
      { type: "box", x0: 1, y: [1, 2, 3, 4, 100] },
      { type: "box", x0: 2, y: [2, 3, 4] },
      { type: "scatter", mode: "markers", name: "Mean", x: [1, 2], y: [22, 3] },
    ],
    layout: { title: { text: "A <title>" }, annotations: [{ x: 1, y: 100, text: "100" }] },
  });
  assert.equal(fromValues.match(/<g class="box"/g)?.length, 2);
  assert.ok(fromValues.includes("A &#60;title&#62;") && fromValues.includes(">100</text>"));
  const stacked = figureSvg({
    data: [
      { type: "bar", name: "wasi", x: ["a", "b"], y: [1, 2] },
      { type: "bar", name: "module", x: ["a", "b"], y: [3, null] },
    ],
    layout: { barmode: "stack" },
  });
  const bars = elements(stacked, "rect", "bar");
  assert.equal(bars.length, 3, "a missing value draws no bar");
  assert.equal(bars[0].x, bars[2].x, "a's phases on top of each other");
  close(Number(bars[2].y) + Number(bars[2].height), Number(bars[0].y), 0.011, "module on wasi");
  // An action named "1" beside "hash" is a category too, as Plotly makes it.
  const mixed = elements(
    figureSvg({ data: [{ type: "bar", x: ["1", "hash"], y: [1, 2] }], layout: {} }),
    "rect",
    "bar",
  );
  assert.equal(mixed.length, 2);
  assert.ok(Number(mixed[0].x) > 80 && Number(mixed[1].x) > Number(mixed[0].x) + 100, "apart");
  const own = figureSvg({
    data: [
      { type: "box", x0: 1, q1: [20], median: [30], q3: [40], lowerfence: [10], upperfence: [70] },
      { type: "scatter", mode: "markers", showlegend: false, x: [1, 1, 1], y: [90, 90, 95] },
      { type: "scatter", mode: "lines", x: [1, 2], y: [5, 6], xaxis: "x2", yaxis: "y2" },
    ],
    layout: {
      xaxis: { domain: [0, 0.45] },
      xaxis2: { domain: [0.55, 1] },
      annotations: [{ x: 2, y: 6, xref: "x2", yref: "y2", text: "peak" }],
    },
  });
  assert.equal(own.match(/<g class="box"/g)?.length, 1);
  assert.equal(own.match(/<circle class="marker"/g)?.length, 2, "one marker per distinct point");
  assert.equal(elements(own, "path", "line").length, 1);
  const peak = /<text class="annotation"[^>]* x="([\d.]+)"[^>]*>peak<\/text>/.exec(own);
  assert.ok(peak && Number(peak[1]) > 450, "the label sits on the right panel");
});

Deno.test("log axes: decades written out, values placed by their logarithm", () => {
  const svg = figureSvg({
    data: [{ type: "scatter", mode: "lines", x: [1, 10, 1000], y: [0.1, 0.5, 1] }],
    layout: { xaxis: { type: "log" }, width: 600, height: 400 },
  });
  const labels = [...svg.matchAll(/text-anchor="middle">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(labels, ["1", "10", "100", "1,000"]);
  const [x1, x10, x1000] = [...elements(svg, "path", "line")[0].d.matchAll(/[ML]([\d.]+) /g)]
    .map((m) => Number(m[1]));
  close((x10 - x1) * 2, x1000 - x10, 0.03, "a decade each");
});

Deno.test("the report's SVG files and the notebooks' static SVGs are the same bytes", async () => {
  const out = await Deno.makeTempDir({ prefix: "whiskbench-report-" });
  const r = await buildReport({ data: "data/thesis", out, rsvgConvert: null, log: () => {} });
  assert.equal(r.exported, figures.length);
  for (const f of figures) {
    const file = await Deno.readTextFile(join(out, "figures", `${f.id}.svg`));
    assert.equal(file, `${figureBundle(f)["image/svg+xml"]}\n`, f.id);
  }
  // And as committed: the cold-start notebook's Figure 5 is the report's file.
  const nb = JSON.parse(await Deno.readTextFile("notebooks/01_cold_start.ipynb"));
  const shown = nb.cells.flatMap((c: { outputs?: { data?: Record<string, unknown> }[] }) =>
    c.outputs ?? []
  ).map((o: { data?: Record<string, unknown> }) => o.data?.["image/svg+xml"])
    .filter((s: unknown) => s !== undefined).map((s: string | string[]) => [s].flat().join(""));
  const file = await Deno.readTextFile(join(out, "figures", "figure_05.svg"));
  assert.ok(shown.includes(file.slice(0, -1)), "notebooks/01_cold_start.ipynb shows figure_05.svg");
  await Deno.remove(out, { recursive: true });
});
