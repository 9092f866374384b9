/**
 * Checks data/thesis/published.json: that it is exactly what tools/extract_published.ts
 * reads from the thesis text (when that text is present), and that its shape and a few
 * hand-checked values are right (always).
 *
 * @module
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { extractPublished, type Published } from "../tools/extract_published.ts";

const THESIS = fileURLToPath(new URL("../../shared/thesis/thesis.txt", import.meta.url));
const PUBLISHED = fileURLToPath(new URL("../data/thesis/published.json", import.meta.url));

const published: Published = JSON.parse(readFileSync(PUBLISHED, "utf8"));
const thesisPresent = existsSync(THESIS);
if (!thesisPresent) {
  console.log(`skipping the re-extraction test: the thesis text is absent (${THESIS})`);
}

const IDS = [
  "table_1",
  "table_2",
  "table_3",
  "table_4",
  "table_5",
  "table_6",
  "figure_10",
  "figure_12",
  "table_7",
  "table_8",
  "figure_16",
  "figure_18",
  "figure_20",
  "figure_22",
  "figure_24",
  "figure_26",
  "figure_28",
  "figure_30",
  "table_9",
  "table_10",
  "table_11",
  "table_12",
  "table_13",
  "table_14",
  "table_15",
  "table_16",
  "table_17",
  "table_18",
  "table_19",
];

/** Keys whose values are labels, not printed numbers. */
const LABEL_KEYS = new Set([
  "file",
  "action",
  "type",
  "runtime",
  "metric",
  "phase",
  "numerator",
  "denominator",
]);

// deno-lint-ignore no-explicit-any
function table(id: string): any {
  const t = published.tables.find((x) => x.id === id);
  assert.ok(t, `table ${id} missing`);
  return t;
}

/** Collects every numeric cell (rows and slowdown) of a table as [path, value]. */
function numericCells(t: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  const walk = (v: unknown, path: string, key: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, key));
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, k);
    } else if (!LABEL_KEYS.has(key)) out.push([path, v]);
  };
  walk(t.rows, `${t.id}.rows`, "rows");
  if (t.slowdown) walk(t.slowdown, `${t.id}.slowdown`, "slowdown");
  return out;
}

Deno.test({
  name: "extracting the thesis text reproduces the committed published.json exactly",
  ignore: !thesisPresent,
  fn() {
    const text = readFileSync(THESIS, "utf8");
    assert.deepEqual(extractPublished(text), published);
  },
});

Deno.test("published.json holds the 29 data tables in thesis order", () => {
  assert.deepEqual(published.tables.map((t) => t.id), IDS);
  assert.equal(typeof published.source, "string");
  assert.ok(published.source.length > 0);
});

Deno.test("every per-level table has 15 rows with levels 1 to 15", () => {
  const perLevel = published.tables.filter((t) => t.kind === "cold_start" || t.kind === "warm");
  assert.equal(perLevel.length, 16);
  for (const t of perLevel) {
    assert.deepEqual(
      t.rows.map((r) => r.level),
      Array.from({ length: 15 }, (_, i) => String(i + 1)),
      t.id,
    );
  }
});

Deno.test("every numeric cell is a string that parses as a finite number", () => {
  let count = 0;
  for (const t of published.tables) {
    for (const [path, v] of numericCells(t as unknown as Record<string, unknown>)) {
      assert.equal(typeof v, "string", `${path} is not a string`);
      assert.match(v as string, /^-?\d+(\.\d+)?$/, `${path} = ${v}`);
      assert.ok(Number.isFinite(Number(v)), `${path} = ${v}`);
      count++;
    }
  }
  assert.equal(count, 1249);
});

Deno.test("the shapes of the comparison, capacity and duration tables are as printed", () => {
  for (let n = 9; n <= 16; n++) {
    const t = table(`table_${n}`);
    assert.deepEqual(t.rows.map((r: { runtime: string }) => r.runtime), ["docker", "wasm"]);
    assert.equal(t.slowdown.numerator, "docker");
    assert.equal(t.slowdown.denominator, "wasm");
  }
  assert.deepEqual(
    table("table_17").rows.map((r: { metric: string }) => r.metric),
    ["max_cpu_pct", "max_mem_mib", "capacity"],
  );
  for (
    const [id, phases] of [["table_18", ["overhead", "init"]], ["table_19", ["wasi", "module"]]]
  ) {
    const t = table(id as string);
    assert.equal(t.rows.length, 10);
    t.rows.forEach((r: { action: string; phase: string; runs: string[] }, i: number) => {
      assert.equal(r.action, ["hash", "hello", "net", "prime", "sleep"][Math.floor(i / 2)]);
      assert.equal(r.phase, phases[i % 2]);
      assert.equal(r.runs.length, 10);
    });
  }
});

Deno.test("spot values match the numbers printed in the thesis", () => {
  assert.deepEqual(table("table_3").rows[0], {
    level: "1",
    cov_pct: "2.8952049",
    sd: "83.35295",
    mean: "2879.000",
  });
  assert.equal(table("table_3").rows[11].mean, "20047.50");
  assert.equal(table("figure_30").rows[14].mean, "0.7207686");
  assert.equal(table("table_1").rows[0].size_kb, "555");
  assert.equal(table("table_2").rows[2].lines_of_code, "51");
  assert.deepEqual(table("table_9").slowdown.ratio, "135.31");
  assert.deepEqual(table("table_9").rows[0], {
    runtime: "docker",
    mean: "16158.29",
    cov_pct: "36.58",
  });
  assert.deepEqual(table("table_17").rows[2], {
    metric: "capacity",
    docker: "81",
    wasm: "878",
    ratio: "10.84",
  });
  assert.equal(table("table_17").rows[1].ratio, "4.8");
  const hello = table("table_19").rows.find(
    (r: { action: string; phase: string }) => r.action === "hello" && r.phase === "wasi",
  );
  assert.equal(hello.mean, "172");
  assert.deepEqual(table("table_18").rows[0].runs, [
    "526",
    "368",
    "557",
    "591",
    "326",
    "374",
    "503",
    "486",
    "403",
    "401",
  ]);
});
