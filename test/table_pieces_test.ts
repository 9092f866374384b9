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
