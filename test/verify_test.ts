import assert from "node:assert/strict";
import { readDataset } from "../dataset/mod.ts";
import { readPublished } from "../verify/mod.ts";
import { type Cell, comparisonMarkdown, cut, grade, verify } from "../verify/mod.ts";

const DATA = new URL("../data/thesis", import.meta.url).pathname;

Deno.test("verify() on data/thesis: every published cell exact or explained", async () => {
  const card = verify(await readDataset(DATA), await readPublished(DATA));
  assert.deepEqual(card.totals, {
    cells: 989,
    exact: 964,
    thesis_mode: 22,
    tolerance: 0,
    off: 3,
    explained: 25,
    unexplained: 0,
    carried: 20,
    carried_agree: 20,
  });
  const off = card.cells.filter((c) => c.status === "off").map((c) =>
    `${c.table} ${c.row} ${c.column}`
  );
  assert.deepEqual(off, [
    "table_14 slowdown docker/wasm",
    "table_19 hello wasi mean",
    "table_19 hello module mean",
  ]);
});

Deno.test("verify() reports the corrected value beside a thesis-mode cell", async () => {
  const card = verify(await readDataset(DATA), await readPublished(DATA));
  const c = card.cells.find((c) =>
    c.table === "table_10" && c.row === "docker" && c.column === "mean"
  )!;
  assert.equal(c.status, "thesis_mode");
  assert.equal(c.published, "4.57");
  assert.equal(c.thesis!.value, 4.57);
  // Corrected: levels 1-15 of the 4_ file, level labels not counted.
  assert.ok(Math.abs(c.computed! - 4.536447733580019) < 1e-12);
});

const cell = (published: string, computed: number | null, more: Partial<Cell> = {}): Cell => ({
  table: "t",
  label: "T",
  row: "r",
  column: "c",
  published,
  computed,
  ...more,
});

Deno.test("grade() rounds to the printed decimals and says when only the thesis way matches", () => {
  assert.equal(grade(cell("2879.000", 2879.0004)).status, "exact");
  assert.equal(grade(cell("2879.000", 2879.0006)).status, "tolerance");
  assert.equal(grade(cell("1.0", 1.2)).status, "off");
  assert.equal(grade(cell("1.0", null)).status, "off");
  const viaThesis = grade(cell("8.49", 8.31, { thesis: { value: 8.4942, how: "cut", note: "n" } }));
  assert.deepEqual([viaThesis.status, viaThesis.cause], ["thesis_mode", "n"]);
  assert.equal(grade(cell("13", 14, { carried: true })).status, "off");
  assert.equal(grade(cell("13", 13, { carried: true })).status, "carried");
});

Deno.test("cut() truncates at the printed decimals without binary noise", () => {
  assert.equal(cut(16158.296875, 2), 16158.29);
  assert.equal(cut(2.2666, 2), 2.26);
  assert.equal(cut(0.29, 2), 0.29); // 0.29 * 100 is 28.999999999999996 in binary
});

Deno.test("comparisonMarkdown() puts each published cell beside the computed one", async () => {
  const card = verify(await readDataset(DATA), await readPublished(DATA));
  const md = comparisonMarkdown(card.cells);
  assert.match(md, /## Table 3\n/);
  assert.ok(md.includes("| level 1 | mean | 2879.000 | 2879.000 | exact |"));
  assert.ok(md.includes("| slowdown | docker/wasm | 2.38 | 2.19 | **off** |"));
  assert.ok(md.includes("| docker | mean | 4.57 | 4.54 | **thesis_mode** |"));
  assert.equal(md.split("\n").filter((l) => /\| (exact|carried|\*\*)/.test(l)).length, 1009);
});
