/**
 * `deno task bench`: whiskbench against the tools a researcher would otherwise use.
 * Each benchmark returns measurements; this module turns them into one table of ratios (a
 * baseline's median seconds over whiskbench's, so > 1 means whiskbench is faster) and a JSON
 * document with every run.
 */
import { ingestBench, type IngestBenchResult, ingestSpeedLines } from "./ingest_bench.ts";
import { type Measurement, minMedian } from "./measure.ts";
import { pipelineBench, type PipelineBenchResult } from "./pipeline_bench.ts";
import { INVOKE_LEVELS, invokeBench, type InvokeBenchResult, invokeTable } from "./invoke_bench.ts";
import { exportCost, reportBench, type ReportBenchResult } from "./report_bench.ts";
import { compareBench, type CompareBenchResult } from "./compare_bench.ts";
import { importBench, type ImportBenchResult, importSpeedLines } from "./import_bench.ts";

/** Options of {@linkcode runBench}. */
export interface BenchOptions {
  /** Folder for generated data and outputs (large: keep it out of the repository). */
  work: string;
  /** Raw sizes of benchmark 1, in bytes. Default 100 MB and 1 GB. */
  ingestBytes?: number[];
  /** Bytes per generated raw file. Default 25 MB. */
  fileBytes?: number;
  /** Activation rows of benchmark 2. Default 10 million. */
  rows?: number;
  /** Runs of each measurement. Default 3. */
  runs?: number;
  /** Benchmarks to run (1-6). Default all. */
  only?: number[];
  /** Seed of every generated input. Default 1. */
  seed?: number;
  /** Requests in flight of benchmark 4. Default 1, 64, 1,024 and 2,000. */
  invokeConcurrency?: number[];
  /** Seconds per client and concurrency of benchmark 4. Default 5. */
  invokeSeconds?: number;
  /** Resamples of each bootstrap in benchmark 5. Default 10,000 (the comparison's default). */
  compareResamples?: number;
  /** Bytes of each format in benchmark 6. Default 100 MB. */
  importBytes?: number;
  /** Progress lines go here. Default console.error. */
  log?: (line: string) => void;
}

/** One line of the results table. */
export interface ResultRow {
  benchmark: string;
  tool: string;
  runs: number;
  seconds_min: number;
  seconds_median: number;
  /** Input MB per second at the median, where the input has a size. */
  mb_per_s: number | null;
  /** Peak RSS, the largest over the runs, in MB. */
  peak_rss_mb: number;
  /** CPU seconds (user + system) at the median, steadier than the wall on a shared machine. */
  cpu_s_median: number;
  /** The baseline's median seconds over whiskbench's (> 1: whiskbench faster); null for whiskbench. */
  speedup: number | null;
}

/** Everything one bench run produced. */
export interface BenchResults {
  date: string;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  rows: ResultRow[];
  ingest: IngestBenchResult[];
  pipeline: PipelineBenchResult | null;
  report: ReportBenchResult | null;
  invoke: InvokeBenchResult | null;
  compare: CompareBenchResult | null;
  import: ImportBenchResult | null;
  /** Benchmarks not run, and why. */
  skipped: string[];
  /** Disagreements between tools' outputs (empty: every comparison is like with like). */
  differences: string[];
}

/** The table rows of a group of measurements, the first being whiskbench's. */
export function resultRows(benchmark: string, ms: Measurement[]): ResultRow[] {
  const ours = ms.find((m) => m.name.includes("whiskbench"));
  const ref = ours ? minMedian(ours.seconds).median : null;
  return ms.map((m) => {
    const { min, median } = minMedian(m.seconds);
    return {
      benchmark,
      tool: m.name.split(": ").pop()!,
      runs: m.seconds.length,
      seconds_min: min,
      seconds_median: median,
      mb_per_s: m.bytes > 0 ? m.bytes / 1e6 / median : null,
      peak_rss_mb: Math.max(...m.rss_mb),
      cpu_s_median: minMedian(m.cpu_s).median,
      // Only baselines get a ratio: a second whiskbench row (the report with export) is not one.
      speedup: m.name.includes("whiskbench") || ref === null ? null : median / ref,
    };
  });
}

/** The results as a Markdown table (also printed on the terminal). */
export function resultTable(rows: ResultRow[]): string {
  const f = (x: number | null, d = 2) => (x === null ? "" : x.toFixed(d));
  const lines = [
    "| benchmark | tool | runs | s (min) | s (median) | CPU s (median) | MB/s (median) | peak RSS MB | whiskbench speed-up |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.benchmark} | ${r.tool} | ${r.runs} | ${f(r.seconds_min)} | ${f(r.seconds_median)} | ${
        f(r.cpu_s_median)
      } | ${f(r.mb_per_s, 0)} | ${f(r.peak_rss_mb, 0)} | ${
        r.speedup === null ? "" : `${f(r.speedup)}x`
      } |`,
    );
  }
  return lines.join("\n") + "\n";
}

/** The results as Markdown: date, machine, versions, the table, what was skipped. */
export function resultMarkdown(r: BenchResults): string {
  const kv = (o: Record<string, string | number>) =>
    Object.entries(o).map(([k, v]) => `${k} ${v}`).join("; ");
  return [
    `Run ${r.date}. Machine: ${kv(r.machine)}.`,
    `Versions: ${kv(r.versions)}.`,
    "",
    resultTable(r.rows),
    ...(r.invoke && r.invoke.points.length > 0
      ? [
        "Benchmark 4, the invoke engine against wrk on a local no-op server:",
        "",
        invokeTable(r.invoke),
      ]
      : []),
    ...(r.report && exportCost(r.report) ? [`${exportCost(r.report)}.`, ""] : []),
    ...ingestSpeedLines(r.ingest),
    ...(r.import ? importSpeedLines(r.import) : []),
    ...r.skipped.map((s) => `- ${s}`),
    ...r.differences.map((d) => `- DIFFERS: ${d}`),
    "",
  ].join("\n");
}

async function commandOutput(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    return new TextDecoder().decode(out.stdout).trim() || new TextDecoder().decode(out.stderr);
  } catch {
    return "not installed";
  }
}

async function machine(): Promise<Record<string, string | number>> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? "unknown";
  return {
    cpu: model,
    cores: navigator.hardwareConcurrency,
    memory_gb: Math.round(Deno.systemMemoryInfo().total / 1e9),
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    load_at_start: Deno.loadavg().map((x) => x.toFixed(2)).join(" "),
  };
}

async function versions(): Promise<Record<string, string>> {
  const { default: pl } = await import("nodejs-polars");
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const duck = (await c.runAndReadAll("SELECT version() AS v")).getRowObjects()[0].v;
  c.closeSync();
  return {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    polars: (pl as unknown as { version?: string }).version ?? "nodejs-polars 0.25.2",
    duckdb: String(duck),
    jq: await commandOutput("jq", ["--version"]),
    // mawk (Debian's default awk) says its version with -W version, gawk with --version.
    awk: (await commandOutput("awk", ["-W", "version"])).split("\n")[0],
    wrk: (await commandOutput("wrk", ["--version"])).split("\n")[0],
  };
}

/** Runs the chosen benchmarks and returns every result. */
export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const {
    work,
    ingestBytes = [100e6, 1e9],
    fileBytes = 25e6,
    rows = 10e6,
    runs = 3,
    only = [1, 2, 3, 4, 5, 6],
    seed = 1,
    invokeConcurrency = INVOKE_LEVELS,
    invokeSeconds = 5,
    compareResamples = 10_000,
    importBytes = 100e6,
    log = console.error,
  } = options;
  await Deno.mkdir(work, { recursive: true });
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: await machine(),
    versions: await versions(),
    rows: [],
    ingest: [],
    pipeline: null,
    report: null,
    invoke: null,
    compare: null,
    import: null,
    skipped: [],
    differences: [],
  };
  if (only.includes(1)) {
    for (const bytes of ingestBytes) {
      log(`bench 1: ingest of ${(bytes / 1e6).toFixed(0)} MB of raw logs (${runs} runs each)`);
      const r = await ingestBench(work, { bytes, fileBytes, runs, seed });
      results.ingest.push(r);
      results.rows.push(
        ...resultRows(`1 ingest ${(r.input.bytes / 1e6).toFixed(0)} MB`, r.measurements),
      );
      results.differences.push(...r.differences);
    }
  }
  if (only.includes(2)) {
    log(`bench 2: every table from ${rows} activation rows in Parquet (${runs} runs each)`);
    const r = await pipelineBench(work, { rows, runs, seed });
    results.pipeline = r;
    results.rows.push(
      ...resultRows(`2 tables ${rows >= 1e6 ? `${rows / 1e6} M` : rows} rows`, r.measurements),
    );
    results.differences.push(...r.differences);
  }
  if (only.includes(3)) {
    log(`bench 3: deno task report on data/thesis (${runs} runs each)`);
    const r = await reportBench(work, { runs });
    results.report = r;
    results.rows.push(...resultRows("3 report data/thesis", r.measurements));
    results.skipped.push(...r.skipped);
  }
  if (only.includes(4)) {
    log(
      `bench 4: the invoke engine against wrk at ${
        invokeConcurrency.join(", ")
      } in flight (${runs} runs each)`,
    );
    const r = await invokeBench(work, {
      concurrency: invokeConcurrency,
      seconds: invokeSeconds,
      runs,
      log,
    });
    results.invoke = r;
    results.skipped.push(...r.skipped);
  }
  if (only.includes(5)) {
    log(`bench 5: deno task compare data/thesis data/thesis (${runs} runs each)`);
    const r = await compareBench(work, { runs, resamples: compareResamples });
    results.compare = r;
    results.rows.push(...resultRows("5 compare data/thesis", r.measurements));
    results.differences.push(...r.differences);
  }
  if (only.includes(6)) {
    const mb = (importBytes / 1e6).toFixed(0);
    log(
      `bench 6: each importer on the invocations of ${mb} MB of 1_ logs, beside their thesis-format ingest (${runs} runs each)`,
    );
    const r = await importBench(work, { bytes: importBytes, runs, seed });
    results.import = r;
    results.rows.push(...resultRows(`6 import ${mb} MB`, r.measurements));
    results.differences.push(...r.differences);
  }
  return results;
}
