/**
 * The tables computed a group of cells at a time from activations read in pieces
 * (`datasetTables` of cli/tables.ts, dataset/activation_pieces.ts) are the tables of the whole
 * dataset at once, byte for byte, and the pieces give back exactly the rows of a whole read, in
 * its order, spilled to files or not.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { EMBEDDED_DATASET, readDataset, readTable } from "../dataset/mod.ts";
import { PIECE_KEYS, readActivationPieces } from "../dataset/activation_pieces.ts";
import { allTables, cellGroup, cellOf, namedTables, PIPELINE_COLUMNS } from "../pipeline/mod.ts";
import { datasetTables } from "../cli/tables.ts";
import { generateDataset } from "../bench/generate_dataset.ts";

/** Each table as its name and CSV text. */
function csvs(tables: { name: string; frame: pl.DataFrame }[]): [string, string][] {
  return tables.map(({ name, frame }) => [name, frame.writeCSV().toString()]);
}

async function assertSameTables(dir: string, groupRows: number, spillRows: number) {
  const whole = csvs(allTables(await readDataset(dir, { activationColumns: PIPELINE_COLUMNS })));
  const grouped = csvs(namedTables(await datasetTables(dir, { groupRows, spillRows })));
  assert.deepEqual(grouped.map(([name]) => name), whole.map(([name]) => name));
  for (const [i, [name, text]] of grouped.entries()) {
    assert.equal(text, whole[i][1], `table ${name} differs`);
  }
}

Deno.test("datasetTables: data/thesis in groups of about 150,000 rows, spilled every 200,000, as a whole read", async () => {
  await assertSameTables(EMBEDDED_DATASET, 150000, 200000);
});

Deno.test("datasetTables: generated rows with failures, several parts, as a whole read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await generateDataset(dir, { rows: 30000, partRows: 7000, seed: 5 });
    await assertSameTables(dir, 4000, 9000);
    // One group, spilled: read in pieces; one group held: read whole.
    await assertSameTables(dir, 1e9, 9000);
    await assertSameTables(dir, 1e9, 1e9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readActivationPieces: each bucket is the rows of its cells of a whole read, in order", async () => {
  const whole = await readTable(EMBEDDED_DATASET, "activations", PIPELINE_COLUMNS);
  const buckets = 5;
  for (const spillRows of [300000, 1e9]) {
    const pieces = await readActivationPieces(EMBEDDED_DATASET, PIPELINE_COLUMNS, {
      buckets,
      bucketOf: (key) => cellGroup(cellOf(key), buckets),
      spillRows,
    });
    try {
      const bucketOfRow = whole.select(...PIECE_KEYS).toRecords().map((r) =>
        cellGroup(
          cellOf({
            experiment: String(r.experiment),
            runtime: String(r.runtime),
            workload: String(r.workload),
            level: r.level === null ? null : Number(r.level),
          }),
          buckets,
        )
      );
      let rows = 0;
      for (let b = 0; b < buckets; b++) {
        const frame = pieces.frame(b);
        const expected = whole.filter(pl.Series(bucketOfRow.map((x) => x === b)));
        assert.deepEqual(frame.columns, whole.columns);
        assert.deepEqual(
          frame.dtypes.map(String),
          whole.dtypes.map(String),
        );
        assert.equal(frame.writeCSV().toString(), expected.writeCSV().toString(), `bucket ${b}`);
        rows += frame.height;
      }
      assert.equal(rows, whole.height);
      assert.equal(pieces.keys.reduce((n, k) => n + k.rows, 0), whole.height);
    } finally {
      await pieces.close();
    }
  }
});

Deno.test("readActivationPieces: a key with one value in one part and several in another is one piece", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await generateDataset(dir, { rows: 6000, partRows: 6000, seed: 3 });
    // Each part split in two: every other level-1 row (one level), and the rest (all levels,
    // level 1 too): a key in both parts, its level constant in one and not in the other.
    for await (const folder of Deno.readDir(join(dir, "activations"))) {
      for await (const runtime of Deno.readDir(join(dir, "activations", folder.name))) {
        const at = join(dir, "activations", folder.name, runtime.name);
        for (const file of [...Deno.readDirSync(at)].map((e) => e.name)) {
          const rows = pl.readParquet(join(at, file));
          const one = pl.col("level").eq(pl.lit(1))
            .and(pl.intRange(0, pl.len()).modulo(pl.lit(2)).eq(pl.lit(0)));
          rows.filter(one).writeParquet(join(at, file.replace(".parquet", "a.parquet")));
          rows.filter(one.not()).writeParquet(join(at, file.replace(".parquet", "b.parquet")));
          await Deno.remove(join(at, file));
        }
      }
    }
    const pieces = await readActivationPieces(dir, PIPELINE_COLUMNS);
    try {
      const names = pieces.keys.map((k) => JSON.stringify(PIECE_KEYS.map((c) => k[c])));
      assert.equal(new Set(names).size, names.length);
      const whole = await readTable(dir, "activations", PIPELINE_COLUMNS);
      const counts = whole.groupBy([...PIECE_KEYS]).agg(pl.len().alias("n")).toRecords();
      assert.equal(pieces.keys.length, counts.length);
      for (const c of counts) {
        const key = pieces.keys.find((k) => PIECE_KEYS.every((p) => k[p] === c[p]))!;
        assert.equal(key.rows, Number(c.n));
      }
      assert.equal(pieces.frame(0).writeCSV().toString(), whole.writeCSV().toString());
    } finally {
      await pieces.close();
    }
    await assertSameTables(dir, 2000, 1e9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readActivationPieces: a dataset without activations gives empty frames of the read columns", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "dataset.json"), "{}\n");
    const pieces = await readActivationPieces(dir, PIPELINE_COLUMNS);
    assert.equal(pieces.keys.length, 0);
    const frame = pieces.frame(0);
    assert.equal(frame.height, 0);
    assert.ok(
      PIPELINE_COLUMNS.filter((c) => c !== "collection").every((c) => frame.columns.includes(c)),
    );
    await pieces.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
