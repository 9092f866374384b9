/**
 * The partitioned layout of a dataset's parts (dataset/partitions.ts): hostile experiment and
 * runtime names become folder names only through Hive's escaping and read back as they were,
 * in whiskbench and in DuckDB and polars alike; old flat datasets still read; a folder that
 * disagrees with its part's column is refused.
 */
import assert from "node:assert/strict";
import { isAbsolute, join, relative } from "node:path";
import pl from "nodejs-polars";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  ACTIVATION_COLUMNS,
  partPath,
  partPaths,
  readTable,
  type RowOf,
  TIMING_COLUMNS,
  writePart,
} from "../dataset/mod.ts";
import {
  decodePartitionValue,
  encodePartitionValue,
  NULL_PARTITION,
  partitionFolder,
  tableGlob,
} from "../dataset/part_path.ts";
import { landParts, relayoutDataset } from "../dataset/partitions.ts";
import { PartWriter } from "../dataset/part_writer.ts";
import { filesUnder, PAYLOADS } from "./_hostile_dataset.ts";

/** Names that try to leave the folder, split it, or collide with the encoding itself. */
const HOSTILE = [
  ...Object.values(PAYLOADS).filter((v) => v !== PAYLOADS.long),
  "..",
  ".",
  "/",
  "a/../../b",
  "\\..\\..\\x",
  "k=v",
  "%2F",
  "%",
  "__HIVE_DEFAULT_PARTITION__x",
  NULL_PARTITION, // a runtime named as Hive's folder of a null
  "ünïcødé 名前",
  "tab\there",
];

/** Activation rows, one per runtime, of experiment `experiment`. */
function rows(runtimes: string[], experiment = "cold_start"): pl.DataFrame {
  const n = runtimes.length;
  return pl.DataFrame([
    pl.Series("experiment", Array(n).fill(experiment), pl.Utf8),
    pl.Series("workload", Array(n).fill("hello"), pl.Utf8),
    pl.Series("runtime", runtimes, pl.Utf8),
    pl.Series("level", runtimes.map((_, i) => i + 1), pl.Int64),
    pl.Series("activation_id", runtimes.map((_, i) => `${experiment}-${i}`), pl.Utf8),
    pl.Series("source", Array(n).fill("record"), pl.Utf8),
    pl.Series("wait_ms", runtimes.map((_, i) => 10 + i), pl.Float64),
    pl.Series("init_ms", Array(n).fill(300), pl.Float64),
  ]);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "whiskbench-partitions-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Rows of a DuckDB query as plain objects (bigints as numbers). */
async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS().map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
      )
    );
  } finally {
    c.closeSync();
  }
}

const sqlText = (s: string) => `'${s.replaceAll("'", "''")}'`;

Deno.test("a partition value's folder name is one name, never .. or empty, and decodes back", () => {
  for (const value of HOSTILE) {
    const folder = partitionFolder("runtime", value);
    assert.ok(folder.startsWith("runtime="), folder);
    assert.doesNotMatch(folder, /[/\\\0]/, folder);
    assert.equal(decodePartitionValue(folder.slice("runtime=".length)), value, folder);
  }
  assert.equal(encodePartitionValue("../../x"), "..%2F..%2Fx");
  assert.equal(encodePartitionValue("a=b%c d"), "a%3Db%25c%20d");
  assert.equal(encodePartitionValue("docker"), "docker");
  assert.equal(partitionFolder("runtime", null), "runtime=__HIVE_DEFAULT_PARTITION__");
  assert.equal(partitionFolder("runtime", NULL_PARTITION), "runtime=%5F_HIVE_DEFAULT_PARTITION__");
  assert.throws(() => partitionFolder("runtime", ""), /runtime is empty text/);
  assert.throws(
    () => partitionFolder("runtime", PAYLOADS.long),
    /runtime "r{40}"\.\.\. is too long for a partition folder \(308 bytes/,
  );
  for (const part of ["", ".", "..", "a/b", "x\0"]) {
    assert.throws(() => partPath("/d", "activations", part), /Not a part name/);
  }
});

Deno.test("writePart lays hostile runtimes out in their own folders, all inside the table", async () => {
  await withDir(async (dir) => {
    const written = await writePart(dir, "activations", "p.0001", rows(HOSTILE));
    assert.equal(written.length, HOSTILE.length);
    const files = await filesUnder(dir);
    assert.equal(files.length, HOSTILE.length);
    for (const f of files) {
      const rel = relative(join(dir, "activations"), join(dir, f));
      assert.ok(!rel.startsWith("..") && !isAbsolute(rel), f);
      const segments = rel.split("/");
      assert.equal(segments.length, 3, f);
      assert.equal(segments[0], "experiment=cold_start");
      assert.match(segments[1], /^runtime=./);
      assert.equal(segments[2], "p.0001.parquet");
    }
    const table = await readTable(dir, "activations");
    assert.deepEqual(
      table.sort("level").getColumn("runtime").toArray(),
      HOSTILE,
    );
  });
});

Deno.test("DuckDB and polars see one runtime column, the rows' own names, from the folders", async () => {
  await withDir(async (dir) => {
    await writePart(dir, "activations", "p.0001", rows(HOSTILE));
    const glob = tableGlob(dir, "activations");
    const from = `read_parquet(${
      sqlText(glob)
    }, hive_partitioning = true, hive_types = {'experiment': VARCHAR, 'runtime': VARCHAR})`;
    const columns = await duck(`DESCRIBE SELECT * FROM ${from}`);
    assert.equal(columns.filter((c) => c.column_name === "runtime").length, 1);
    assert.equal(columns.length, Object.keys(rows([]).schema).length);
    const duckRows = await duck(`SELECT runtime FROM ${from} ORDER BY level`);
    assert.deepEqual(duckRows.map((r) => r.runtime), HOSTILE);
    // A WHERE on a partition column reads only that folder's part.
    const one = await duck(
      `SELECT runtime, wait_ms FROM ${from} WHERE runtime = ${sqlText(PAYLOADS.traversal)}`,
    );
    assert.deepEqual(one, [{
      runtime: PAYLOADS.traversal,
      wait_ms: 10 + HOSTILE.indexOf(PAYLOADS.traversal),
    }]);
    const viaPolars = await pl.scanParquet(glob, { hivePartitioning: true }).select(
      "runtime",
      "level",
    )
      .sort("level").collect();
    assert.deepEqual(viaPolars.columns, ["runtime", "level"]);
    // polars decodes a folder's name before it looks for Hive's null: a runtime of that very
    // name, which DuckDB reads right, is null to polars alone (README, "Reading a dataset's folder from other engines").
    assert.deepEqual(
      viaPolars.getColumn("runtime").toArray(),
      HOSTILE.map((r) => r === NULL_PARTITION ? null : r),
    );
  });
});

Deno.test("a folder that disagrees with its part's column is refused, naming both", async () => {
  await withDir(async (dir) => {
    const folder = join(dir, "activations", "experiment=cold_start", "runtime=docker");
    await Deno.mkdir(folder, { recursive: true });
    rows(["docker", "wasm"]).writeParquet(join(folder, "moved.parquet"));
    // What the engines make of it: one runtime column, the folder's value on every row.
    const seen = await duck(
      `SELECT runtime FROM read_parquet(${
        sqlText(tableGlob(dir, "activations"))
      }, hive_partitioning = true) ORDER BY level`,
    );
    assert.deepEqual(seen, [{ runtime: "docker" }, { runtime: "docker" }]);
    await assert.rejects(
      readTable(dir, "activations"),
      new RegExp(
        "Cannot read dataset part .*/runtime=docker/moved\\.parquet: column runtime: row 2 is " +
          '"wasm", but the part lies in folder runtime=docker',
      ),
    );
  });
});

Deno.test("a part without the partition columns (as Spark writes) takes them from its folders", async () => {
  await withDir(async (dir) => {
    const folder = join(dir, "activations", "experiment=cold_start", "runtime=a%2Fb");
    await Deno.mkdir(folder, { recursive: true });
    rows(["x", "y"]).drop("experiment", "runtime").writeParquet(join(folder, "s.parquet"));
    const all = await readTable(dir, "activations");
    assert.deepEqual(all.getColumn("runtime").toArray(), ["a/b", "a/b"]);
    assert.deepEqual(all.getColumn("experiment").toArray(), ["cold_start", "cold_start"]);
    const some = await readTable(dir, "activations", ["runtime", "wait_ms"]);
    assert.deepEqual(some.columns, ["runtime", "wait_ms"]);
    assert.deepEqual(some.getColumn("runtime").toArray(), ["a/b", "a/b"]);
  });
});

Deno.test("an old flat dataset still reads, and DuckDB's glob of the layout reads it too", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "activations"));
    rows(["docker", "wasm"]).writeParquet(join(dir, "activations", "1_old.parquet"));
    const table = await readTable(dir, "activations");
    assert.deepEqual(table.getColumn("runtime").toArray(), ["docker", "wasm"]);
    const viaDuck = await duck(
      `SELECT runtime FROM read_parquet(${
        sqlText(tableGlob(dir, "activations"))
      }, hive_partitioning = true) ORDER BY level`,
    );
    assert.deepEqual(viaDuck.map((r) => r.runtime), ["docker", "wasm"]);
  });
});

Deno.test("an old flat dataset written into again keeps its layout, and DuckDB still reads it", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "activations"));
    rows(["docker", "wasm"]).writeParquet(join(dir, "activations", "1_old.parquet"));
    const paths = await writePart(dir, "activations", "new.0001", rows(["wasm", "docker"]));
    assert.deepEqual(paths.map((p) => relative(dir, p)), ["activations/new.0001.parquet"]);
    assert.deepEqual((await filesUnder(dir)).sort(), [
      "activations/1_old.parquet",
      "activations/new.0001.parquet",
    ]);
    const viaDuck = await duck(
      `SELECT count(*)::INTEGER AS n FROM read_parquet(${
        sqlText(tableGlob(dir, "activations"))
      }, hive_partitioning = true)`,
    );
    assert.deepEqual(viaDuck, [{ n: 4 }]);
    // A new dataset (no flat part) is written in folders.
    const fresh = join(dir, "fresh");
    const [one] = await writePart(fresh, "activations", "a.0001", rows(["wasm"]));
    assert.equal(
      relative(fresh, one),
      "activations/experiment=cold_start/runtime=wasm/a.0001.parquet",
    );
  });
});

Deno.test("a part with rows of two runtimes is split, one file a folder, under one part name", async () => {
  await withDir(async (dir) => {
    const frame = pl.concat([rows(["docker", "wasm", "docker"]), rows(["wasm"], "capacity")]);
    const paths = await writePart(dir, "activations", "mixed.0001", frame);
    assert.deepEqual(
      paths.map((p) => relative(dir, p)).sort(),
      [
        "activations/experiment=capacity/runtime=wasm/mixed.0001.parquet",
        "activations/experiment=cold_start/runtime=docker/mixed.0001.parquet",
        "activations/experiment=cold_start/runtime=wasm/mixed.0001.parquet",
      ],
    );
    assert.deepEqual((await filesUnder(dir)).length, 3); // no temporary file left
    const table = await readTable(dir, "activations");
    assert.equal(table.height, 4);
    assert.deepEqual(
      table.sort(["experiment", "runtime", "level"]).select("experiment", "runtime", "level")
        .toRecords(),
      [
        { experiment: "capacity", runtime: "wasm", level: 1 },
        { experiment: "cold_start", runtime: "docker", level: 1 },
        { experiment: "cold_start", runtime: "docker", level: 3 },
        { experiment: "cold_start", runtime: "wasm", level: 2 },
      ],
    );
  });
});

Deno.test("writePart refuses an empty or overlong runtime and leaves no file behind", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      writePart(dir, "activations", "e", rows([""])),
      /Cannot write .*activations\/e\.parquet: runtime is empty text/,
    );
    await assert.rejects(
      writePart(dir, "activations", "l", rows([PAYLOADS.long])),
      /is too long for a partition folder/,
    );
    assert.deepEqual(await filesUnder(dir), []);
  });
});

Deno.test("a PartWriter numbers on past a part of its name in any partition folder", async () => {
  await withDir(async (dir) => {
    await writePart(dir, "activations", "c.0001", rows(["wasm"]));
    const w = new PartWriter(dir, "activations", "c", ACTIVATION_COLUMNS);
    const empty = Object.fromEntries(Object.keys(ACTIVATION_COLUMNS).map((k) => [k, null]));
    w.push({
      ...empty,
      experiment: "cold_start",
      workload: "hello",
      runtime: "docker",
      source: "record",
      level: 1,
      wait_ms: 1,
      activation_id: "other",
    } as RowOf<typeof ACTIVATION_COLUMNS>);
    const path = await w.flush();
    assert.equal(
      relative(dir, path ?? ""),
      "activations/experiment=cold_start/runtime=docker/c.0002.parquet",
    );
    // Flat tables stay flat.
    const t = new PartWriter(dir, "timings", "t", TIMING_COLUMNS);
    t.push({ runtime: "r", action: "a", phase: "init", run: 1, us: 1 });
    assert.equal(relative(dir, (await t.flush()) ?? ""), "timings/t.0001.parquet");
    assert.equal((await partPaths(join(dir, "activations"))).length, 2);
  });
});

Deno.test("a symbolic link to a folder among the partition folders is an error, not followed", async () => {
  await withDir(async (dir) => {
    await writePart(dir, "activations", "a", rows(["docker"]));
    await Deno.mkdir(join(dir, "elsewhere"));
    await Deno.symlink(join(dir, "elsewhere"), join(dir, "activations", "experiment=x"));
    await assert.rejects(
      readTable(dir, "activations"),
      /Cannot read dataset folder .*activations\/experiment=x: a symbolic link/,
    );
  });
});

Deno.test("relayoutDataset moves an old flat dataset into folders, rows as before, and again moves nothing", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "activations"));
    await Deno.mkdir(join(dir, "timings"));
    const one = join(dir, "activations", "1_wasm.parquet");
    rows(["wasm", "wasm"]).writeParquet(one);
    rows(["docker", "wasm"], "concurrency").writeParquet(
      join(dir, "activations", "2_mixed.parquet"),
    );
    pl.DataFrame({ runtime: ["r"], action: ["a"], phase: ["init"], run: [1], us: [1] })
      .writeParquet(join(dir, "timings", "t.parquet"));
    const bytes = await Deno.readFile(one);
    const before = (await readTable(dir, "activations")).sort("activation_id");
    assert.equal(await relayoutDataset(dir), 2);
    assert.deepEqual(await filesUnder(dir), [
      "activations/experiment=cold_start/runtime=wasm/1_wasm.parquet",
      "activations/experiment=concurrency/runtime=docker/2_mixed.parquet",
      "activations/experiment=concurrency/runtime=wasm/2_mixed.parquet",
      "timings/t.parquet",
    ]);
    // A part of one folder is renamed, its bytes untouched.
    assert.deepEqual(
      await Deno.readFile(
        join(dir, "activations/experiment=cold_start/runtime=wasm/1_wasm.parquet"),
      ),
      bytes,
    );
    const after = (await readTable(dir, "activations")).sort("activation_id");
    assert.ok(after.frameEqual(before, true));
    assert.equal(await relayoutDataset(dir), 0);
  });
});

Deno.test("a part is never overwritten: a flat part whose folder already has its name stays", async () => {
  await withDir(async (dir) => {
    await writePart(dir, "activations", "same", rows(["wasm"]));
    rows(["wasm"], "cold_start").withColumns(pl.lit("other").alias("activation_id"))
      .writeParquet(join(dir, "activations", "same.parquet"));
    await assert.rejects(
      relayoutDataset(dir),
      /activations\/experiment=cold_start\/runtime=wasm\/same\.parquet is already there/,
    );
    assert.equal((await readTable(dir, "activations")).height, 2);
  });
});

Deno.test("a null runtime lands in Hive's default folder and is read back as null, which activations refuse", async () => {
  await withDir(async (dir) => {
    const frame = rows(["docker", "docker"]).withColumns(
      pl.when(pl.col("level").eq(2)).then(pl.lit(null)).otherwise(pl.col("runtime"))
        .cast(pl.Utf8).alias("runtime"),
    );
    const paths = await writePart(dir, "activations", "n", frame);
    assert.deepEqual(paths.map((p) => relative(join(dir, "activations"), p)), [
      "experiment=cold_start/runtime=docker/n.parquet",
      "experiment=cold_start/runtime=__HIVE_DEFAULT_PARTITION__/n.parquet",
    ]);
    await assert.rejects(
      readTable(dir, "activations"),
      /runtime=__HIVE_DEFAULT_PARTITION__\/n\.parquet: column runtime: row 1 is null/,
    );
  });
});

Deno.test("tools/relayout.ts moves a dataset's flat parts and refuses a folder that is no dataset", async () => {
  await withDir(async (dir) => {
    const run = async (...args: string[]) => {
      const o = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--frozen", "tools/relayout.ts", ...args],
        cwd: new URL("..", import.meta.url).pathname,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr);
      return { code: o.code, text };
    };
    const notDataset = await run(dir);
    assert.equal(notDataset.code, 1);
    assert.match(notDataset.text, /^error: Not a dataset: .* has no dataset\.json$/m);
    await Deno.writeTextFile(join(dir, "dataset.json"), "{}\n");
    await Deno.mkdir(join(dir, "activations"));
    rows(["wasm"]).writeParquet(join(dir, "activations", "old.parquet"));
    const moved = await run(dir);
    assert.equal(moved.code, 0, moved.text);
    assert.match(moved.text, /moved 1 parts of .* into partition folders/);
    assert.deepEqual(await filesUnder(dir), [
      "activations/experiment=cold_start/runtime=wasm/old.parquet",
      "dataset.json",
    ]);
  });
});

Deno.test("landParts refuses two files of a part that land on one path, as a case-blind file system makes Wasm and wasm, keeping the first", async () => {
  await withDir(async (dir) => {
    // Here the two paths are the same: what `runtime=Wasm/p.parquet` and `runtime=wasm/p.parquet`
    // are to a file system that ignores case.
    const to = join(dir, "activations", "experiment=cold_start", "runtime=wasm", "p.0001.parquet");
    await Deno.mkdir(join(to, ".."), { recursive: true });
    const [a, b] = [join(dir, "a.tmp"), join(dir, "b.tmp")];
    await Deno.writeTextFile(a, "first");
    await Deno.writeTextFile(b, "second");
    await assert.rejects(
      landParts(dir, "activations", [{ from: a, to }, { from: b, to }]),
      /p\.0001\.parquet is already there, landed by another folder of this part/,
    );
    assert.equal(await Deno.readTextFile(to), "first");
    assert.equal(await Deno.readTextFile(b), "second");
  });
});
