/**
 * ingest() on malformed raw logs: every case of test/fixtures/malformed (one raw folder per
 * case, holding one bad file and, where the case needs one, a valid file read before it) must
 * fail with a message naming the file, the place and what was expected, and leave no dataset.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { ingest } from "../ingest/mod.ts";
import { activationLog, levelLines, rawDir, record } from "./_raw_logs.ts";
import { withTinyDisk } from "./_tiny_disk.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MALFORMED = join(ROOT, "test/fixtures/malformed");

interface Case {
  /** What ingest() rejects, for the test's name. */
  name: string;
  /** Folder under test/fixtures/malformed. */
  dir: string;
  /** The bad file the message must name. */
  file: string;
  /**
   * The place, exactly as it follows the file name at the start of the message (`line 3`,
   * `byte 300 (line 1)`); null where the file's name alone is wrong.
   */
  place: string | null;
  /** A fragment saying what was expected. */
  expected: string;
}

const CASES: Case[] = [
  {
    name: "a truncated 1_ log (cut mid-record) naming file and byte",
    dir: "truncated_mid_record",
    file: "1_wasm_cold_start.log",
    place: "byte 300 (line 1)",
    expected: "truncated: the level group opened at byte 235 (line 1) never closes",
  },
  {
    name: "a record without waitTime naming file, byte, level and record",
    dir: "record_without_wait_time",
    file: "1_docker_cold_start.log",
    place: "byte 471 (line 2, level 2, record 2) (activation d)",
    expected: "waitTime is missing, expected a number",
  },
  {
    name: 'a waitTime of "abc" naming file, byte and record',
    dir: "wait_time_string",
    file: "1_wasm_concurrency_hello.log",
    place: "byte 1 (line 1, level 1, record 2) (activation b)",
    expected: 'waitTime is "abc", expected a number',
  },
  {
    name: "a negative initTime naming file, byte and record",
    dir: "negative_init_time",
    file: "1_docker_cold_start.log",
    place: "byte 237 (line 2, level 1, record 1) (activation b)",
    expected: "initTime is -5, expected a number >= 0",
  },
  {
    name: "an initTime above 2^53 - 1 (1e+22) naming file, byte and record",
    dir: "huge_wait_time",
    file: "1_docker_cold_start.log",
    place: "byte 237 (line 2, level 1, record 1) (activation b)",
    expected: "initTime is 1e+22, expected a number up to 2^53 - 1",
  },
  {
    name: "a trailer line followed by another array naming file and byte",
    dir: "trailer_not_last",
    file: "1_docker_capacity.log",
    place: "byte 232 (line 3)",
    expected: "the trailer must be last",
  },
  {
    name: "an empty 1_ log naming file and byte",
    dir: "empty_file",
    file: "1_wasm_cold_start.log",
    place: "byte 0 (line 1)",
    expected: "empty log: no JSON array of level groups",
  },
  {
    name: "a 3_ file name of no known layout naming the file",
    dir: "unknown_stage",
    file: "3_docker_foo.log",
    place: null,
    expected: "not a raw file of a known layout: 3_docker_foo.log (expected <stage>_<runtime>_",
  },
  {
    name: "a notes.txt beside a valid log naming the file",
    dir: "unknown_notes",
    file: "notes.txt",
    place: null,
    expected: "not a raw file of a known layout: notes.txt (expected <stage>_<runtime>_",
  },
  {
    name: "garbage text between arrays naming file and byte",
    dir: "garbage_between_arrays",
    file: "1_wasm_capacity.log",
    place: "byte 206 (line 2)",
    expected: `expected '[' or a trailer line "Final Error:...", found "-- run 2 --"`,
  },
  {
    name: "a level group without no_concurrent_requests naming file and byte",
    dir: "group_without_level",
    file: "1_docker_concurrency_hash.log",
    place: "byte 1 (line 1)",
    expected: "no_concurrent_requests is undefined, expected an integer from 1 to 5000",
  },
  {
    name: "responses that is not an array naming file and byte",
    dir: "responses_not_array",
    file: "1_wasm_concurrency_hash.log",
    place: "byte 205 (line 1)",
    expected: 'responses is {"n":3}, expected an array',
  },
  {
    name: "a trailing comma in the top-level array naming file and byte",
    dir: "trailing_comma",
    file: "1_docker_concurrency_hello.log",
    place: "byte 205 (line 1)",
    expected: `expected '{' (a level group), found "]\\n"`,
  },
  {
    name: "a 2_ level line with a non-numeric value naming file and line",
    dir: "level_line_not_number",
    file: "2_docker_concurrency_hash.log",
    place: "line 2",
    expected: 'value 2 is "5x", expected a number >= 0',
  },
  {
    name: "a 2_ level line without its N: label naming file and line",
    dir: "level_line_without_label",
    file: "2_wasm_concurrency_hello.log",
    place: "line 2",
    expected: 'expected "N: , v1, v2, ..."',
  },
  {
    name: "a 2_ cold-start line of 2 fields naming file and line",
    dir: "cold_start_line_two_fields",
    file: "2_wasm_cold_start.log",
    place: "line 2",
    expected: 'expected "activationId level milliseconds", found "c3d4 2"',
  },
  {
    name: "a negative value in a 4_ file naming file and line",
    dir: "warm_negative_value",
    file: "4_docker_concurrency_hash.log",
    place: "line 2",
    expected: 'value 2 is "-2", expected a number >= 0',
  },
  {
    name: "a value above 2^53 - 1 in a 4_ file naming file and line",
    dir: "warm_huge_value",
    file: "4_docker_concurrency_hash.log",
    place: "line 2",
    expected: "value 2 is 12e21, expected a number up to 2^53 - 1",
  },
  {
    name: "a docker_res.log memory of unknown unit naming file and line",
    dir: "docker_res_unknown_unit",
    file: "docker_res.log",
    place: "line 3",
    expected: '"1739.29XB" is not a byte quantity (a number and one of B, KiB, MiB',
  },
  {
    name: "a ps log data line of 4 fields naming file and line",
    dir: "ps_line_four_fields",
    file: "wasm_res.log",
    place: "line 3",
    expected: 'expected 5 fields "SPID STAT %CPU RSS VSZ"',
  },
  {
    name: "a timing log value 12x naming file and line",
    dir: "timing_bad_number",
    file: "function_cold_times.log",
    place: "line 5",
    expected: '"12x" is not a duration in microseconds',
  },
  {
    name: "a timing line before any /init or /run header naming file and line",
    dir: "timing_before_header",
    file: "function_times.log",
    place: "line 2",
    expected: 'a timestamp before any "/init <action>" or "/run <path>"',
  },
  {
    name: "invalid JSON inside a record naming file and the byte of the error",
    dir: "record_invalid_json",
    file: "1_wasm_cold_start.log",
    place: "byte 339 (line 2)",
    expected:
      'invalid JSON in the level group at byte 237 (line 2): expected a JSON value, found "}',
  },
  {
    name: "a top-level array element that is not an object naming file and byte",
    dir: "element_not_object",
    file: "1_docker_capacity.log",
    place: "byte 205 (line 1)",
    expected: `expected '{' (a level group), found "42]\\n"`,
  },
  {
    name: "a response that is not an object naming file, byte and record",
    dir: "record_not_object",
    file: "1_wasm_capacity.log",
    place: "byte 1 (line 1, level 1, record 2)",
    expected: "activation record is number, expected an object",
  },
];

/** Names in `dir`, recursively, relative to it. */
async function list(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    names.push(e.name);
    if (e.isDirectory) names.push(...(await list(join(dir, e.name))).map((n) => `${e.name}/${n}`));
  }
  return names.sort();
}

/** Every file of `dir` with its bytes and modification time. */
async function snapshot(dir: string): Promise<Record<string, [Uint8Array, number | undefined]>> {
  const files: Record<string, [Uint8Array, number | undefined]> = {};
  for (const name of await list(dir)) {
    const path = join(dir, name);
    const stat = await Deno.stat(path);
    if (stat.isFile) files[name] = [await Deno.readFile(path), stat.mtime?.getTime()];
  }
  return files;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Runs ingest() of `raw` into `out` and returns what it threw (fails if it did not throw). */
async function rejection(raw: string, out: string): Promise<Error> {
  const err = await ingest(raw, out).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof Error, `ingest() accepted ${relative(ROOT, raw)}`);
  return err;
}

for (const c of CASES) {
  Deno.test(`ingest() rejects ${c.name}`, async () => {
    const raw = join(MALFORMED, c.dir);
    assert.ok((await Deno.stat(join(raw, c.file))).isFile, `fixture ${c.dir}/${c.file}`);
    const parent = await Deno.makeTempDir({ prefix: "whiskbench-malformed-" });
    try {
      const out = join(parent, "out");
      const { message } = await rejection(raw, out);
      assert.ok(message.includes(c.file), `names ${c.file}: ${message}`);
      if (c.place !== null) {
        // The place follows the file name, and its number is whole (`line 2`, not `line 23`).
        assert.match(message, new RegExp(`^${escape(`${c.file} ${c.place}`)}(?!\\d)`));
      }
      assert.ok(message.includes(c.expected), `says ${JSON.stringify(c.expected)}: ${message}`);
      // No dataset, not even a partial one or the temporary folder it was written to.
      await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
      assert.deepEqual(await list(parent), []);
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  });
}

Deno.test("ingest() leaves an existing dataset untouched when a later ingest into it fails", async () => {
  const good = await rawDir({
    "1_wasm_concurrency_hello.log": activationLog([
      [{ level: 1, records: [{ id: "a", wait: 5, init: 40 }, { id: "b", wait: 2 }] }],
    ]),
    "4_docker_concurrency_hash.log": levelLines({ 1: [1, 2, 3] }),
  });
  const parent = await Deno.makeTempDir({ prefix: "whiskbench-malformed-" });
  try {
    const out = join(parent, "out");
    await ingest(good, out);
    const before = await snapshot(out);
    const names = await list(out);
    assert.ok("dataset.json" in before, Object.keys(before).join(", "));
    assert.ok(Object.keys(before).some((n) => /^activations\/.+\.parquet$/.test(n)));
    const { message } = await rejection(join(MALFORMED, "truncated_mid_record"), out);
    assert.match(message, /^1_wasm_cold_start\.log byte 300 /);
    assert.deepEqual(await snapshot(out), before);
    // Nothing new beside it either (no temporary folder left behind).
    assert.deepEqual(await list(out), names);
    assert.deepEqual(await list(parent), ["out", ...names.map((n) => `out/${n}`)]);
  } finally {
    await Deno.remove(parent, { recursive: true });
    await Deno.remove(good, { recursive: true });
  }
});

/** Runs the ingest CLI with `args`: its exit code and what it printed on stderr. */
async function ingestCli(...args: string[]): Promise<{ code: number; text: string }> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/ingest.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, text: new TextDecoder().decode(stderr) };
}

Deno.test("the ingest CLI exits 1 on a malformed folder, printing error: and the file", async () => {
  const parent = await Deno.makeTempDir({ prefix: "whiskbench-malformed-" });
  try {
    const out = join(parent, "out");
    const raw = join(MALFORMED, "level_line_not_number");
    const { code, text } = await ingestCli(raw, "--out", out);
    assert.equal(code, 1, text);
    assert.ok(text.startsWith("error: "), text);
    assert.ok(text.startsWith("error: 2_docker_concurrency_hash.log line 2: "), text);
    assert.deepEqual(await list(parent), []);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("a full disk: ingest and import name the part they could not write, and leave nothing in --out's folder", async (t) => {
  const src = await Deno.makeTempDir({ prefix: "whiskbench-full-src-" });
  try {
    // About 2 MB of activation records, as JSON lines and as a thesis `1_` log.
    const records = Array.from(
      { length: 3000 },
      (_, i) => JSON.stringify(record({ id: `${i}`.padStart(32, "a"), wait: 1 + (i % 40) })),
    );
    await Deno.writeTextFile(join(src, "activations.jsonl"), records.join("\n") + "\n");
    await Deno.mkdir(join(src, "raw"));
    const group = (k: number) => `{"no_concurrent_requests":1,"responses":[${records[k]}]}`;
    await Deno.writeTextFile(
      join(src, "raw", "1_wasm_cold_start.log"),
      `[${records.map((_, k) => group(k)).join(",")}]\n`,
    );
    const ran = await withTinyDisk(512, async (disk) => {
      for (
        const args of [
          [join(src, "activations.jsonl"), "--format", "openwhisk-jsonl"],
          [join(src, "raw")],
        ]
      ) {
        const { code, text } = await ingestCli(...args, "--out", join(disk, "out"));
        assert.equal(code, 1, text);
        assert.match(
          text,
          /^error: Cannot write the dataset part .*\.parquet.*: No space left on device/,
          text,
        );
        assert.deepEqual(await list(disk), []);
      }
    });
    if (!ran) {
      await t.step({
        name: "skipped: tmpfs cannot be mounted here (needs root)",
        ignore: true,
        fn() {},
      });
    }
  } finally {
    await Deno.remove(src, { recursive: true });
  }
});
