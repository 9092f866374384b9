import assert from "node:assert/strict";
import pl from "nodejs-polars";
import {
  compareFigures,
  ecdfFigures,
  ecdfPoints,
  forestFigure,
  levelMedianFigures,
} from "../pipeline/compare_figures.ts";
import { latencyCells } from "../pipeline/latency_cells.ts";
import { activations } from "./_frames.ts";

// deno-lint-ignore no-explicit-any
type Trace = any;

Deno.test("ecdfPoints(): every value of a small sample, evenly spaced ranks of a large one", () => {
  assert.deepEqual(ecdfPoints([1, 2, 3, 4]), { x: [1, 2, 3, 4], y: [0.25, 0.5, 0.75, 1] });
  // 10 values, 4 points: ranks ceil(2.5), ceil(5), ceil(7.5), 10.
  const ten = Array.from({ length: 10 }, (_, i) => 10 * (i + 1));
  assert.deepEqual(ecdfPoints(ten, 4), { x: [30, 50, 80, 100], y: [0.3, 0.5, 0.8, 1] });
  assert.deepEqual(ecdfPoints([]), { x: [], y: [] });
});

const warm = (runtime: string, level: number, xs: number[]) =>
  xs.map((x) => ({
    experiment: "concurrency",
    workload: "hash",
    runtime,
    level,
    run: 1,
    source: "warm_samples",
    wait_ms: x,
  }));

Deno.test("ecdfFigures(): per experiment and runtime, NEW over BASE, on the levels both share", () => {
  const base = latencyCells(activations([...warm("wasm", 1, [4, 2]), ...warm("wasm", 2, [99])]));
  const next = latencyCells(activations([...warm("wasm", 1, [0, 3, 6, 9])]));
  const [f, ...rest] = ecdfFigures(base, next);
  assert.equal(rest.length, 0);
  assert.equal(f.id, "compare_ecdf_concurrency_wasm");
  const traces = f.figure.data as Trace[];
  assert.deepEqual(traces.map((t) => [t.name, t.x, t.y, t.line.dash]), [
    // The latency of 0 ms has no place on a log axis: 1/4 of NEW is at or below it.
    ["hash load, NEW", [3, 6, 9], [0.5, 0.75, 1], "solid"],
    // Level 2 exists only in BASE: not drawn.
    ["hash load, BASE", [2, 4], [0.5, 1], "dot"],
  ]);
  assert.equal((f.figure.layout.xaxis as Trace).type, "log");
});

Deno.test("forestFigure(): pooled median ratios of each dataset with asymmetric intervals", () => {
  const row = (
    dataset: string,
    workload: string,
    level: string,
    r: number,
    lo: number | null,
    hi: number | null,
  ) => ({
    dataset,
    experiment: "concurrency",
    workload,
    level,
    numerator: "docker",
    denominator: "wasm",
    median_ratio: r,
    median_ratio_lo: lo,
    median_ratio_hi: hi,
  });
  const slowdown = pl.DataFrame([
    row("base", "hash", "all", 7.6, 7.1, 8.2),
    row("base", "hash", "1", 9, 8, 10),
    row("new", "hash", "all", 2, 1.5, 3),
    row("new", "hello", "all", 1.2, null, null),
  ]);
  const f = forestFigure(slowdown)!;
  const [base, next] = f.figure.data as Trace[];
  assert.deepEqual([base.name, base.x, base.y], ["BASE", [7.6], ["concurrency, hash load"]]);
  assert.ok(Math.abs(base.error_x.array[0] - 0.6) < 1e-12);
  assert.ok(Math.abs(base.error_x.arrayminus[0] - 0.5) < 1e-12);
  assert.deepEqual([next.x, next.y], [[2, 1.2], [
    "concurrency, hash load",
    "concurrency, no load",
  ]]);
  assert.deepEqual([next.error_x.array, next.error_x.arrayminus], [[1, 0], [0.5, 0]]);
  assert.equal(forestFigure(slowdown.filter(pl.col("level").eq(pl.lit("1")))), null);
});

Deno.test("levelMedianFigures(): NEW's medians over BASE's, bands only where intervals exist", () => {
  const compare = pl.DataFrame({
    experiment: ["cold_start", "cold_start", "cold_start"],
    workload: ["hello", "hello", "hello"],
    runtime: ["wasm", "wasm", "wasm"],
    level: ["2", "1", "all"],
    median_base: [20, 10, 15],
    median_base_lo: [18, null, 14],
    median_base_hi: [23, null, 16],
    median_new: [30, 12, 20],
    median_new_lo: [25, 11, 19],
    median_new_hi: [33, 14, 21],
  });
  const [f, ...rest] = levelMedianFigures(compare);
  assert.equal(rest.length, 0);
  assert.equal(f.id, "compare_levels_cold_start_hello_wasm");
  const t = f.figure.data as Trace[];
  assert.deepEqual(t.map((x) => [x.name, x.x, x.y]), [
    ["BASE, 95 % CI", [2, 2], [23, 18]],
    ["BASE, median", [1, 2], [10, 20]],
    ["NEW, 95 % CI", [1, 2, 2, 1], [14, 33, 25, 11]],
    ["NEW, median", [1, 2], [12, 30]],
  ]);
});

Deno.test("compareFigures(): the forest plot first, then ECDFs, then per-level medians; JSON only", () => {
  const cells = latencyCells(activations(warm("docker", 1, [1, 2, 3])));
  const compare = pl.DataFrame([
    ...["experiment", "workload", "runtime", "level"].map((c, i) =>
      pl.Series(c, [["concurrency", "hash", "docker", "1"][i]])
    ),
    pl.Series("median_base", [2]),
    pl.Series("median_new", [2]),
    ...["median_base_lo", "median_base_hi", "median_new_lo", "median_new_hi"].map((c) =>
      pl.Series(c, [null], pl.Float64)
    ),
  ]);
  const figures = compareFigures({
    compare,
    slowdown: pl.DataFrame({ level: ["1"] }),
    base: cells,
    next: cells,
  });
  assert.deepEqual(figures.map((f) => f.id), [
    "compare_ecdf_concurrency_docker",
    "compare_levels_concurrency_hash_docker",
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(figures)), figures);
});
