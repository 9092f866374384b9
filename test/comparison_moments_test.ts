/**
 * The comparison table is computed from per-level moments; these tests hold it to the plain
 * definition, statistics of the rows `comparisonRows` selects, on the thesis's data in both
 * modes, and check that it gives the same bytes on every run.
 */
import assert from "node:assert/strict";
import type pl from "nodejs-polars";
import { readDataset } from "../dataset/mod.ts";
import {
  type ComparisonOptions,
  comparisonRows,
  comparisonTable,
  PIPELINE_COLUMNS,
} from "../pipeline/mod.ts";
import { random } from "../bench/random.ts";
import { activations } from "./_frames.ts";

const ds = await readDataset(new URL("../data/thesis", import.meta.url).pathname, {
  activationColumns: PIPELINE_COLUMNS,
});

type Row = Record<string, number | string | null>;

/** The definition, straight from the pooled rows, in plain TypeScript. */
function reference(frame: pl.DataFrame, options: ComparisonOptions): Map<string, Row> {
  const rows = comparisonRows(frame, options).toRecords() as {
    experiment: string;
    workload: string;
    runtime: string;
    level: number;
    latency_ms: number;
  }[];
  const groups = Map.groupBy(rows, (r) => `${r.experiment}/${r.workload}/${r.runtime}`);
  const out = new Map<string, Row>();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [key, rs] of groups) {
    const xs = rs.map((r) => r.latency_ms);
    const m = mean(xs);
    const popSd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    const byLevel = [...Map.groupBy(rs, (r) => r.level)].sort((a, b) => a[0] - b[0]);
    const levelMeans = byLevel.map(([, l]) => mean(l.map((r) => r.latency_ms)));
    const levelCovs = byLevel.map(([, l], i) => {
      if (l.length < 2) return null;
      const sd = Math.sqrt(
        l.reduce((a, r) => a + (r.latency_ms - levelMeans[i]) ** 2, 0) / (l.length - 1),
      );
      return (sd / levelMeans[i]) * 100;
    }).filter((c): c is number => c !== null);
    out.set(key, {
      n: xs.length,
      mean: m,
      cov_pct: (popSd / m) * 100,
      mean_of_level_means: mean(levelMeans),
      mean_of_level_cov_pct: mean(levelCovs),
      levels: byLevel.length,
    });
  }
  return out;
}

function close(a: number, b: number, what: string) {
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

for (const mode of ["corrected", "thesis"] as const) {
  Deno.test(`comparisonTable(${mode}) is the statistics of comparisonRows, to 1e-9`, () => {
    const expected = reference(ds.activations, { mode });
    const got = comparisonTable(ds.activations, { mode }).toRecords() as Row[];
    assert.equal(got.length, expected.size);
    assert.equal(got.length, 16);
    for (const r of got) {
      const key = `${r.experiment}/${r.workload}/${r.runtime}`;
      const e = expected.get(key)!;
      assert.ok(e, key);
      assert.equal(r.n, e.n, `${key} n`);
      assert.equal(r.levels, e.levels, `${key} levels`);
      for (const c of ["mean", "cov_pct", "mean_of_level_means", "mean_of_level_cov_pct"]) {
        close(r[c] as number, e[c] as number, `${key} ${c}`);
      }
    }
  });
}

Deno.test("comparisonTable() gives the same bytes on every run", () => {
  const text = () =>
    JSON.stringify(comparisonTable(ds.activations, { mode: "thesis" }).toRecords());
  const first = text();
  for (let i = 0; i < 3; i++) assert.equal(text(), first);
});

Deno.test("comparisonTable(): one value is SD 0; a label joins the level it names", () => {
  const frame = activations([
    { experiment: "concurrency", workload: "hash", runtime: "wasm", level: 2, wait_ms: 4 },
    {
      experiment: "concurrency",
      workload: "hash",
      runtime: "wasm",
      level: 2,
      wait_ms: 6,
      source: "warm_samples",
    },
  ]);
  const [c] = comparisonTable(frame).toRecords();
  assert.deepEqual([c.n, c.mean, c.cov_pct, c.levels], [2, 5, 20, 1]);
  // Thesis mode: the label 2 joins (4, 6): mean 4, population SD sqrt(8/3).
  const [t] = comparisonTable(frame, { mode: "thesis" }).toRecords();
  assert.equal(t.n, 3);
  assert.equal(t.mean, 4);
  close(t.cov_pct as number, (Math.sqrt(8 / 3) / 4) * 100, "thesis cov");
  const one = activations([
    {
      experiment: "cold_start",
      workload: "hello",
      runtime: "docker",
      level: 1,
      wait_ms: 1,
      init_ms: 9,
    },
  ]);
  const [o] = comparisonTable(one).toRecords();
  assert.deepEqual([o.n, o.mean, o.cov_pct, o.mean_of_level_cov_pct], [1, 10, 0, null]);
});

Deno.test("comparisonTable() matches the definition on random rows mixing records and 4_ samples", () => {
  // Levels past 15, 4_ samples and records in one level, cold starts of two workloads, rows
  // that never enter (errors, warm rows of the cold-start experiment): the cases where the
  // moments kept apart per source (level_moments.ts) must pool to the plain definition.
  const r = random(7);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const rows = Array.from({ length: 600 }, () => {
    const cold = r() < 0.3;
    const source = cold ? pick(["record", "record", "error"]) : pick(["record", "warm_samples"]);
    return {
      experiment: cold ? "cold_start" : "concurrency",
      workload: cold ? pick(["hello", "hash"]) : pick(["hash", "mixed_50_50"]),
      runtime: pick(["docker", "wasm"]),
      level: 1 + Math.floor(r() * 17),
      source,
      wait_ms: source === "error" ? null : Math.round(r() * 500),
      init_ms: cold && r() < 0.8 ? Math.round(r() * 300) : null,
    };
  });
  const frame = activations(rows);
  for (const mode of ["corrected", "thesis"] as const) {
    const expected = reference(frame, { mode });
    const got = comparisonTable(frame, { mode }).toRecords() as Row[];
    assert.equal(got.length, expected.size, mode);
    assert.ok(got.length >= 8, `${mode}: ${got.length} groups`);
    for (const g of got) {
      const key = `${mode} ${g.experiment}/${g.workload}/${g.runtime}`;
      const e = expected.get(`${g.experiment}/${g.workload}/${g.runtime}`)!;
      assert.equal(g.n, e.n, `${key} n`);
      assert.equal(g.levels, e.levels, `${key} levels`);
      for (const c of ["mean", "cov_pct", "mean_of_level_means", "mean_of_level_cov_pct"]) {
        close(g[c] as number, e[c] as number, `${key} ${c}`);
      }
    }
  }
});
