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
  const {
    coldStart: cold,
    warm,
    comparison: cmp,
    comparisonThesis: cmpThesis,
    capacity,
    capacityRatios: ratios,
    initDurations: init,
    runDurations: run,
    actions,
  } = tables;
  const cells: Cell[] = [];
  for (const t of published.tables) {
    const base = { table: t.id, label: t.label };
    const add = (
      row: string,
      column: string,
      published: string,
      computed: number | null,
      more: Partial<Cell> = {},
    ) => cells.push({ ...base, row, column, published, computed, ...more });
    switch (t.kind) {
      case "actions":
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
        break;
      case "cold_start":
      case "warm":
        for (const r of t.rows) {
          const where: Record<string, string> = { runtime: t.runtime!, level: r.level as string };
          if (t.kind === "warm") where.workload = t.workload!;
          const got = lookup(t.kind === "cold_start" ? cold : warm, where);
          for (const c of LEVEL_COLUMNS) add(`level ${r.level}`, c, r[c] as string, num(got, c));
        }
        break;
      case "comparison": {
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
        break;
      }
      case "capacity":
        for (const r of t.rows) {
          const metric = r.metric as string;
          for (const rt of THESIS_RUNTIMES) {
            add(metric, rt, r[rt] as string, num(lookup(capacity, { runtime: rt }), metric));
          }
          add(metric, "ratio", r.ratio as string, num(lookup(ratios, { metric }), "ratio"));
        }
        break;
      case "init_durations":
      case "run_durations": {
        const frame = t.kind === "init_durations" ? init : run;
        for (const r of t.rows) {
          const got = lookup(frame, {
            runtime: t.runtime!,
            action: r.action as string,
            phase: r.phase as string,
          });
          const row = `${r.action} ${r.phase}`;
          (r.runs as string[]).forEach((v, i) =>
            add(row, `run ${i + 1}`, v, num(got, `run_${i + 1}`))
          );
          add(row, "mean", r.mean as string, num(got, "mean"));
        }
        break;
      }
      default:
        throw new TypeError(
          `published.json: table ${t.id} has unknown kind ${JSON.stringify(t.kind)}`,
        );
    }
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
