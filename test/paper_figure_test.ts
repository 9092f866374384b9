/**
 * Figures set for a paper's page: printed sizes and fonts, titles and the means' legend left
 * to the caption (or kept on request), square panels, and the figure's data untouched.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readDataset } from "../dataset/mod.ts";
import { thesisFigures } from "../pipeline/figures.ts";
import { PAPER_SIZES, paperFigure } from "../pipeline/paper_figure.ts";

const ds = await readDataset(new URL("../data/thesis", import.meta.url).pathname);
const figures = thesisFigures(ds);
const byId = (id: string) => figures.find((f) => f.id === id)!;
// deno-lint-ignore no-explicit-any
type Layout = Record<string, any>;
const layoutOf = (l: unknown) => l as Layout;

/** Width and height of the plot area of the first panel, in px. */
function plotArea(l: Layout): [number, number] {
  const [d0, d1] = l.xaxis.domain ?? [0, 1];
  const [e0, e1] = l.yaxis.domain ?? [0, 1];
  return [
    (l.width - l.margin.l - l.margin.r) * (d1 - d0),
    (l.height - l.margin.t - l.margin.b) * (e1 - e0),
  ];
}

Deno.test("paperFigure() sets the printed size: 7 in and 10 pt, or 3.5 in and 8 pt, at 96 px/in", () => {
  for (const [size, width, fontPx] of [["text", 672, 40 / 3], ["column", 336, 32 / 3]] as const) {
    const l = layoutOf(paperFigure(byId("figure_05"), { size }).figure.layout);
    assert.equal(l.width, width, size);
    assert.equal(l.width / 96, PAPER_SIZES[size].widthIn);
    assert.ok(Math.abs(l.font.size - fontPx) < 1e-9, `${size}: ${l.font.size} px`);
    assert.ok(l.annotations.every((a: Layout) => a.font.size >= fontPx * 0.8 - 0.05), size);
  }
});

Deno.test("paperFigure() leaves the title and the means' legend to the caption unless kept", () => {
  const box = layoutOf(paperFigure(byId("figure_07")).figure.layout);
  assert.equal(box.title, undefined);
  assert.equal(box.showlegend, false);
  const kept = layoutOf(paperFigure(byId("figure_07"), { keepTitleAndLegend: true }).figure.layout);
  assert.equal(kept.title.text, byId("figure_07").title);
  assert.notEqual(kept.showlegend, false);
  // The phases of Figure 33 are told apart by its legend alone: it stays.
  const bars = layoutOf(paperFigure(byId("figure_33")).figure.layout);
  assert.equal(bars.title, undefined);
  assert.notEqual(bars.showlegend, false);
});

Deno.test("paperFigure() makes every panel square, as the thesis's 7 x 7 in ggplot2 figures", () => {
  for (const id of ["figure_05", "figure_31", "figure_32"]) {
    for (const size of ["text", "column"] as const) {
      const [w, h] = plotArea(layoutOf(paperFigure(byId(id), { size }).figure.layout));
      assert.ok(Math.abs(w - h) <= 1, `${id} ${size}: ${w} x ${h}`);
    }
  }
});

Deno.test("paperFigure() stacks two panels in one column, side by side at text width", () => {
  const column = layoutOf(paperFigure(byId("figure_31"), { size: "column" }).figure.layout);
  assert.deepEqual([column.xaxis.domain, column.xaxis2.domain], [[0, 1], [0, 1]]);
  assert.ok(column.yaxis2.domain[1] < column.yaxis.domain[0], "memory below CPU, apart");
  const text = layoutOf(paperFigure(byId("figure_31")).figure.layout);
  assert.deepEqual([text.xaxis.domain, text.xaxis2.domain], [[0, 0.45], [0.55, 1]]);
});

Deno.test("paperFigure() keeps the data and the spec it was given", () => {
  const spec = byId("figure_06");
  const before = JSON.stringify(spec);
  const paper = paperFigure(spec, { size: "column" });
  assert.equal(JSON.stringify(spec), before, "the report's own spec is not changed");
  assert.equal(paper.figure.data, spec.figure.data);
  assert.equal(paper.id, spec.id);
  const y = layoutOf(paper.figure.layout).yaxis;
  assert.equal(y.title.text, "Cold-start latency (ms)<br>= waitTime + initTime");
  assert.equal(y.exponentformat, "none", "milliseconds written out");
});
