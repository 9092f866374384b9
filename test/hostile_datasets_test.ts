/**
 * A hostile corpus: raw logs and datasets crafted to make numbers wrong (text in number
 * columns, missing columns, NaN, infinities, negative latencies, impossible levels, repeated
 * activations, copied parts, invalid UTF-8, deep nesting, symbolic links, malformed
 * metadata). Each case builds its input in a temporary folder and runs the real CLI (ingest,
 * tables, verify); it must either fail with exit 1, a message naming the file and the place,
 * and nothing at --out, or give the correct result.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import pl from "nodejs-polars";
import { type ActivationRow, writeMeta, writePart } from "../dataset/mod.ts";
import { invalidUtf8At } from "../ingest/utf8.ts";
import { activations, records } from "./_frames.ts";
import { activationLog, levelLines } from "./_raw_logs.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Runs a CLI module with `args`; its exit code and what it printed. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    // A case that hangs (a read that never ends) fails instead of holding up the suite.
    signal: AbortSignal.timeout(120_000),
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: o.code, out: text(o.stdout), err: text(o.stderr) };
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** The rows a warm table reads: record rows of a concurrency run of `hello` on wasm. */
const BASE: Partial<ActivationRow>[] = [
  { level: 1, wait_ms: 2, activation_id: "a" },
  { level: 1, wait_ms: 4, activation_id: "b" },
  { level: 2, wait_ms: 6, activation_id: "c" },
].map((r) => ({ experiment: "concurrency", workload: "hello", runtime: "wasm", ...r }));

/** Where the part `base` lies: the partition folders of its rows' experiment and runtime. */
const BASE_FOLDER = "activations/experiment=concurrency/runtime=wasm";

/** Two more good rows, as a frame to tamper with: `wait_ms` 8 and 10 at level 2. */
function extra(): pl.DataFrame {
  return activations([
    { ...BASE[0], level: 2, wait_ms: 8, activation_id: "d" },
    { ...BASE[0], level: 2, wait_ms: 10, activation_id: "e" },
  ]);
}

/** `extra()` with columns replaced (a Series each) and others dropped. */
function tampered(columns: Record<string, unknown[]>, drop: string[] = []): pl.DataFrame {
  let frame = extra();
  for (const [name, values] of Object.entries(columns)) {
    frame = frame.withColumns(pl.Series(name, values as never[]));
  }
  return drop.length ? frame.drop(drop) : frame;
}

/** The current case's folder for its inputs (removed after the case). */
let work = "";

/** A valid dataset (dataset.json, one part `base`), changed by `change` (given its folder). */
async function dataset(change: (dir: string) => Promise<void> = async () => {}): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: work, prefix: "dataset-" });
  await writeMeta(dir, { name: "hostile" });
  await writePart(dir, "activations", "base", activations(BASE));
  await change(dir);
  return dir;
}

/** A dataset whose activations gain the part `bad` = `frame`. */
const withPart = (
  frame: pl.DataFrame,
  table: "activations" | "resources" | "timings" = "activations",
) =>
  dataset(async (dir) => {
    await Deno.mkdir(join(dir, table), { recursive: true });
    frame.writeParquet(join(dir, table, "bad.parquet"));
  });

/** Reads the CSV of table `name` written under `out`. */
function csv(out: string, name: string): Record<string, unknown>[] {
  return records(pl.readCSV(join(out, "tables", `${name}.csv`)), 6);
}

/** `[level, n, mean]` of each row of the warm wasm hello table. */
function warm(out: string): unknown[][] {
  return csv(out, "warm_wasm_hello").map((r) => [r.level, r.n, r.mean]);
}

interface Case {
  name: string;
  /**
   * Builds the input and returns the CLI arguments; `out` is a path inside a fresh empty
   * folder, for --out (and must not exist after a failure).
   */
  run: (out: string) => Promise<string[]>;
  /** Fragments the error message must hold, in order (file, place, what). */
  error?: string[];
  /** Or: the check of a correct result. */
  ok?: (out: string, printed: string, err: string) => void | Promise<void>;
}

/** `tables` on a dataset built by `build`. */
const tables = (build: () => Promise<string>) => async (out: string) => [
  "cli/tables.ts",
  await build(),
  "--out",
  out,
];

/** `ingest` of raw files (text, or bytes), with optional extra arguments. */
const ingestOf =
  (files: Record<string, string | Uint8Array>, ...more: string[]) => async (out: string) => {
    const dir = await Deno.makeTempDir({ dir: work, prefix: "raw-" });
    for (const [name, v] of Object.entries(files)) {
      if (typeof v === "string") await Deno.writeTextFile(join(dir, name), v);
      else await Deno.writeFile(join(dir, name), v);
    }
    return ["cli/ingest.ts", dir, "--out", out, ...more];
  };

/** `text` as bytes, with the byte at `at` replaced by `bytes`. */
function bytesWith(text: string, at: number, ...bytes: number[]): Uint8Array {
  const b = new TextEncoder().encode(text);
  const out = new Uint8Array(b.length - 1 + bytes.length);
  out.set(b.subarray(0, at));
  out.set(bytes, at);
  out.set(b.subarray(at + 1), at + bytes.length);
  return out;
}

const COLD = activationLog([[{ level: 1, records: [{ id: "a1", wait: 5, init: 100 }] }]]);
const COLD_AT = COLD.indexOf("Hello, there");
const TRAILED = activationLog(
  [[{ level: 1, records: [{ id: "a1", wait: 5, init: 100 }] }]],
  "Final Error:Curl(x)",
);
const LEVELS = levelLines({ 1: [2, 4], 2: [6] });

const CASES: Case[] = [
  // Datasets: types.
  {
    name: "text in a number column names the part, the column and the first bad row",
    run: tables(() => withPart(tampered({ wait_ms: ["8", "abc"] }))),
    error: ['bad.parquet: column wait_ms holds String, expected numbers (f64): row 2 is "abc"'],
  },
  {
    name: "numbers written as text in the level column are a type error, not a silent cast",
    run: tables(() => withPart(tampered({ level: ["2", "2"] }))),
    error: ['bad.parquet: column level holds String, expected integers (i64): row 1 is "2"'],
  },
  {
    name: "a fractional level names its row",
    run: tables(() => withPart(tampered({ level: [2, 2.5] }))),
    error: ["bad.parquet: column level holds Float64, expected integers (i64): row 2 is 2.5"],
  },
  {
    name: "a level of 1e30 (a whole float Int64 cannot hold) is a type error, not a null",
    run: tables(() => withPart(tampered({ level: [2, 1e30] }))),
    error: ["bad.parquet: column level holds Float64, expected integers (i64): row 2 is 1e+30"],
  },
  {
    name: "a UInt64 level beyond Int64 is a type error, not a null",
    run: tables(() =>
      withPart(
        extra().withColumns(
          pl.Series("level", [2n, 18446744073709551615n], pl.UInt64),
        ),
      )
    ),
    error: [
      "bad.parquet: column level holds UInt64, expected integers (i64): row 2 is 18446744073709551615",
    ],
  },
  {
    name: "a part that is not Parquet is skipped with a warning naming it, the rest is read",
    run: tables(() =>
      dataset((dir) => Deno.writeTextFile(join(dir, "activations/junk.parquet"), "not parquet"))
    ),
    ok: (out, _printed, err) => {
      assert.deepEqual(warm(out), [[1, 2, 3], [2, 1, 6]]);
      assert.match(err, /warning: skipped damaged dataset part \S*activations\/junk\.parquet: /);
      assert.match(err, /warning: 1 damaged part\(s\) of \S+ skipped/);
    },
  },
  {
    name: "a part cut short (a power loss) is skipped with a warning, the other parts read",
    run: tables(() =>
      dataset(async (dir) => {
        const [path] = await writePart(dir, "activations", "extra", extra());
        const bytes = await Deno.readFile(path);
        await Deno.writeFile(path, bytes.subarray(0, bytes.length >> 1));
      })
    ),
    ok: (out, _printed, err) => {
      // Only `base`: the two rows of `extra` at level 2 are gone with their part.
      assert.deepEqual(warm(out), [[1, 2, 3], [2, 1, 6]]);
      assert.match(err, /warning: skipped damaged dataset part \S*extra[^ ]*\.parquet: /);
      assert.equal(err.match(/warning: skipped damaged/g)?.length, 1);
    },
  },
  {
    name: "true/false in a latency column is a type error",
    run: tables(() => withPart(tampered({ wait_ms: [true, false] }))),
    error: ["bad.parquet: column wait_ms holds Bool, expected numbers (f64): row 1 is true"],
  },
  {
    name: "a number in a text column is a type error",
    run: tables(() => withPart(tampered({ runtime: [1, 2] }))),
    error: ["bad.parquet: column runtime holds Float64, expected text (str): row 1 is 1"],
  },
  {
    name: "levels as Int32 and whole floats convert without loss: correct table",
    run: tables(() =>
      withPart(
        extra().withColumns(pl.col("level").cast(pl.Int32), pl.col("run").cast(pl.Float64)),
      )
    ),
    ok: (out) => assert.deepEqual(warm(out), [[1, 2, 3], [2, 3, 8]]),
  },
  {
    name: "float latencies stored as Int64 convert: correct table",
    run: tables(() => withPart(extra().withColumns(pl.col("wait_ms").cast(pl.Int64)))),
    ok: (out) => assert.deepEqual(warm(out), [[1, 2, 3], [2, 3, 8]]),
  },
  // Datasets: required columns.
  {
    name: "a part without wait_ms names the column and the required ones",
    run: tables(() => withPart(tampered({}, ["wait_ms"]))),
    error: ["bad.parquet: no column wait_ms (every activations part has experiment, workload"],
  },
  {
    name: "a part without level is an error, not a table without levels",
    run: tables(() => withPart(tampered({}, ["level"]))),
    error: ["bad.parquet: no column level"],
  },
  {
    name: "a part without init_ms (cold starts would pass for warm) is an error",
    run: tables(() => withPart(tampered({}, ["init_ms"]))),
    error: ["bad.parquet: no column init_ms"],
  },
  {
    name: "a part without optional columns (record, http_status) reads: correct table",
    run: tables(() => withPart(tampered({}, ["record", "http_status", "kind", "action"]))),
    ok: (out) => assert.deepEqual(warm(out), [[1, 2, 3], [2, 3, 8]]),
  },
  {
    name: "a resources part without cpu_pct names the column",
    run: tables(() =>
      withPart(
        pl.DataFrame({ experiment: ["capacity"], runtime: ["docker"], sampler: ["ps"] }),
        "resources",
      )
    ),
    error: ["resources/bad.parquet: no column sample, target, cpu_pct, mem_bytes"],
  },
  // Datasets: ranges, NaN and infinities.
  {
    name: "NaN in wait_ms names part, column and row",
    run: tables(() => withPart(tampered({ wait_ms: [8, NaN] }))),
    error: ["bad.parquet: column wait_ms: row 2 is NaN, expected a finite number"],
  },
  {
    name: "Infinity in init_ms is rejected",
    run: tables(() => withPart(tampered({ init_ms: [Infinity, null] }))),
    error: ["bad.parquet: column init_ms: row 1 is Infinity, expected a finite number"],
  },
  {
    name: "-Infinity in wait_ms is rejected",
    run: tables(() => withPart(tampered({ wait_ms: [1, -Infinity] }))),
    error: ["column wait_ms: row 2 is -Infinity, expected a finite number"],
  },
  {
    name: "waits of 1.5e308 ms (finite, but their sum is not) are rejected, no mean of inf",
    run: tables(() => withPart(tampered({ wait_ms: [1.5e308, 1.5e308] }))),
    error: ["bad.parquet: column wait_ms: row 1 is 1.5e+308, expected a value from 0 to 2^53 - 1"],
  },
  {
    name: "a negative latency is rejected, with the count of rows like it",
    run: tables(() => withPart(tampered({ wait_ms: [-1, -2] }))),
    error: [
      "bad.parquet: column wait_ms: row 1 is -1, expected a value from 0 to 2^53 - 1 (2 rows like it)",
    ],
  },
  {
    name: "a negative initTime (a cold start shorter than its wait) is rejected",
    run: tables(() => withPart(tampered({ init_ms: [3, -3] }))),
    error: ["column init_ms: row 2 is -3, expected a value from 0 to 2^53 - 1"],
  },
  {
    name: "level 0 is rejected",
    run: tables(() => withPart(tampered({ level: [0, 2] }))),
    error: ["bad.parquet: column level: row 1 is 0, expected a value from 1 to 5000"],
  },
  {
    name: "level 10,000 is rejected",
    run: tables(() => withPart(tampered({ level: [2, 10_000] }))),
    error: ["column level: row 2 is 10000, expected a value from 1 to 5000"],
  },
  {
    name: "a row without a source is rejected",
    run: tables(() => withPart(tampered({ source: ["record", null] }))),
    error: ["column source: row 2 is null, expected a value (not null)"],
  },
  {
    name: "an unknown source is rejected",
    run: tables(() => withPart(tampered({ source: ["bogus", "record"] }))),
    error: ['column source: row 1 is "bogus", expected one of record, warm_samples'],
  },
  {
    name: "NaN memory in a resources part is rejected",
    run: tables(() =>
      withPart(
        pl.DataFrame({
          experiment: ["capacity"],
          runtime: ["docker"],
          sampler: ["ps"],
          sample: [1],
          target: ["*"],
          cpu_pct: [5],
          mem_bytes: [NaN],
        }),
        "resources",
      )
    ),
    error: ["resources/bad.parquet: column mem_bytes: row 1 is NaN, expected a finite number"],
  },
  {
    name: "a negative executor duration in a timings part is rejected",
    run: tables(() =>
      withPart(
        pl.DataFrame({
          runtime: ["wasm"],
          action: ["hello"],
          phase: ["init"],
          run: [1],
          us: [-5],
        }),
        "timings",
      )
    ),
    error: ["timings/bad.parquet: column us: row 1 is -5, expected a value from 0 to 2^53 - 1"],
  },
  {
    name: "run 0 in a timings part is rejected",
    run: tables(() =>
      withPart(
        pl.DataFrame({ runtime: ["wasm"], action: ["hello"], phase: ["init"], run: [0], us: [5] }),
        "timings",
      )
    ),
    error: ["timings/bad.parquet: column run: row 1 is 0, expected a value from 1 to 2^53 - 1"],
  },
  // Datasets: repeated activations and copied parts.
  {
    name: "a copied part is rejected naming both parts",
    run: tables(() =>
      dataset(async (dir) => {
        await Deno.copyFile(
          join(dir, `${BASE_FOLDER}/base.parquet`),
          join(dir, `${BASE_FOLDER}/base copy.parquet`),
        );
      })
    ),
    error: [`${BASE_FOLDER}/base.parquet: a copy of `, `${BASE_FOLDER}/base copy.parquet`],
  },
  {
    name: "an activation id in two parts is rejected naming both parts",
    run: tables(() => withPart(tampered({ activation_id: ["d", "b"] }))),
    error: [
      'activation id "b" occurs twice: ',
      "activations/bad.parquet row 2 and ",
      `${BASE_FOLDER}/base.parquet row 2`,
    ],
  },
  {
    name: "an activation id twice in one part is rejected naming both rows",
    run: tables(() => withPart(tampered({ activation_id: ["d", "d"] }))),
    error: ['activation id "d" occurs twice: rows 1 and 2 of ', "activations/bad.parquet"],
  },
  {
    name: "rows without an activation id (samples) are not duplicates: correct table",
    run: tables(() =>
      withPart(tampered({ activation_id: [null, null], source: ["warm_samples", "warm_samples"] }))
    ),
    ok: (out) => assert.deepEqual(warm(out), [[1, 2, 3], [2, 3, 8]]),
  },
  {
    name: "a symbolic link to a part is read like the part: correct table",
    run: tables(() =>
      dataset(async (dir) => {
        const target = join(dir, "extra.parquet");
        extra().writeParquet(target);
        await Deno.symlink(target, join(dir, "activations", "linked.parquet"));
      })
    ),
    ok: (out) => assert.deepEqual(warm(out), [[1, 2, 3], [2, 3, 8]]),
  },
  {
    name: "a dangling symbolic link in a table folder is an error naming it",
    run: tables(() =>
      dataset((dir) => Deno.symlink(join(dir, "gone.parquet"), join(dir, "activations/x.parquet")))
    ),
    error: ["activations/x.parquet: a symbolic link to nothing (dangling)"],
  },
  // Datasets: dataset.json.
  {
    name: "dataset.json with actions that is not an array names the file and field",
    run: tables(() =>
      dataset((dir) => Deno.writeTextFile(join(dir, "dataset.json"), '{"actions": {"a": 1}}'))
    ),
    error: ["dataset.json: actions is an object, expected an array"],
  },
  {
    name: "dataset.json with a size that is text names the element and field",
    run: tables(() =>
      dataset((dir) =>
        Deno.writeTextFile(
          join(dir, "dataset.json"),
          JSON.stringify({
            actions: [{
              runtime: "wasm",
              file: "a.rs",
              action: "a",
              lines_of_code: 1,
              size_kb: "big",
              type: "x",
            }],
          }),
        )
      )
    ),
    error: ['dataset.json: actions[0].size_kb is string "big", expected a number >= 0'],
  },
  {
    name: "dataset.json that is an array names the file",
    run: tables(() => dataset((dir) => Deno.writeTextFile(join(dir, "dataset.json"), "[1]"))),
    error: ["dataset.json: the top level is an array, expected a JSON object"],
  },
  {
    name: "dataset.json nested 100,000 deep names the file and the path",
    run: tables(() =>
      dataset((dir) =>
        Deno.writeTextFile(
          join(dir, "dataset.json"),
          `{"notes":${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
        )
      )
    ),
    error: ["dataset.json: notes[0][0]", "is nested deeper than 100 levels"],
  },
  {
    name: "dataset.json that is a FIFO names the file, no read that waits for ever",
    run: tables(() =>
      dataset(async (dir) => {
        await Deno.remove(join(dir, "dataset.json"));
        await new Deno.Command("mkfifo", { args: [join(dir, "dataset.json")] }).output();
      })
    ),
    error: ["dataset.json: a FIFO, socket or device, expected a regular file"],
  },
  {
    name: "dataset.json that links to /dev/zero names the file, no endless read",
    run: tables(() =>
      dataset(async (dir) => {
        await Deno.remove(join(dir, "dataset.json"));
        await Deno.symlink("/dev/zero", join(dir, "dataset.json"));
      })
    ),
    error: ["dataset.json: a FIFO, socket or device, expected a regular file"],
  },
  {
    name: "a dataset.json of 4 GB is refused by its size, before it is read",
    run: tables(() =>
      // Sparse: no disk used.
      dataset((dir) => Deno.truncate(join(dir, "dataset.json"), 2 ** 32))
    ),
    error: ["dataset.json: 4294967296 bytes, more than the 67108864"],
  },
  {
    name: "a published.json that is a FIFO names the file, no read that waits for ever",
    run: async () => [
      "cli/verify.ts",
      await dataset(async (dir) => {
        await new Deno.Command("mkfifo", { args: [join(dir, "published.json")] }).output();
      }),
    ],
    error: ["published.json: Error: a FIFO, socket or device"],
  },
  // The terminal.
  {
    name: "a runtime named with terminal escapes is printed escaped, never sent to the terminal",
    run: async (out) => {
      // Sets the window title, clears the screen, a C1 CSI, a bidirectional override.
      const runtime = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil";
      const dir = await dataset(async (d) => {
        const rows = BASE.map((r, i) => ({ ...r, runtime, activation_id: `t${i}` }));
        await writePart(d, "activations", "escapes", activations(rows));
      });
      return ["cli/report.ts", "--data", dir, "--out", out, "--no-pdf"];
    },
    ok: (_, printed, err) => {
      // deno-lint-ignore no-control-regex -- control characters are what it looks for
      assert.doesNotMatch(printed + err, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      assert.match(
        err,
        /exported box_concurrency_\\x1b\]0;pwned\\x07\\x1b\[2J\\x9b31m\\u202eevil_hello/,
      );
    },
  },
  // verify.
  {
    name: "verify on a dataset with no data for the tables it grades exits 1 naming them",
    run: async () => ["cli/verify.ts", await dataset()],
    error: ["no data for ", "Table 3"],
  },
  {
    name: "a dataset's published.json whose tables is not an array names the file and field",
    run: async () => [
      "cli/verify.ts",
      await dataset((dir) =>
        Deno.writeTextFile(join(dir, "published.json"), '{"source": "x", "tables": 5}')
      ),
    ],
    error: ["published.json: tables is number 5, expected an array"],
  },
  {
    name: "a published table without rows names the table and field",
    run: async () => [
      "cli/verify.ts",
      await dataset((dir) =>
        Deno.writeTextFile(
          join(dir, "published.json"),
          JSON.stringify({
            source: "x",
            tables: [{ id: "t", label: "T", kind: "cold_start", runtime: "wasm" }],
          }),
        )
      ),
    ],
    error: ["published.json: tables[0].rows is undefined, expected an array of objects"],
  },
  {
    name: "a published cell that is a number, not the printed text, names the cell",
    run: async () => [
      "cli/verify.ts",
      await dataset((dir) =>
        Deno.writeTextFile(
          join(dir, "published.json"),
          JSON.stringify({
            source: "x",
            tables: [{
              id: "t",
              label: "T",
              kind: "warm",
              runtime: "wasm",
              workload: "hello",
              rows: [{ level: "1", mean: 3 }],
            }],
          }),
        )
      ),
    ],
    error: ["published.json: tables[0].rows[0].mean is number 3, expected text or an array"],
  },
  // Raw logs: invalid UTF-8.
  {
    name: "invalid UTF-8 in a record of a 1_ log names file and byte",
    run: ingestOf({ "1_wasm_cold_start.log": bytesWith(COLD, COLD_AT, 0xff) }),
    error: [`1_wasm_cold_start.log byte ${COLD_AT} (line 1): invalid UTF-8: byte 0xff`],
  },
  {
    name: "an overlong UTF-8 encoding in a 1_ log names file and byte",
    run: ingestOf({ "1_wasm_cold_start.log": bytesWith(COLD, COLD_AT, 0xc0, 0xaf) }),
    error: [`1_wasm_cold_start.log byte ${COLD_AT} (line 1): invalid UTF-8: byte 0xc0`],
  },
  {
    name: "invalid UTF-8 in a trailer line names file, byte and line",
    run: ingestOf({
      "1_docker_capacity.log": bytesWith(TRAILED, TRAILED.indexOf("Curl") + 1, 0xfe),
    }),
    error: [
      `1_docker_capacity.log byte ${TRAILED.indexOf("Curl") + 1} (line 2): invalid UTF-8`,
    ],
  },
  {
    name: "invalid UTF-8 in a 4_ level-lines log names file, byte and line",
    run: ingestOf({
      "4_wasm_concurrency_hello.log": bytesWith(LEVELS, LEVELS.indexOf("2:") + 1, 0x80),
    }),
    error: [`4_wasm_concurrency_hello.log byte ${LEVELS.indexOf("2:") + 1} (line 2): invalid`],
  },
  {
    name: "a UTF-16 surrogate encoded in UTF-8 in a 2_ log names file and byte",
    run: ingestOf({
      "2_wasm_concurrency_hello.log": bytesWith(LEVELS, 1, 0xed, 0xa0, 0x80),
    }),
    error: ["2_wasm_concurrency_hello.log byte 1 (line 1): invalid UTF-8: byte 0xed"],
  },
  {
    name: "a UTF-8 sequence cut by the end of the file names file and byte",
    run: ingestOf({
      "4_wasm_concurrency_hello.log": new Uint8Array([
        ...new TextEncoder().encode(LEVELS),
        0xe2,
        0x82,
      ]),
    }),
    error: [`4_wasm_concurrency_hello.log byte ${LEVELS.length} (line 3): invalid UTF-8`],
  },
  {
    name: "invalid UTF-8 in docker_res.log names file and byte",
    run: ingestOf({ "docker_res.log": bytesWith("CPU%: 1.5 Memory: 2MiB\n", 3, 0xff) }),
    error: ["docker_res.log byte 3 (line 1): invalid UTF-8"],
  },
  {
    name: "invalid UTF-8 in function_times.log names file and byte",
    run: ingestOf({ "function_times.log": bytesWith("## runs\n", 3, 0xc3, 0x28) }),
    error: ["function_times.log byte 3 (line 1): invalid UTF-8: byte 0xc3"],
  },
  {
    name: "valid non-ASCII text in a record is kept: ingest succeeds",
    run: ingestOf({ "1_wasm_cold_start.log": COLD.replace("Hello, there", "Grüße, 世界") }),
    ok: (_, printed) => assert.match(printed, /ingested 1 files, 1 rows/),
  },
  // Raw logs: nesting.
  {
    name: "nesting 100,000 deep in a 1_ log names file and byte, no stack overflow",
    run: ingestOf({
      "1_wasm_cold_start.log": COLD.replace(
        '"logs":[]',
        `"logs":${"[".repeat(100_000)}${"]".repeat(100_000)}`,
      ),
    }),
    error: ["1_wasm_cold_start.log byte ", "nested deeper than 1000 levels in the level group"],
  },
  {
    name: "deep unbalanced nesting (JSON.parse fails) names file and byte, no stack overflow",
    run: ingestOf({
      "1_wasm_cold_start.log": COLD.replace(
        '"logs":[]',
        `"logs":${"[".repeat(5000)}${"]".repeat(4999)}}`,
      ),
    }),
    error: ["1_wasm_cold_start.log byte ", "nested deeper than 1000 levels"],
  },
  {
    name: "a record nested 500 deep (past the fast path, within the bound) is ingested",
    run: ingestOf({
      "1_wasm_cold_start.log": COLD.replace(
        '"logs":[]',
        `"logs":${"[".repeat(500)}${"]".repeat(500)}`,
      ),
    }),
    ok: (_, printed) => assert.match(printed, /ingested 1 files, 1 rows/),
  },
  {
    name: "a --meta file nested 100,000 deep names the file",
    run: async (out) => {
      const args = await ingestOf({ "4_wasm_concurrency_hello.log": LEVELS })(out);
      const meta = `${args[1]}.meta.json`;
      await Deno.writeTextFile(meta, `{"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
      return [...args, "--meta", meta];
    },
    error: ["--meta file ", ".meta.json: x[0][0]", "nested deeper than 100 levels"],
  },
  {
    name: "a --meta file whose actions is not an array names the file and field",
    run: async (out) => {
      const args = await ingestOf({ "4_wasm_concurrency_hello.log": LEVELS })(out);
      const meta = `${args[1]}.meta.json`;
      await Deno.writeTextFile(meta, '{"actions": 5}');
      return [...args, "--meta", meta];
    },
    error: ["--meta file ", ".meta.json: actions is number 5, expected an array"],
  },
  {
    name: "a --meta file that is not JSON names the file",
    run: async (out) => {
      const args = await ingestOf({ "4_wasm_concurrency_hello.log": LEVELS })(out);
      const meta = `${args[1]}.meta.json`;
      await Deno.writeTextFile(meta, '{"actions": [');
      return [...args, "--meta", meta];
    },
    error: ["Cannot read --meta file ", ".meta.json: SyntaxError"],
  },
  // Raw logs: levels.
  {
    name: "level 10,000 in a 1_ log names file and byte",
    run: ingestOf({
      "1_wasm_cold_start.log": activationLog([[{
        level: 10_000,
        records: [{ id: "a", wait: 5, init: 100 }],
      }]]),
    }),
    error: ["1_wasm_cold_start.log byte 1 (line 1): no_concurrent_requests is 10000, expected"],
  },
  {
    name: "level 10,000 in a 4_ log names file and line",
    run: ingestOf({ "4_wasm_concurrency_hello.log": "10000: , 5, 3\n" }),
    error: ["4_wasm_concurrency_hello.log line 1: level is 10000, expected 1 to 5000"],
  },
  {
    name: "level 10,000 in a 2_ cold-start log names file and line",
    run: ingestOf({ "2_wasm_cold_start.log": "abc 10000 5\n" }),
    error: ["2_wasm_cold_start.log line 1: level is 10000, expected an integer from 1 to 5000"],
  },
  {
    name: "a waitTime of 1e999 (Infinity to JSON.parse) names file and record",
    run: ingestOf({ "1_wasm_cold_start.log": COLD.replace('"value":5', '"value":1e999') }),
    error: [
      "1_wasm_cold_start.log byte 1 (line 1, level 1, record 1) (activation a1): ",
      "waitTime is Infinity (out of range), expected a finite number",
    ],
  },
  {
    name: "NaN in a 4_ log names file and line",
    run: ingestOf({ "4_wasm_concurrency_hello.log": "1: , NaN, 3\n" }),
    error: ['4_wasm_concurrency_hello.log line 1: value 1 is "NaN", expected a number >= 0'],
  },
  // Raw logs: repeated activations.
  {
    name: "a run pasted twice into a 1_ log names the file and both bytes",
    run: ingestOf({
      "1_wasm_cold_start.log": COLD + COLD,
    }),
    error: [
      `activation id "a1" occurs twice: 1_wasm_cold_start.log byte ${
        COLD.indexOf('"a1"')
      } and 1_wasm_cold_start.log byte ${COLD.length + COLD.indexOf('"a1"')}`,
    ],
  },
  {
    name: "one activation in two 1_ logs names both files",
    run: ingestOf({
      "1_wasm_cold_start.log": COLD,
      "1_wasm_concurrency_hello.log": COLD,
    }),
    error: ['activation id "a1" occurs twice: 1_wasm_cold_start.log byte ', "1_wasm_concurrency"],
  },
  {
    name: "an id twice in a 2_ cold-start log with no 1_ log names file and bytes",
    run: ingestOf({ "2_wasm_cold_start.log": "abc 1 5\nabc 2 6\n" }),
    error: ['activation id "abc" occurs twice: 2_wasm_cold_start.log byte 0 and ', "byte 8"],
  },
  {
    name: "a 2_ cold-start log that repeats its 1_ log is checked, its records stored once",
    run: ingestOf({
      "1_wasm_cold_start.log": COLD,
      "2_wasm_cold_start.log": "a1 1 105\n",
    }),
    ok: (_, printed) => {
      assert.match(printed, /ingested 2 files, 1 rows/);
      assert.match(
        printed,
        /check: 2_wasm_cold_start.log vs 1_wasm_cold_start.log: 1 values, agrees/,
      );
    },
  },
  // Raw logs: symbolic links.
  {
    name: "a symbolic link to a raw log is read like the log",
    run: async (out) => {
      const args = await ingestOf({})(out);
      const target = `${args[1]}.log`;
      await Deno.writeTextFile(target, LEVELS);
      await Deno.symlink(target, join(args[1], "4_wasm_concurrency_hello.log"));
      return args;
    },
    ok: (_, printed) => assert.match(printed, /ingested 1 files, 3 rows/),
  },
  {
    name: "a dangling symbolic link in the raw folder is an error naming it",
    run: async (out) => {
      const args = await ingestOf({ "4_wasm_concurrency_hello.log": LEVELS })(out);
      await Deno.symlink(join(args[1], "gone.log"), join(args[1], "4_wasm_concurrency_hash.log"));
      return args;
    },
    error: ["4_wasm_concurrency_hash.log: a symbolic link to nothing (dangling)"],
  },
  {
    name: "a folder in the raw folder is an error naming it, not skipped",
    run: async (out) => {
      const args = await ingestOf({ "4_wasm_concurrency_hello.log": LEVELS })(out);
      await Deno.mkdir(join(args[1], "run2"));
      await Deno.writeTextFile(join(args[1], "run2", "4_wasm_concurrency_hash.log"), LEVELS);
      return args;
    },
    error: ["/run2: a folder; ingest reads the raw logs of "],
  },
  {
    name: "a symbolic link to a folder in the raw folder is an error naming it",
    run: async (out) => {
      const args = await ingestOf({ "4_wasm_concurrency_hello.log": LEVELS })(out);
      await Deno.symlink(ROOT, join(args[1], "4_wasm_concurrency_hash.log"));
      return args;
    },
    error: ["4_wasm_concurrency_hash.log: a symbolic link to something that is not a file"],
  },
];

for (const c of CASES) {
  Deno.test(`hostile: ${c.name}`, async () => {
    work = await Deno.makeTempDir({ prefix: "whiskbench-hostile-" });
    const parent = join(work, "out-parent");
    await Deno.mkdir(parent);
    const out = join(parent, "out");
    try {
      const args = await c.run(out);
      const { code, out: printed, err } = await cli(...args);
      if (c.error) {
        assert.equal(code, 1, `expected exit 1\n${printed}${err}`);
        assert.ok(err.startsWith("error: "), err);
        let from = 0;
        for (const fragment of c.error) {
          const at = err.indexOf(fragment, from);
          assert.ok(at >= 0, `expected ${JSON.stringify(fragment)} in: ${err}`);
          from = at + fragment.length;
        }
        assert.deepEqual(await entries(parent), [], "nothing may be left at --out");
      } else {
        assert.equal(code, 0, `${printed}${err}`);
        await c.ok!(out, printed, err);
      }
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  });
}

Deno.test("the thesis's raw logs are valid UTF-8 throughout (no byte to reject or replace)", async () => {
  const dir = join(ROOT, "data/raw/thesis");
  const names = await entries(dir);
  assert.equal(names.length, 39);
  for (const name of names) {
    assert.equal(invalidUtf8At(await Deno.readFile(join(dir, name))), -1, name);
  }
});

Deno.test("verify exits 0 on the embedded dataset", async () => {
  const { code, out, err } = await cli("cli/verify.ts");
  assert.equal(code, 0, err);
  assert.match(out, /exact at printed precision: 964\n/);
});

Deno.test("report: a damaged part is named in the provenance, the rest reported", async () => {
  work = await Deno.makeTempDir({ prefix: "whiskbench-hostile-" });
  try {
    const dir = await dataset((d) => Deno.writeTextFile(join(d, "activations/junk.parquet"), "x"));
    const out = join(work, "report");
    const { code, err } = await cli("cli/report.ts", "--data", dir, "--out", out, "--no-export");
    assert.equal(code, 0, err);
    const prov = JSON.parse(await Deno.readTextFile(join(out, "provenance.json")));
    const damaged = prov.dataset.damaged_parts as { part: string; error: string }[];
    assert.equal(damaged.length, 1);
    assert.equal(damaged[0].part, "activations/junk.parquet");
    assert.doesNotMatch(damaged[0].part, new RegExp(work));
    assert.match(err, /warning: skipped damaged dataset part/);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
