/**
 * Seeded raw activation logs in the layout of the thesis's published `1_` logs (one JSON array
 * per repetition, a line each; every element `{"no_concurrent_requests": N, "responses": [...]}`,
 * records shaped and ordered like those of `1_wasm_cold_start.log`), for the ingest benchmark.
 * The same seed and sizes give the same bytes.
 */
import { join } from "node:path";
import { random } from "./random.ts";

/** Options of {@linkcode generateRawLogs}. */
export interface RawLogOptions {
  /** Total size to write, in bytes (the last run may overshoot by one run). Default 100 MB. */
  bytes?: number;
  /** Size of one file, in bytes. Default 25 MB. */
  fileBytes?: number;
  /** Seed of the pseudo-random values. Default 1. */
  seed?: number;
  /** Levels of one run (level N holds N records, as in the cold-start logs). Default 15. */
  levels?: number;
  /** Share of records that carry an initTime (cold starts). Default 0.25. */
  coldShare?: number;
  /** Share of records whose invocation failed. Default 0.01. */
  failShare?: number;
}

/** What {@linkcode generateRawLogs} wrote. */
export interface RawLogSet {
  dir: string;
  files: string[];
  bytes: number;
  records: number;
  runs: number;
}

const HEX = "0123456789abcdef";

/** File name of the `k`-th generated log (from 1): a runtime name per file, all `concurrency`. */
export function rawLogName(k: number): string {
  return `1_gen-${String(k).padStart(4, "0")}_concurrency_hello.log`;
}

/**
 * Writes seeded `1_` logs into `dir` (created if missing) and says what it wrote.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateRawLogs } from "./generate_raw.ts";
 * const dir = await Deno.makeTempDir();
 * const set = await generateRawLogs(dir, { bytes: 200_000, fileBytes: 100_000, seed: 7 });
 * assert.equal(set.files.length, 2);
 * assert.equal(set.records, set.runs * 120);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function generateRawLogs(
  dir: string,
  {
    bytes = 100e6,
    fileBytes = 25e6,
    seed = 1,
    levels = 15,
    coldShare = 0.25,
    failShare = 0.01,
  }: RawLogOptions = {},
): Promise<RawLogSet> {
  await Deno.mkdir(dir, { recursive: true });
  const rand = random(seed);
  const encoder = new TextEncoder();
  const set: RawLogSet = { dir, files: [], bytes: 0, records: 0, runs: 0 };
  let clock = 1692272392821;
  const id = () => {
    let s = "";
    for (let i = 0; i < 32; i++) s += HEX[(rand() * 16) | 0];
    return s;
  };
  const record = (level: number): string => {
    const action = `hello${1 + ((rand() * level) | 0)}`;
    const wait = 2 + Math.floor(-Math.log(1 - rand()) * 40 * (1 + level / 5));
    const cold = rand() < coldShare;
    const init = cold ? 3 + Math.floor(-Math.log(1 - rand()) * 30) : 0;
    const duration = init + 1 + ((rand() * 9) | 0);
    const start = (clock += 1 + ((rand() * 40) | 0));
    const initAnnotation = cold ? `,{"key":"initTime","value":${init}}` : "";
    const response = rand() < failShare
      ? `{"result":{"error":"The action did not produce a valid response and exited unexpectedly."},"size":83,"status":"action developer error","success":false}`
      : `{"result":{"result":{"result":"Hello, \\"there!\\""},"status":"success","status_code":0,"success":true},"size":91,"status":"success","success":true}`;
    return `{"activationId":"${id()}","annotations":[{"key":"path","value":"guest/${action}"},` +
      `{"key":"waitTime","value":${wait}},{"key":"kind","value":"wasm:0.1"},` +
      `{"key":"timeout","value":false},{"key":"limits","value":{"concurrency":1,"logs":10,` +
      `"memory":256,"timeout":60000}}${initAnnotation}],"duration":${duration},` +
      `"end":${start + duration},"logs":[],"name":"${action}","namespace":"guest",` +
      `"publish":false,"response":${response},"start":${start},"subject":"guest",` +
      `"version":"0.0.1"}`;
  };
  const run = (): string => {
    const groups: string[] = [];
    for (let level = 1; level <= levels; level++) {
      const records: string[] = [];
      for (let k = 0; k < level; k++) records.push(record(level));
      set.records += level;
      groups.push(`{"no_concurrent_requests":${level},"responses":[${records.join(",")}]}`);
      clock += 20_000;
    }
    set.runs++;
    return `[${groups.join(",")}]\n`;
  };
  while (set.bytes < bytes) {
    const name = rawLogName(set.files.length + 1);
    using file = await Deno.open(join(dir, name), { write: true, create: true, truncate: true });
    let written = 0;
    while (written < fileBytes && set.bytes < bytes) {
      const chunk = encoder.encode(run());
      for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
      written += chunk.length;
      set.bytes += chunk.length;
    }
    set.files.push(name);
  }
  return set;
}

/** Options of {@linkcode generateLevelLines}. */
export interface LevelLineOptions {
  /** Size of the file, in bytes (the last value may overshoot by a few). Default 10 MB. */
  bytes?: number;
  /** Levels, one line each, as in the thesis's `4_` files. Default 15. */
  levels?: number;
  /** Seed of the pseudo-random values. Default 1. */
  seed?: number;
  /** File name. Default `4_wasm_concurrency_hello.log`. */
  name?: string;
}

/**
 * Writes one seeded file of level lines (`N: , v1, v2, ...`, the layout of the thesis's `2_`
 * and `4_` files) of about `bytes` into `dir`, a line a level, each of the same share of the
 * bytes: a gigabyte makes lines of tens of megabytes. Written a block at a time, so any size
 * can be made. Returns the path and the number of values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateLevelLines } from "./generate_raw.ts";
 * const dir = await Deno.makeTempDir();
 * const { values } = await generateLevelLines(dir, { bytes: 10_000, levels: 3 });
 * const text = await Deno.readTextFile(`${dir}/4_wasm_concurrency_hello.log`);
 * assert.equal(text.split("\n").filter((l) => l !== "").length, 3);
 * // Each line: a comma before every value and one at the end.
 * assert.equal(text.split(",").length - 1, values + 3);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function generateLevelLines(
  dir: string,
  { bytes = 10e6, levels = 15, seed = 1, name = "4_wasm_concurrency_hello.log" }: LevelLineOptions =
    {},
): Promise<{ path: string; values: number }> {
  await Deno.mkdir(dir, { recursive: true });
  const rand = random(seed);
  const encoder = new TextEncoder();
  const path = join(dir, name);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const write = async (text: string) => {
    const chunk = encoder.encode(text);
    for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
  };
  let values = 0;
  for (let level = 1; level <= levels; level++) {
    const lineBytes = bytes / levels;
    let block = `${level}: `, written = 0;
    while (written + block.length < lineBytes) {
      block += `, ${2 + Math.floor(-Math.log(1 - rand()) * 10 * (1 + level / 5))}`;
      values++;
      if (block.length >= 1 << 16) {
        written += block.length;
        await write(block);
        block = "";
      }
    }
    await write(`${block}, \n`);
  }
  return { path, values };
}

if (import.meta.main) {
  // deno run -A bench/generate_raw.ts level-lines DIR BYTES: one 4_ file of BYTES for ingest.
  const [what, dir, size] = Deno.args;
  if (what !== "level-lines" || !dir || !(Number(size) > 0)) {
    console.error("usage: deno run -A bench/generate_raw.ts level-lines DIR BYTES");
    Deno.exit(2);
  }
  const { path, values } = await generateLevelLines(dir, { bytes: Number(size) });
  console.log(`${path}: ${values} values`);
}
