/**
 * The cells of the published tables (data/thesis/published.json), each paired with the value
 * the pipeline computes for it: by default, and, where the thesis computed the number its own
 * way, by that way too (its "thesis mode"), so that `grade` can say which one the published
 * number is.
 */
import type pl from "nodejs-polars";
import type { Dataset } from "../dataset/mod.ts";
import { type ComputedTables, computeTables, THESIS_RUNTIMES } from "../pipeline/mod.ts";

/** One published table as transcribed (values are strings as printed). */
export interface PublishedTable {
  id: string;
  label: string;
  title: string;
  kind: string;
  runtime?: string;
  workload?: string;
  experiment?: string;
  rows: Record<string, string | string[]>[];
  slowdown?: { numerator: string; denominator: string; ratio: string };
}

/** published.json. */
export interface Published {
  source: string;
  tables: PublishedTable[];
}

/** A second way to compute a cell: how the thesis did it, where that differs. */
export interface ThesisWay {
  value: number | null;
  /** `cut`: the thesis truncated to the printed decimals instead of rounding. */
  how: "round" | "cut";
  /** What the thesis did differently. */
  note: string;
}

/** One published cell with what the pipeline computes for it. */
export interface Cell {
  table: string;
  label: string;
  row: string;
  column: string;
  published: string;
  /** The pipeline's value (default computation), null where it has no data for the cell. */
  computed: number | null;
  thesis?: ThesisWay;
  /** Carried facts (Tables 1, 2): compared with the dataset's metadata, counted apart. */
  carried?: boolean;
}

/** Truncates `v` to `d` decimals (the thesis's "cut"), robust to binary representation. */
export function cut(v: number, d: number): number {
  const f = 10 ** d;
  return Math.trunc(Number((v * f).toPrecision(12))) / f;
}

type Rec = Record<string, unknown>;

/** Each table's rows as records, converted once: `lookup` runs for every published cell. */
const recordsOf = new WeakMap<pl.DataFrame, Rec[]>();

function lookup(frame: pl.DataFrame, where: Record<string, string | number>): Rec | undefined {
  let rows = recordsOf.get(frame);
  if (!rows) recordsOf.set(frame, rows = frame.toRecords() as Rec[]);
  return rows.find((r) => Object.entries(where).every(([k, v]) => String(r[k]) === String(v))) as
    | Rec
    | undefined;
}

function num(r: Rec | undefined, col: string): number | null {
  const v = r?.[col];
  return typeof v === "number" ? v : null;
}

const LEVEL_COLUMNS = ["cov_pct", "sd", "mean"] as const;

const LABEL_SLIP = "the thesis's script counted each `N:` level label of a 4_ file as one more " +
  "sample and read every line, the partial level 16 included; means cut to two decimals";
const CUT_MEANS = "the thesis cut (did not round) its means to two decimals";
const SLOWDOWN_WAY = "ratio of the two printed (cut) means, cut to two decimals";

/** Adds one cell of the table being read. */
type Add = (
  row: string,
  column: string,
  published: string,
  computed: number | null,
  more?: Partial<Cell>,
) => void;

/** Tables 1, 2: lines and size of each action's source, carried facts. */
function actionCells(t: PublishedTable, { actions }: ComputedTables, add: Add): void {
  for (const r of t.rows) {
    const got = lookup(actions, { runtime: t.runtime!, file: r.file as string });
    add(
      String(r.file),
      "lines_of_code",
      r.lines_of_code as string,
      num(got, "lines_of_code"),
      { carried: true },
    );
    add(String(r.file), "size_kb", r.size_kb as string, num(got, "size_kb"), {
      carried: true,
    });
  }
}

/** The per-level statistics tables (cold start, and warm latency by workload). */
function levelCells(t: PublishedTable, tables: ComputedTables, add: Add): void {
  for (const r of t.rows) {
    const where: Record<string, string> = { runtime: t.runtime!, level: r.level as string };
    if (t.kind === "warm") where.workload = t.workload!;
    const got = lookup(t.kind === "cold_start" ? tables.coldStart : tables.warm, where);
    for (const c of LEVEL_COLUMNS) add(`level ${r.level}`, c, r[c] as string, num(got, c));
  }
}

/** Tables 9-16: mean and CoV per runtime pooled over levels, and the slowdown ratio. */
function comparisonCells(
  t: PublishedTable,
  { comparison: cmp, comparisonThesis: cmpThesis }: ComputedTables,
  add: Add,
): void {
  const where = (frame: pl.DataFrame, runtime: string) =>
    lookup(frame, { experiment: t.experiment!, workload: t.workload!, runtime });
  const means: Record<string, number | null> = {};
  for (const r of t.rows) {
    const rt = r.runtime as string;
    const d = decimals(r.mean as string);
    const thesisMean = num(where(cmpThesis, rt), "mean");
    means[rt] = thesisMean === null ? null : cut(thesisMean, d);
    const note = t.experiment === "cold_start" ? CUT_MEANS : LABEL_SLIP;
    add(rt, "mean", r.mean as string, num(where(cmp, rt), "mean"), {
      thesis: { value: means[rt], how: "round", note },
    });
    add(rt, "cov_pct", r.cov_pct as string, num(where(cmp, rt), "cov_pct"), {
      thesis: { value: num(where(cmpThesis, rt), "cov_pct"), how: "round", note },
    });
  }
  const s = t.slowdown!;
  const a = num(where(cmp, s.numerator), "mean"), b = num(where(cmp, s.denominator), "mean");
  const ma = means[s.numerator], mb = means[s.denominator];
  add(
    "slowdown",
    `${s.numerator}/${s.denominator}`,
    s.ratio,
    a !== null && b !== null ? a / b : null,
    {
      thesis: {
        value: ma != null && mb != null ? ma / mb : null,
        how: "cut",
        note: SLOWDOWN_WAY,
      },
    },
  );
}

/** Table 17: each metric per runtime, and the ratio. */
function capacityCells(
  t: PublishedTable,
  { capacity, capacityRatios: ratios }: ComputedTables,
  add: Add,
): void {
  for (const r of t.rows) {
    const metric = r.metric as string;
    for (const rt of THESIS_RUNTIMES) {
      add(metric, rt, r[rt] as string, num(lookup(capacity, { runtime: rt }), metric));
    }
    add(metric, "ratio", r.ratio as string, num(lookup(ratios, { metric }), "ratio"));
  }
}

/** Tables 18, 19: each run and the mean of every action's phase. */
function durationCells(t: PublishedTable, tables: ComputedTables, add: Add): void {
  const frame = t.kind === "init_durations" ? tables.initDurations : tables.runDurations;
  for (const r of t.rows) {
    const got = lookup(frame, {
      runtime: t.runtime!,
      action: r.action as string,
      phase: r.phase as string,
    });
    const row = `${r.action} ${r.phase}`;
    (r.runs as string[]).forEach((v, i) => add(row, `run ${i + 1}`, v, num(got, `run_${i + 1}`)));
    add(row, "mean", r.mean as string, num(got, "mean"));
  }
}

/** The cells of each kind of published table. */
const CELLS_OF_KIND: Record<
  string,
  (t: PublishedTable, tables: ComputedTables, add: Add) => void
> = {
  actions: actionCells,
  cold_start: levelCells,
  warm: levelCells,
  comparison: comparisonCells,
  capacity: capacityCells,
  init_durations: durationCells,
  run_durations: durationCells,
};

/**
 * Every published cell of `published`, with the values the pipeline computes from `ds`. Pass
 * `tables` where they are computed already (with the default options: levels 1-15, as the
 * thesis's tables), so they are not computed twice.
 */
export function cellsOf(
  ds: Dataset,
  published: Published,
  tables: ComputedTables = computeTables(ds),
): Cell[] {
  const cells: Cell[] = [];
  for (const t of published.tables) {
    const cellsOfKind = Object.hasOwn(CELLS_OF_KIND, t.kind) ? CELLS_OF_KIND[t.kind] : undefined;
    if (!cellsOfKind) {
      throw new TypeError(
        `published.json: table ${t.id} has unknown kind ${JSON.stringify(t.kind)}`,
      );
    }
    const base = { table: t.id, label: t.label };
    cellsOfKind(
      t,
      tables,
      (row, column, published, computed, more = {}) =>
        cells.push({ ...base, row, column, published, computed, ...more }),
    );
  }
  return cells;
}

/** The computed value of a cell at the precision the thesis printed it ("" where none). */
export function shown(cell: Cell | undefined): string {
  if (!cell || cell.computed === null) return "";
  return cell.computed.toFixed(decimals(cell.published));
}

/** Decimals printed in a number as text (`"2879.000"` -> 3). */
export function decimals(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}
