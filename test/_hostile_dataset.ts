/**
 * Crafted datasets for the tests of untrusted input: the strings a hostile dataset can carry
 * (runtime and workload names in its Parquet parts, ids, labels, titles and row names in its
 * own published.json, its name and any provenance in dataset.json), written through the
 * dataset module's own writers so that the report reads them as it would a downloaded dataset.
 */
import pl from "nodejs-polars";
import { type DatasetMeta, writeMeta, writePart } from "../dataset/mod.ts";
import type { Published } from "../verify/mod.ts";

/** The payloads, by what each tries. Add one here and every corpus test runs it. */
export const PAYLOADS = {
  script: `<script>window.pwned="script"</script>`,
  attribute: `"><img src=x onerror="window.pwned='attribute'">`,
  singleQuote: `' onmouseover='window.pwned="quote"' x='`,
  javascriptUrl: `javascript:window.pwned='url'`,
  closeScript: `</script><script>window.pwned="close"</script>`,
  fetch: `<img src=x onerror="fetch('http://127.0.0.1:9/leak')">`,
  svg: `<svg onload="window.pwned='svg'"><a href="javascript:alert(1)">a</a></svg>`,
  latexInput: `\\input{/etc/passwd}`,
  latexBreak: `}\\end{tabular}\\immediate\\write18{touch pwned}{`,
  latexRow: `[3cm] & \\\\ # % $ ~ ^ _`,
  traversal: `../../../../x`,
  absolute: `/tmp/whiskbench-pwned`,
  dotfile: `.bashrc`,
  formula: `=cmd|' /C calc'!A0`,
  formulaPlus: `+HYPERLINK("http://127.0.0.1:9/","x")`,
  formulaAt: `@SUM(1+1)*cmd|' /C calc'!A0`,
  formulaTab: `\t=1+1`,
  markdown: "a | b `code` <b>x</b> [l](javascript:alert(1)) ![i](http://127.0.0.1:9/i.png)",
  newline: "line one\r\n# heading\n| x |",
  fence: "````\n<img src=x onerror=\"window.pwned='fence'\">",
  long: "r".repeat(300),
  unicode: "ruｎtime\u202e\u0000nul",
} as const;

/** Options of {@linkcode writeHostileDataset}. */
export interface HostileDatasetOptions {
  /** dataset.json (name, provenance, actions). */
  meta: DatasetMeta;
  /** Runtimes with cold starts (and warm rows of each workload). */
  runtimes: string[];
  workloads: string[];
  /** Written as the dataset's own published.json where given. */
  published?: Published;
}

/**
 * Writes a dataset with two cold starts per runtime at levels 1 and 2 and two warm records per
 * runtime and workload, under `dir`.
 */
export async function writeHostileDataset(
  dir: string,
  { meta, runtimes, workloads, published }: HostileDatasetOptions,
): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const runtime of runtimes) {
    for (const level of [1, 2]) {
      rows.push({
        experiment: "cold_start",
        workload: "hello",
        runtime,
        level,
        source: "record",
        wait_ms: 10 * level,
        init_ms: 300,
      });
      for (const workload of workloads) {
        rows.push({
          experiment: "concurrency",
          workload,
          runtime,
          level,
          source: "record",
          wait_ms: 5 * level,
          init_ms: null,
        });
      }
    }
  }
  const frame = pl.DataFrame({
    experiment: pl.Series("experiment", rows.map((r) => r.experiment), pl.Utf8),
    workload: pl.Series("workload", rows.map((r) => r.workload), pl.Utf8),
    runtime: pl.Series("runtime", rows.map((r) => r.runtime), pl.Utf8),
    run: pl.Series("run", rows.map(() => 1), pl.Int64),
    level: pl.Series("level", rows.map((r) => r.level), pl.Int64),
    activation_id: pl.Series("activation_id", rows.map((_, i) => `a${i}`), pl.Utf8),
    source: pl.Series("source", rows.map((r) => r.source), pl.Utf8),
    wait_ms: pl.Series("wait_ms", rows.map((r) => r.wait_ms), pl.Float64),
    init_ms: pl.Series("init_ms", rows.map((r) => r.init_ms), pl.Float64),
    success: pl.Series("success", rows.map(() => true), pl.Bool),
  });
  await writeMeta(dir, meta);
  await writePart(dir, "activations", "part-000", frame);
  if (published) {
    await Deno.writeTextFile(`${dir}/published.json`, JSON.stringify(published, null, 2));
  }
}

/** Every file under `dir`, as paths relative to it, sorted. */
export async function filesUnder(dir: string, sub = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(sub ? `${dir}/${sub}` : dir)) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await filesUnder(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}
