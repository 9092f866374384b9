/**
 * `boxStats()`: the numbers of R's `quantile(x, type = 7)` and of ggplot2's 1.5 IQR whiskers
 * on small inputs whose R results are known, outliers once per value, nulls ignored.
 *
 * @module
 */
import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { boxStats, boxStatsBy } from "../pipeline/box_stats.ts";

const frame = (level: number[], latency_ms: (number | null)[]) =>
  pl.DataFrame({ level, latency_ms }, { schema: { level: pl.Int64, latency_ms: pl.Float64 } });

Deno.test("boxStats() gives R's type 7 quartiles: 1, 2, 3, 4 -> 1.75, 2.5, 3.25", () => {
  const [b] = boxStats(frame([1, 1, 1, 1], [4, 1, 3, 2]));
  assert.deepEqual([b.q1, b.median, b.q3], [1.75, 2.5, 3.25]);
  assert.deepEqual([b.lower_whisker, b.upper_whisker, b.outliers], [1, 4, []]);
});

Deno.test("boxStats() ends whiskers at the furthest value within 1.5 IQR, outliers beyond", () => {
  const [b] = boxStats(frame(Array(9).fill(1), [1, 2, 3, 4, 5, 6, 7, 8, 100]));
  assert.deepEqual([b.q1, b.median, b.q3], [3, 5, 7]);
  assert.deepEqual([b.lower_whisker, b.upper_whisker, b.outliers], [1, 8, [100]]);
  assert.deepEqual([b.n, b.mean, b.max], [9, 136 / 9, 100]);
});

Deno.test("boxStats() keeps each outlier value once, ignores nulls, sorts by level", () => {
  const rows = frame(
    [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 50, 50, null, 7, 7],
  );
  const [one, two] = boxStats(rows);
  assert.deepEqual([one.level, one.n, one.q1, one.q3, one.outliers], [1, 2, 7, 7, []]);
  assert.deepEqual([two.level, two.n, two.q1, two.median, two.q3], [2, 9, 1, 1, 1]);
  assert.deepEqual([two.lower_whisker, two.upper_whisker, two.outliers], [1, 1, [50]]);
  assert.equal(two.mean, 107 / 9, "the mean counts every value, outliers included");
});

Deno.test("boxStats() of a single value is that value everywhere", () => {
  const [b] = boxStats(frame([3], [42]));
  assert.deepEqual(
    [b.q1, b.median, b.q3, b.lower_whisker, b.upper_whisker, b.outliers],
    [42, 42, 42, 42, 42, []],
  );
});

Deno.test("boxStatsBy() gives every group the boxes boxStats() gives its rows alone", () => {
  // Seeded values with ties, outliers and nulls over 3 runtimes x 4 workloads x 5 levels.
  let s = 7;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const n = 3000;
  const rows = pl.DataFrame({
    runtime: Array.from({ length: n }, () => ["a", "b", "<c>"][Math.floor(next() * 3)]),
    workload: Array.from({ length: n }, () => `w${Math.floor(next() * 4)}`),
    level: Array.from({ length: n }, () => 1 + Math.floor(next() * 5)),
    latency_ms: Array.from(
      { length: n },
      () =>
        next() < 0.05
          ? null
          : next() < 0.05
          ? 1000 + Math.round(next() * 50)
          : Math.round(next() * 40),
    ),
  });
  const all = boxStatsBy(rows, ["runtime", "workload"]);
  assert.equal(all.size, 12);
  for (const [key, boxes] of all) {
    const [runtime, workload] = JSON.parse(key);
    const alone = boxStats(
      rows.filter(
        pl.col("runtime").eq(pl.lit(runtime)).and(pl.col("workload").eq(pl.lit(workload))),
      ),
    );
    assert.deepEqual(boxes, alone, key);
    assert.ok(boxes.some((b) => b.outliers.length > 0), key);
  }
});
