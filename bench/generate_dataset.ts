/**
 * A seeded dataset in the dataset format (DESIGN.md) with many activation rows, for the
 * pipeline benchmark: cold-start and concurrency records of two runtimes, every workload,
 * levels 1-15, warm and cold starts, 1 % failed invocations. The `record` column is null
 * (the tables never read it; a real dataset's record JSON would make the files ~60x larger).
 */
import pl from "nodejs-polars";
import { join } from "node:path";
import { writeMeta, writePart } from "../dataset/mod.ts";
import { THESIS_RUNTIMES, THESIS_WORKLOADS } from "../pipeline/mod.ts";
import { random } from "./random.ts";

/** Options of {@linkcode generateDataset}. */
export interface DatasetOptions {
  /** Activation rows. Default 10 million. */
  rows?: number;
  /** Rows per Parquet part. Default 1 million. */
  partRows?: number;
  /** Seed. Default 1. */
  seed?: number;
}

const RUNTIMES = [...THESIS_RUNTIMES];
const WORKLOADS = [...THESIS_WORKLOADS];

/** A string column taking `values[codes[i]]`, built in polars (no JS string per row). */
function strings(name: string, values: string[], codes: Uint32Array): pl.Series {
  return pl.Series(name, values, pl.Utf8).gather(Array.from(codes));
}

/**
 * Writes a dataset of `rows` activation rows to `dir` (activations' parts, dataset.json).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDataset } from "../dataset/mod.ts";
 * import { generateDataset } from "./generate_dataset.ts";
 * const dir = await Deno.makeTempDir();
 * await generateDataset(dir, { rows: 1000, partRows: 600 });
 * assert.equal((await readDataset(dir)).activations.height, 1000);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function generateDataset(
  dir: string,
  { rows = 10e6, partRows = 1e6, seed = 1 }: DatasetOptions = {},
): Promise<void> {
  const rand = random(seed);
  let clock = 1692272392821;
  for (let part = 0, done = 0; done < rows; part++) {
    const n = Math.min(partRows, rows - done);
    const exp = new Uint32Array(n), wl = new Uint32Array(n), rt = new Uint32Array(n);
    const run = new Float64Array(n), level = new Float64Array(n);
    const start = new Float64Array(n), duration = new Float64Array(n), wait = new Float64Array(n);
    const init: (number | null)[] = new Array(n);
    const success: boolean[] = new Array(n);
    const errors = new Uint32Array(n), ids = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const cold = rand() < 0.1;
      exp[i] = cold ? 0 : 1;
      wl[i] = cold ? 0 : (rand() * WORKLOADS.length) | 0;
      rt[i] = (rand() * 2) | 0;
      run[i] = 1 + ((rand() * 10) | 0);
      level[i] = 1 + ((rand() * 15) | 0);
      wait[i] = 2 + Math.floor(-Math.log(1 - rand()) * 40 * (1 + level[i] / 5));
      const isCold = cold || rand() < 0.05;
      init[i] = isCold ? 3 + Math.floor(-Math.log(1 - rand()) * (rt[i] ? 30 : 2000)) : null;
      duration[i] = (init[i] ?? 0) + 1 + ((rand() * 9) | 0);
      start[i] = clock += 1 + ((rand() * 40) | 0);
      success[i] = rand() >= 0.01;
      errors[i] = success[i] ? 0 : 1;
      ids[i] = done + i;
    }
    const frame = pl.DataFrame([
      strings("experiment", ["cold_start", "concurrency"], exp),
      strings("workload", WORKLOADS, wl),
      strings("runtime", RUNTIMES, rt),
      pl.Series("run", run).cast(pl.Int64),
      pl.Series("level", level).cast(pl.Int64),
      pl.Series("activation_id", ids).cast(pl.Int64).cast(pl.Utf8),
      strings("action", ["hello1"], new Uint32Array(n)),
      strings("kind", ["go:1.20", "wasm:0.1"], rt),
      pl.Series("start_ms", start),
      pl.Series("end_ms", start).add(pl.Series("d", duration)).alias("end_ms"),
      pl.Series("duration_ms", duration),
      pl.Series("wait_ms", wait),
      pl.Series("init_ms", init, pl.Float64),
      strings("status", ["success", "action developer error"], errors),
      pl.Series("success", success, pl.Bool),
      strings("error", ["", "The action did not produce a valid response."], errors),
      strings("source", ["record"], new Uint32Array(n)),
      pl.Series("http_status", new Array(n).fill(null), pl.Int64),
      pl.Series("record", new Array(n).fill(null), pl.Utf8),
    ]).withColumns(
      pl.when(pl.col("success")).then(pl.lit(null).cast(pl.Utf8)).otherwise(pl.col("error")).alias(
        "error",
      ),
    );
    await writePart(dir, "activations", `generated.${String(part + 1).padStart(4, "0")}`, frame);
    done += n;
  }
  await writeMeta(dir, {
    name: `generated-${rows}`,
    source: `bench/generate_dataset.ts seed ${seed}`,
  });
  await Deno.mkdir(join(dir, "resources"), { recursive: true });
}
