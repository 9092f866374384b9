/**
 * The thesis's facts, in one place: its runtimes, its workloads and the five mixed loads (their
 * names and weights), the numbers of its tables and figures, and the outline they follow. Pure
 * data, read by the pipeline's figures, `verify`, the report's outline, the notebooks, the
 * collectors' thesis campaign, the bench's generated dataset and the transcription of the
 * published tables (tools/extract_published.ts), so that none of them restates a fact.
 *
 * Adding a thesis table is one entry in {@link THESIS_TABLES} (and its item in
 * {@link THESIS_SECTIONS}, which says where the report and its notebook show it) plus, for a
 * new `kind`, its transform: its cells (one function in verify/cells.ts's `CELLS_OF_KIND`)
 * and the extraction of its printed numbers (tools/extract_published.ts); then `deno run -A
 * tools/extract_published.ts` writes published.json anew, and the tests that pin the number of
 * published cells (the scorecard's counts) change by the new table's cells.
 *
 * Not read from here: ingest/file_kind.ts's names of the thesis's log files (`mixed_1_9` is
 * `mixed_10_90`), since ingest sits beside the pipeline, not above it; a new mixed load with
 * short file names needs its entry there too.
 */

/** Runtimes of the thesis, in the order its figures and tables show them. */
export const THESIS_RUNTIMES = ["docker", "wasm"] as const;

/** A runtime of the thesis. */
export type ThesisRuntime = (typeof THESIS_RUNTIMES)[number];

/** The thesis's names of its runtimes. */
export const RUNTIME_NAMES: Record<ThesisRuntime, string> = { docker: "Docker", wasm: "Wasm" };

/** One mixed load of the thesis: a concurrency ramp of IO and CPU actions by weight. */
export interface MixedLoad {
  /** Workload name (`mixed_<io>_<cpu>`, percentages). */
  workload: `mixed_${number}_${number}`;
  io_pct: number;
  cpu_pct: number;
  /** Numbers of the box-plot figures, by runtime. */
  figures: Record<ThesisRuntime, number>;
  /** Ids of the per-level statistics tables (some captioned as figures), by runtime. */
  tables: Record<ThesisRuntime, string>;
  /** Number of the Docker vs Wasm comparison table. */
  comparison: number;
}

/** The five mixed loads of the thesis, in its order. */
export const MIXED_LOADS: readonly MixedLoad[] = [
  {
    workload: "mixed_10_90",
    io_pct: 10,
    cpu_pct: 90,
    figures: { docker: 13, wasm: 14 },
    tables: { docker: "table_7", wasm: "table_8" },
    comparison: 12,
  },
  {
    workload: "mixed_25_75",
    io_pct: 25,
    cpu_pct: 75,
    figures: { docker: 15, wasm: 17 },
    tables: { docker: "figure_16", wasm: "figure_18" },
    comparison: 13,
  },
  {
    workload: "mixed_50_50",
    io_pct: 50,
    cpu_pct: 50,
    figures: { docker: 19, wasm: 21 },
    tables: { docker: "figure_20", wasm: "figure_22" },
    comparison: 14,
  },
  {
    workload: "mixed_75_25",
    io_pct: 75,
    cpu_pct: 25,
    figures: { docker: 23, wasm: 25 },
    tables: { docker: "figure_24", wasm: "figure_26" },
    comparison: 15,
  },
  {
    workload: "mixed_90_10",
    io_pct: 90,
    cpu_pct: 10,
    figures: { docker: 27, wasm: 29 },
    tables: { docker: "figure_28", wasm: "figure_30" },
    comparison: 16,
  },
];

/** Warm-latency workloads of the thesis, in the order its box plots appear. */
export const THESIS_WORKLOADS: readonly ThesisWorkload[] = [
  "hello",
  "hash",
  ...MIXED_LOADS.map((m) => m.workload),
];

/** A warm-latency workload of the thesis. */
export type ThesisWorkload = "hello" | "hash" | MixedLoad["workload"];

/** Thesis figure numbers of the cold-start box plots, by runtime (workload `hello`). */
export const COLD_BOX_FIGURES: Record<ThesisRuntime, number> = { docker: 5, wasm: 6 };

/** Thesis figure numbers of the warm-latency box plots, by workload, then runtime. */
export const WARM_BOX_FIGURES: Record<string, Record<ThesisRuntime, number>> = {
  hello: { docker: 7, wasm: 8 },
  hash: { docker: 9, wasm: 11 },
  ...Object.fromEntries(MIXED_LOADS.map((m) => [m.workload, m.figures])),
};

/** Ids of the per-level warm-latency tables (some captioned as figures), by workload, then runtime. */
export const WARM_TABLES: Record<string, Record<ThesisRuntime, string>> = {
  hello: { docker: "table_5", wasm: "table_6" },
  hash: { docker: "figure_10", wasm: "figure_12" },
  ...Object.fromEntries(MIXED_LOADS.map((m) => [m.workload, m.tables])),
};

/** Thesis figure numbers of the resource plots, by runtime. */
export const RESOURCE_FIGURES: Record<ThesisRuntime, number> = { docker: 31, wasm: 32 };

/**
 * Observations whose values the thesis writes on Figure 31, in its own numbering (which
 * starts at the log's second sample): picked by hand in its plot_resources.R
 * (`outlier_indices_cpu`, `outlier_indices_mem`), no rule reproduces them.
 */
export const THESIS_RESOURCE_LABELS: Record<string, { cpu: number[]; mem: number[] }> = {
  docker: { cpu: [22, 25, 31, 36, 44, 50], mem: [6, 9, 14, 18, 27, 31, 35, 38, 44, 50] },
};

/** Thesis figure numbers of the executor's duration plots: init (Table 18), run (Table 19). */
export const DURATION_FIGURES = { init: 33, run: 34 } as const;

/** `figure_05` style id of a thesis figure number. */
export function thesisId(n: number): string {
  return `figure_${String(n).padStart(2, "0")}`;
}

/** One published table: which numbers it prints, and what they are of. */
export type ThesisTableSpec =
  | { id: string; label: string; title: string; kind: "actions"; runtime: ThesisRuntime }
  | { id: string; label: string; title: string; kind: "cold_start"; runtime: ThesisRuntime }
  | {
    id: string;
    label: string;
    title: string;
    kind: "warm";
    runtime: ThesisRuntime;
    workload: ThesisWorkload;
  }
  | {
    id: string;
    label: string;
    title: string;
    kind: "comparison";
    experiment: "cold_start" | "concurrency";
    workload: ThesisWorkload;
  }
  | { id: string; label: string; title: string; kind: "capacity" }
  | { id: string; label: string; title: string; kind: "init_durations" | "run_durations" };

/** Our short names of the workloads in table titles (not the thesis's captions). */
const WORKLOAD_TITLES: Record<string, string> = {
  hello: "no load",
  hash: "hash load",
  ...Object.fromEntries(MIXED_LOADS.map((m) => [m.workload, `mixed ${m.io_pct}/${m.cpu_pct}`])),
};

function warm(id: string, runtime: ThesisRuntime, workload: ThesisWorkload): ThesisTableSpec {
  const [what, n] = id.split("_");
  const label = `${what[0].toUpperCase()}${what.slice(1)} ${Number(n)}`;
  const title = `Warm latency per level, ${WORKLOAD_TITLES[workload]}, ${RUNTIME_NAMES[runtime]}`;
  return { id, label, title, kind: "warm", runtime, workload };
}

function comparison(
  n: number,
  experiment: "cold_start" | "concurrency",
  workload: ThesisWorkload,
): ThesisTableSpec {
  const what = experiment === "cold_start" ? "cold start" : `warm, ${WORKLOAD_TITLES[workload]}`;
  return {
    id: `table_${n}`,
    label: `Table ${n}`,
    title: `Docker vs Wasm comparison, ${what}`,
    kind: "comparison",
    experiment,
    workload,
  };
}

/** The thesis's 29 data tables, in the order they appear in it. */
export const THESIS_TABLES: readonly ThesisTableSpec[] = [
  {
    id: "table_1",
    label: "Table 1",
    title: "Action sources, Wasm",
    kind: "actions",
    runtime: "wasm",
  },
  {
    id: "table_2",
    label: "Table 2",
    title: "Action sources, Docker",
    kind: "actions",
    runtime: "docker",
  },
  {
    id: "table_3",
    label: "Table 3",
    title: "Cold-start statistics, Docker",
    kind: "cold_start",
    runtime: "docker",
  },
  {
    id: "table_4",
    label: "Table 4",
    title: "Cold-start statistics, Wasm",
    kind: "cold_start",
    runtime: "wasm",
  },
  ...THESIS_WORKLOADS.flatMap((wl) =>
    THESIS_RUNTIMES.map((rt) => warm(WARM_TABLES[wl][rt], rt, wl))
  ),
  comparison(9, "cold_start", "hello"),
  comparison(10, "concurrency", "hello"),
  comparison(11, "concurrency", "hash"),
  ...MIXED_LOADS.map((m) => comparison(m.comparison, "concurrency", m.workload)),
  { id: "table_17", label: "Table 17", title: "Capacity test results", kind: "capacity" },
  {
    id: "table_18",
    label: "Table 18",
    title: "Wasm executor init durations (us)",
    kind: "init_durations",
  },
  {
    id: "table_19",
    label: "Table 19",
    title: "Wasm executor run durations (us)",
    kind: "run_durations",
  },
];

/** One part of the thesis's results: the tables and figures it shows, in its order. */
export interface ThesisSection {
  /** Anchor and key, e.g. `cold_start`. */
  id: string;
  title: string;
  /** Thesis tables (`table_3`, `figure_10`) and figures (`figure_05`) in the order shown. */
  items: string[];
}

/** Ids of the tables of a `kind`, in the thesis's order. */
function tablesOf(kind: ThesisTableSpec["kind"]): string[] {
  return THESIS_TABLES.filter((t) => t.kind === kind).map((t) => t.id);
}

/** The parts of the thesis's results, in its order, with their tables and figures. */
export const THESIS_SECTIONS: readonly ThesisSection[] = [
  { id: "actions", title: "Benchmark actions", items: tablesOf("actions") },
  {
    id: "cold_start",
    title: "Cold start: waitTime + initTime",
    items: [
      ...tablesOf("cold_start"),
      ...THESIS_RUNTIMES.map((rt) => thesisId(COLD_BOX_FIGURES[rt])),
    ],
  },
  {
    id: "no_load",
    title: "Warm latency, no load (hello)",
    items: [
      ...THESIS_RUNTIMES.map((rt) => WARM_TABLES.hello[rt]),
      ...THESIS_RUNTIMES.map((rt) => thesisId(WARM_BOX_FIGURES.hello[rt])),
    ],
  },
  {
    id: "hash",
    title: "Warm latency, hash load",
    items: THESIS_RUNTIMES.flatMap((rt) => [
      thesisId(WARM_BOX_FIGURES.hash[rt]),
      WARM_TABLES.hash[rt],
    ]),
  },
  ...MIXED_LOADS.map((m): ThesisSection => ({
    id: m.workload,
    title: `Warm latency, mixed load ${m.io_pct} % IO / ${m.cpu_pct} % CPU`,
    items: THESIS_RUNTIMES.flatMap((rt) => [thesisId(m.figures[rt]), m.tables[rt]]),
  })),
  {
    id: "comparison",
    title: "Comparison and slowdown, pooled over levels",
    items: tablesOf("comparison"),
  },
  {
    id: "capacity",
    title: "Capacity, CPU and memory",
    items: [
      ...tablesOf("capacity"),
      thesisId(RESOURCE_FIGURES.docker),
      `${thesisId(RESOURCE_FIGURES.docker)}_thesis`,
      thesisId(RESOURCE_FIGURES.wasm),
    ],
  },
  {
    id: "durations",
    title: "Executor durations",
    items: [
      ...tablesOf("init_durations"),
      ...tablesOf("run_durations"),
      thesisId(DURATION_FIGURES.init),
      thesisId(DURATION_FIGURES.run),
    ],
  },
];

/** The thesis's tables and figures of one of its sections (by {@link ThesisSection} id). */
export function sectionItems(id: string): string[] {
  const s = THESIS_SECTIONS.find((s) => s.id === id);
  if (!s) throw new RangeError(`No thesis section "${id}"`);
  return s.items;
}
