/**
 * Every figure whose raw data we hold, against what the thesis's own processing makes of the
 * raw logs in data/raw/thesis/, redone here independently of the pipeline: its R scripts read
 * the `4_` concurrency logs line by line (level 16 dropped, the `N:` label not a number), the
 * `2_` cold-start logs as `id level ms`, and the resource logs with `read.table(header =
 * TRUE)`; ggplot2 draws boxes with R's type 7 quartiles and 1.5 IQR whiskers.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readDataset } from "../dataset/mod.ts";
import { type FigureSpec, thesisFigures } from "../pipeline/figures.ts";

const RAW = new URL("../data/raw/thesis/", import.meta.url).pathname;
const ds = await readDataset(new URL("../data/thesis", import.meta.url).pathname);
const figures = thesisFigures(ds);
const byId = (id: string) => figures.find((f) => f.id === id)!;
const lines = async (file: string) =>
  (await Deno.readTextFile(RAW + file)).split("\n").filter((l) => l.trim() !== "");

// deno-lint-ignore no-explicit-any
type Trace = Record<string, any>;
const traces = (f: FigureSpec) => f.figure.data as Trace[];

/** R's `quantile(x, p, type = 7)`. */
function quantile7(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p, lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]);
}

/** What ggplot2's `geom_boxplot` draws for one group, plus the mean and maximum labelled. */
function ggplotBox(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  const [q1, median, q3] = [0.25, 0.5, 0.75].map((p) => quantile7(s, p));
  const lo = q1 - 1.5 * (q3 - q1), hi = q3 + 1.5 * (q3 - q1);
  const inside = s.filter((v) => v >= lo && v <= hi);
  return {
    q1,
    median,
    q3,
    lower: inside[0],
    upper: inside.at(-1)!,
    outliers: [...new Set(s.filter((v) => v < lo || v > hi))],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    max: s.at(-1)!,
  };
}

/** The boxes a figure draws, in the shape of {@linkcode ggplotBox}, by level. */
function drawnBoxes(f: FigureSpec) {
  const t = traces(f);
  const outliers = t.find((x) => x.name === "Outliers")!;
  const mean = t.find((x) => x.name === "Mean")!;
  return t.filter((x) => x.type === "box").map((b, i) => ({
    q1: b.q1[0],
    median: b.median[0],
    q3: b.q3[0],
    lower: b.lowerfence[0],
    upper: b.upperfence[0],
    outliers: (outliers.y as number[]).filter((_, k) => outliers.x[k] === b.x0),
    mean: mean.y[i],
    max: (f.figure.layout.annotations as Trace[])[i].y,
  }));
}

const FILE_WORKLOADS: Record<string, string> = {
  hello: "hello",
  hash: "hash",
  mixed_10_90: "mixed_1_9",
  mixed_25_75: "mixed_25_75",
  mixed_50_50: "mixed_5_5",
  mixed_75_25: "mixed_75_25",
  mixed_90_10: "mixed_9_1",
};

const WARM: [string, string, string][] = [
  ["figure_07", "docker", "hello"],
  ["figure_08", "wasm", "hello"],
  ["figure_09", "docker", "hash"],
  ["figure_11", "wasm", "hash"],
  ["figure_13", "docker", "mixed_10_90"],
  ["figure_14", "wasm", "mixed_10_90"],
  ["figure_15", "docker", "mixed_25_75"],
  ["figure_17", "wasm", "mixed_25_75"],
  ["figure_19", "docker", "mixed_50_50"],
  ["figure_21", "wasm", "mixed_50_50"],
  ["figure_23", "docker", "mixed_75_25"],
  ["figure_25", "wasm", "mixed_75_25"],
  ["figure_27", "docker", "mixed_90_10"],
  ["figure_29", "wasm", "mixed_90_10"],
];

function assertBoxes(f: FigureSpec, groups: number[][]) {
  const drawn = drawnBoxes(f);
  assert.equal(drawn.length, groups.length, f.id);
  groups.forEach((values, i) => {
    const want = ggplotBox(values), got = drawn[i];
    assert.deepEqual(got.outliers, want.outliers, `${f.id} level ${i + 1} outliers`);
    for (const k of ["q1", "median", "q3", "lower", "upper", "max"] as const) {
      assert.equal(got[k], want[k], `${f.id} level ${i + 1} ${k}`);
    }
    assert.ok(Math.abs(got.mean - want.mean) < 1e-9, `${f.id} level ${i + 1} mean`);
  });
}

Deno.test("warm box plots (Figures 7-29) draw what concurrency.R and ggplot2 make of the 4_ logs", async () => {
  for (const [id, runtime, workload] of WARM) {
    const text = await lines(`4_${runtime}_concurrency_${FILE_WORKLOADS[workload]}.log`);
    const groups = text.slice(0, 15).map((line) =>
      line.split(/,\s*/).filter((v) => v !== "").map(Number).filter((v) => !Number.isNaN(v))
    );
    assertBoxes(byId(id), groups);
  }
});

Deno.test("cold-start box plots (Figures 5, 6) draw what cold_start.R makes of the 2_ logs", async () => {
  for (const [id, runtime] of [["figure_05", "docker"], ["figure_06", "wasm"]]) {
    const groups: number[][] = Array.from({ length: 15 }, () => []);
    for (const line of await lines(`2_${runtime}_cold_start.log`)) {
      const [, level, ms] = line.trim().split(/\s+/);
      groups[Number(level) - 1].push(Number(ms));
    }
    assertBoxes(byId(id), groups);
  }
});

Deno.test("Figure 6, level 12: box edges 73.25 and 189.75, R's quartiles", () => {
  const [box] = traces(byId("figure_06")).filter((t) => t.type === "box" && t.x0 === 12);
  assert.deepEqual([box.q1, box.median, box.q3], [[73.25], [132], [189.75]]);
});

/** `read.table(file, header = TRUE)`: the first line names the columns, the rest are rows. */
async function readTableWithHeader(file: string): Promise<string[][]> {
  return (await lines(file)).slice(1).map((l) => l.trim().split(/\s+/));
}

const panel = (f: FigureSpec, axis: string) => traces(f).find((t) => t.xaxis === axis)!;
const labels = (f: FigureSpec, axis: string) =>
  (f.figure.layout.annotations as Trace[]).filter((a) => a.xref === axis).map((a) => [
    a.x,
    a.text,
  ]);

Deno.test("figure_31_thesis is Figure 31 as plot_resources.R draws it: docker_res.log read with a header", async () => {
  const rows = await readTableWithHeader("docker_res.log");
  const cpu = rows.map((r) => r[1]), mem = rows.map((r) => r[3].replace(/MiB$/, ""));
  const f = byId("figure_31_thesis");
  const x = rows.map((_, i) => i + 1);
  assert.equal(rows.length, 50);
  assert.deepEqual([panel(f, "x").x, panel(f, "x").y], [x, cpu.map(Number)]);
  assert.deepEqual(panel(f, "x2").x, x);
  panel(f, "x2").y.forEach((v: number, i: number) =>
    assert.ok(Math.abs(v - Number(mem[i])) < 1e-9, `memory at observation ${i + 1}`)
  );
  // The values the thesis writes on the plot, at the observations its script picks.
  const at = (values: string[], picks: number[]) => picks.map((i) => [i, values[i - 1]]);
  assert.deepEqual(labels(f, "x"), at(cpu, [22, 25, 31, 36, 44, 50]));
  assert.deepEqual(labels(f, "x2"), at(mem, [6, 9, 14, 18, 27, 31, 35, 38, 44, 50]));
  assert.match(f.note!, /50 observations, not 51/);
  assert.match(f.note!, /header = TRUE/);
  assert.match(f.note!, /CPU 752\.17 %, memory 1739\.29 MiB/);
});

Deno.test("figure_31 keeps every sample of docker_res.log, the first included", async () => {
  const all = await lines("docker_res.log");
  const f = byId("figure_31");
  assert.equal(panel(f, "x").y.length, all.length);
  assert.equal(panel(f, "x").y[0], Number(all[0].split(/\s+/)[1]));
  assert.equal(f.note, undefined);
  assert.deepEqual(labels(f, "x"), [[26, "773.37"]], "the CPU peak of Table 17");
  assert.deepEqual(labels(f, "x2"), [[51, "4947.56"]], "the memory peak of Table 17");
});

Deno.test("Figure 32 is what plot_resources.R draws of wasm_res.log: %CPU and RSS / 1024, maxima labelled", async () => {
  const rows = await readTableWithHeader("wasm_res.log");
  const f = byId("figure_32");
  assert.deepEqual(panel(f, "x").y, rows.map((r) => Number(r[2])));
  const rss = rows.map((r) => Number(r[3]) / 1024);
  assert.deepEqual(panel(f, "x2").y, rss);
  const cpuMax = Math.max(...rows.map((r) => Number(r[2])));
  const firstMax = rows.findIndex((r) => Number(r[2]) === cpuMax) + 1; // R's which.max
  assert.deepEqual(labels(f, "x"), [[firstMax, String(cpuMax)]]);
  const memMax = Math.max(...rss);
  assert.deepEqual(labels(f, "x2"), [[rss.indexOf(memMax) + 1, memMax.toFixed(2)]]);
  assert.equal(figures.some((x) => x.id === "figure_32_thesis"), false, "its header line is real");
});

Deno.test("Figures 33, 34 group the printed means the thesis plots; only Table 19's hello differs, and says why", async () => {
  const published = JSON.parse(
    await Deno.readTextFile(new URL("../data/thesis/published.json", import.meta.url)),
  ) as { tables: { id: string; rows: { action: string; phase: string; mean: string }[] }[] };
  const differing: string[] = [];
  for (const [id, table] of [["figure_33", "table_18"], ["figure_34", "table_19"]]) {
    const f = byId(id);
    assert.equal(f.figure.layout.barmode, "group", "position_dodge in the thesis's script");
    for (const row of published.tables.find((t) => t.id === table)!.rows) {
      const trace = traces(f).find((t) => t.name === row.phase)!;
      const plotted = trace.y[trace.x.indexOf(row.action)];
      if (plotted !== Number(row.mean)) differing.push(`${id} ${row.action} ${row.phase}`);
    }
  }
  assert.deepEqual(differing, ["figure_34 hello wasi", "figure_34 hello module"]);
  assert.match(byId("figure_34").note!, /172 and 177\.8 µs[^]*182\.0 and 197\.8 µs/);
  assert.equal(byId("figure_33").note, undefined);
});
