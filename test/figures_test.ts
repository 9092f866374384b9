/**
 * The figure specs: ids and order of the thesis's figures, the numbers behind a few of them
 * (checked against Tables 3 and 18), exact means and maxima on tiny frames, axis titles, and
 * byte-identical JSON from two calls.
 *
 * @module
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  ACTIVATION_COLUMNS,
  type Dataset,
  emptyFrame,
  EVENT_COLUMNS,
  readDataset,
  RESOURCE_COLUMNS,
  TIMING_COLUMNS,
} from "../dataset/mod.ts";
import {
  durationFigure,
  type FigureSpec,
  latencyBoxFigure,
  resourceFigure,
  thesisFigures,
} from "../pipeline/figures.ts";
import {
  coldStartRows,
  coldStartTable,
  durationTable,
  INIT_PHASES,
  resourceSeries,
  RUN_PHASES,
  warmRows,
  warmTable,
} from "../pipeline/mod.ts";
import { activations, resources } from "./_frames.ts";

const ds = await readDataset(new URL("../data/thesis", import.meta.url).pathname);
const figures = thesisFigures(ds);
const byId = (id: string) => figures.find((f) => f.id === id)!;

// deno-lint-ignore no-explicit-any
type Trace = Record<string, any>;
const traces = (f: FigureSpec) => f.figure.data as Trace[];
const boxes = (f: FigureSpec) => traces(f).filter((t) => t.type === "box");
const meanTrace = (f: FigureSpec) => traces(f).find((t) => t.name === "Mean")!;
const annotations = (f: FigureSpec) => f.figure.layout.annotations as Trace[];

Deno.test("thesisFigures() gives the 16 box plots, Figures 31-34 and Figure 31 as the thesis plots it", () => {
  assert.deepEqual(figures.map((f) => f.id), [
    "figure_05",
    "figure_06",
    "figure_07",
    "figure_08",
    "figure_09",
    "figure_11",
    "figure_13",
    "figure_14",
    "figure_15",
    "figure_17",
    "figure_19",
    "figure_21",
    "figure_23",
    "figure_25",
    "figure_27",
    "figure_29",
    "figure_31",
    "figure_31_thesis",
    "figure_32",
    "figure_33",
    "figure_34",
  ]);
});

Deno.test("figure_05 holds Docker's cold starts: 8 repetitions x level, Table 3's mean and max", () => {
  const f = byId("figure_05");
  const b = boxes(f);
  assert.equal(b.length, 15);
  assert.deepEqual(b.map((t) => t.x0), Array.from({ length: 15 }, (_, i) => i + 1));
  assert.ok(b.every((t) => t.boxpoints === false && t.y === undefined), "boxes drawn from numbers");
  const outliers = traces(f).find((t) => t.name === "Outliers")!;
  assert.equal(outliers.marker.color, "rgba(31, 119, 180, 0.55)", "the thesis's outlier.alpha");
  const mean = meanTrace(f);
  assert.equal(mean.y[0], 2879);
  assert.equal(mean.marker.color, "red");
  assert.equal(mean.marker.symbol, "square");
  const [first] = annotations(f);
  assert.deepEqual([first.x, first.y, first.text], [1, 3041, "3041"]);
  assert.equal(
    (f.figure.layout.yaxis as Trace).title.text,
    "Cold-start latency (ms) = waitTime + initTime",
  );
});

const BOX_KEYS: Record<string, [string, string, string]> = {
  figure_05: ["cold", "docker", "hello"],
  figure_06: ["cold", "wasm", "hello"],
  figure_07: ["warm", "docker", "hello"],
  figure_08: ["warm", "wasm", "hello"],
  figure_09: ["warm", "docker", "hash"],
  figure_11: ["warm", "wasm", "hash"],
  figure_13: ["warm", "docker", "mixed_10_90"],
  figure_14: ["warm", "wasm", "mixed_10_90"],
  figure_15: ["warm", "docker", "mixed_25_75"],
  figure_17: ["warm", "wasm", "mixed_25_75"],
  figure_19: ["warm", "docker", "mixed_50_50"],
  figure_21: ["warm", "wasm", "mixed_50_50"],
  figure_23: ["warm", "docker", "mixed_75_25"],
  figure_25: ["warm", "wasm", "mixed_75_25"],
  figure_27: ["warm", "docker", "mixed_90_10"],
  figure_29: ["warm", "wasm", "mixed_90_10"],
};

Deno.test("every box plot's means and maxima are those of the per-level tables", () => {
  const stats = (t: pl.DataFrame) =>
    t.filter(pl.col("level").lt(16)).select("level", "mean", "max").toRecords();
  const table = coldStartTable(ds.activations);
  const warmStats = warmTable(ds.activations);
  const boxFigures = figures.filter((f) => boxes(f).length > 0);
  assert.equal(boxFigures.length, 16);
  for (const f of boxFigures) {
    const [kind, runtime, workload] = BOX_KEYS[f.id];
    const rows = kind === "cold"
      ? table.filter(pl.col("runtime").eq(pl.lit(runtime)))
      : warmStats.filter(
        pl.col("runtime").eq(pl.lit(runtime)).and(pl.col("workload").eq(pl.lit(workload))),
      );
    const expected = stats(rows);
    const mean = meanTrace(f);
    assert.deepEqual(mean.x, expected.map((r) => r.level), f.id);
    assert.deepEqual(mean.y, expected.map((r) => r.mean), f.id);
    assert.deepEqual(annotations(f).map((a) => a.y), expected.map((r) => r.max), f.id);
  }
});

Deno.test("warm box plots label the y axis waitTime and stop at level 15", () => {
  const f = byId("figure_07"); // Docker, no load: the data has a partial level 16
  assert.equal((f.figure.layout.yaxis as Trace).title.text, "Warm latency (ms) = waitTime");
  assert.deepEqual(boxes(f).map((t) => t.x0), Array.from({ length: 15 }, (_, i) => i + 1));
});

Deno.test("figure_33 groups overhead and init per action, as the thesis (Table 18's means)", () => {
  const f = byId("figure_33");
  assert.equal(f.figure.layout.barmode, "group");
  const t = traces(f);
  assert.deepEqual(t.map((x) => [x.type, x.name]), [["bar", "overhead"], ["bar", "init"]]);
  const hello = t[0].x.indexOf("hello");
  assert.deepEqual(t.map((x) => x.y[hello]), [499.4, 1176.9]);
  assert.deepEqual(traces(byId("figure_34")).map((x) => x.name), ["wasi", "module"]);
});

Deno.test("figures 31, 32 put CPU on the left panel and memory on the right", () => {
  for (const id of ["figure_31", "figure_32"]) {
    const f = byId(id);
    assert.deepEqual(traces(f).map((t) => [t.xaxis, t.yaxis]), [["x", "y"], ["x2", "y2"]]);
    const layout = f.figure.layout as Trace;
    assert.ok(layout.xaxis.domain[1] <= layout.xaxis2.domain[0]);
    assert.equal(layout.yaxis.title.text, "CPU (%)");
    assert.equal(layout.yaxis2.title.text, "Memory (MiB)");
  }
});

Deno.test("every figure has a title and titled axes", () => {
  for (const f of figures) {
    assert.ok(f.title.length > 0, f.id);
    const layout = f.figure.layout as Trace;
    assert.equal(layout.title.text, f.title);
    const axes = Object.keys(layout).filter((k) => /^[xy]axis\d*$/.test(k));
    assert.ok(axes.includes("xaxis") && axes.includes("yaxis"), f.id);
    for (const a of axes) assert.ok(layout[a].title.text.length > 0, `${f.id} ${a}`);
  }
});

Deno.test("thesisFigures() gives byte-identical JSON from two calls", () => {
  assert.equal(JSON.stringify(thesisFigures(ds)), JSON.stringify(figures));
});

const warm = (runtime: string, workload: string, level: number, wait: number) => ({
  experiment: "concurrency",
  workload,
  runtime,
  level,
  wait_ms: wait,
  source: "warm_samples",
});

Deno.test("latencyBoxFigure() gives each level's latencies, mean and maximum", () => {
  const rows = warmRows(activations([
    warm("wasm", "hash", 2, 10),
    warm("wasm", "hash", 1, 4),
    warm("wasm", "hash", 2, 30),
    warm("wasm", "hash", 1, 2),
    warm("wasm", "hash", 2, 20),
    warm("wasm", "hello", 1, 99), // another workload
    warm("docker", "hash", 1, 99), // another runtime
    warm("wasm", "hash", 16, 99), // beyond level 15
  ]));
  const f = latencyBoxFigure(rows, { runtime: "wasm", workload: "hash", kind: "warm" });
  assert.equal(f.id, "figure_11");
  const five = (
    t: Trace,
  ) => [t.x0, t.lowerfence[0], t.q1[0], t.median[0], t.q3[0], t.upperfence[0]];
  assert.deepEqual(boxes(f).map(five), [[1, 2, 2.5, 3, 3.5, 4], [2, 10, 15, 20, 25, 30]]);
  assert.deepEqual([meanTrace(f).x, meanTrace(f).y], [[1, 2], [3, 20]]);
  assert.deepEqual(annotations(f).map((a) => [a.x, a.y, a.text]), [[1, 4, "4"], [2, 30, "30"]]);
  const only2 = latencyBoxFigure(rows, {
    runtime: "wasm",
    workload: "hash",
    kind: "warm",
    levels: [2],
  });
  assert.deepEqual(boxes(only2).map((t) => t.x0), [2]);
  assert.equal(
    only2.title,
    "Warm latency per level, Wasm, hash load, level 2",
    "says what it shows",
  );
  const first = latencyBoxFigure(rows, {
    runtime: "wasm",
    workload: "hash",
    kind: "warm",
    levels: [1, 2],
  });
  assert.equal(first.title, "Warm latency per level, Wasm, hash load, levels 1-2");
});

Deno.test("latencyBoxFigure() names figures outside the thesis by experiment, runtime, workload", () => {
  const cold = coldStartRows(activations([
    {
      experiment: "cold_start",
      workload: "hello",
      runtime: "wamr",
      level: 1,
      wait_ms: 5,
      init_ms: 40,
    },
  ]));
  const f = latencyBoxFigure(cold, { runtime: "wamr", workload: "hello", kind: "cold_start" });
  assert.equal(f.id, "box_cold_start_wamr_hello");
  assert.deepEqual(meanTrace(f).y, [45]);
  const w = warmRows(activations([warm("docker", "sleep", 1, 3)]));
  assert.equal(
    latencyBoxFigure(w, { runtime: "docker", workload: "sleep", kind: "warm" }).id,
    "box_concurrency_docker_sleep",
  );
  assert.deepEqual(
    latencyBoxFigure(w, { runtime: "wasm", workload: "sleep", kind: "warm" }).figure.data,
    [],
  );
});

Deno.test("thesisFigures() puts other runtimes after the thesis's and skips sections without data", () => {
  const dataset: Dataset = {
    meta: {},
    activations: activations([
      warm("wamr", "hello", 1, 3),
      warm("docker", "hello", 1, 5),
      warm("docker", "sleep", 1, 7),
    ]),
    resources: emptyFrame(RESOURCE_COLUMNS),
    timings: emptyFrame(TIMING_COLUMNS),
    events: emptyFrame(EVENT_COLUMNS),
  };
  assert.deepEqual(thesisFigures(dataset).map((f) => f.id), [
    "figure_07",
    "box_concurrency_wamr_hello",
    "box_concurrency_docker_sleep",
  ]);
  const empty = { ...dataset, activations: emptyFrame(ACTIVATION_COLUMNS) };
  assert.deepEqual(thesisFigures(empty), []);
});

Deno.test("resourceFigure() plots the per-sample totals of one runtime", () => {
  const MiB = 1024 * 1024;
  const sample = (sample: number, target: string, cpu: number, mem: number) => ({
    experiment: "capacity",
    runtime: "wamr",
    sampler: "ps",
    sample,
    target,
    cpu_pct: cpu,
    mem_bytes: mem * MiB,
  });
  const series = resourceSeries(resources([
    sample(1, "1", 10, 40),
    sample(1, "2", 15, 40),
    sample(2, "1", 30, 50),
  ]));
  const f = resourceFigure(series, "wamr");
  assert.equal(f.id, "resources_wamr");
  assert.deepEqual(traces(f).map((t) => [t.x, t.y]), [[[1, 2], [25, 30]], [[1, 2], [40, 50]]]);
});

Deno.test("durationFigure() gives one trace per phase, null where an action lacks it", () => {
  const timings = pl.DataFrame({
    runtime: ["wasm", "wasm", "wasm"],
    action: ["b", "a", "a"],
    phase: ["wasi", "wasi", "module"],
    run: [1, 1, 1],
    us: [5, 2, 3],
  });
  const f = durationFigure(durationTable(timings, RUN_PHASES), RUN_PHASES, "figure_34");
  assert.deepEqual(traces(f).map((t) => [t.name, t.x, t.y]), [
    ["wasi", ["a", "b"], [2, 5]],
    ["module", ["a", "b"], [3, null]],
  ]);
  assert.deepEqual(
    durationFigure(durationTable(timings, INIT_PHASES), INIT_PHASES, "figure_33").figure.data,
    [],
  );
});

Deno.test("a summed docker stats log of another dataset gets the thesis's view, labelled at its maxima", () => {
  const MiB = 1024 * 1024;
  const sample = (sample: number, cpu: number, mem: number) => ({
    experiment: "capacity",
    runtime: "docker",
    sampler: "docker_stats",
    sample,
    target: "*",
    cpu_pct: cpu,
    mem_bytes: mem * MiB,
  });
  const dataset: Dataset = {
    meta: { name: "rerun" },
    activations: emptyFrame(ACTIVATION_COLUMNS),
    resources: resources([sample(1, 90, 10), sample(2, 50, 40), sample(3, 70, 20)]),
    timings: emptyFrame(TIMING_COLUMNS),
    events: emptyFrame(EVENT_COLUMNS),
  };
  const [all, thesisView] = thesisFigures(dataset);
  assert.deepEqual([all.id, thesisView.id], ["figure_31", "figure_31_thesis"]);
  assert.deepEqual(traces(all).map((t) => t.y), [[90, 50, 70], [10, 40, 20]]);
  assert.deepEqual(traces(thesisView).map((t) => [t.x, t.y]), [[[1, 2], [50, 70]], [
    [1, 2],
    [40, 20],
  ]]);
  const labels = (f: FigureSpec) => annotations(f).map((a) => [a.xref, a.x, a.text]);
  assert.deepEqual(labels(all), [["x", 1, "90"], ["x2", 2, "40"]]);
  assert.deepEqual(labels(thesisView), [["x", 2, "70"], ["x2", 1, "40"]], "not the thesis's picks");
  assert.match(thesisView.note!, /2 observations, not 3[^]*CPU 90 %, memory 10 MiB/);
});

Deno.test("every figure says in words what it shows and its key numbers", () => {
  for (const f of figures) assert.ok(f.description && f.description.length > 40, f.id);
  assert.match(byId("figure_05").description!, /highest latency is 36999 ms, at level 12/);
  assert.match(byId("figure_06").description!, /median goes from 29 ms at level 1 to 166\.5 ms/);
  assert.match(byId("figure_31_thesis").description!, /50 observations[^]*773\.37 %/);
  assert.match(byId("figure_33").description!, /overhead hash 453\.5, hello 499\.4/);
});
