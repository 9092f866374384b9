/**
 * The findings of a comparison as plain sentences, generated from the compare and slowdown
 * frames (compare.ts), never written by hand: each sentence states a direction only where the
 * 95 % CI of its ratio lies wholly on one side, and quotes that CI and the p-value.
 */
import type pl from "nodejs-polars";

type Row = Record<string, unknown>;

const RUNTIME_NAMES: Record<string, string> = { docker: "Docker", wasm: "Wasm" };
const runtimeName = (r: unknown) => RUNTIME_NAMES[String(r)] ?? String(r);

/** "cold-start latency" / "warm latency under hash load" for a cell's experiment and workload. */
function latencyName(experiment: unknown, workload: unknown): string {
  const what = experiment === "cold_start"
    ? "cold-start latency"
    : experiment === "concurrency"
    ? "warm latency"
    : `${experiment} latency`;
  const mixed = /^mixed_(\d+)_(\d+)$/.exec(String(workload));
  const load = mixed ? `a mixed load (${mixed[1]} % IO, ${mixed[2]} % CPU)` : `${workload} load`;
  return `${what} under ${load}`;
}

/** A factor as printed: one decimal from 2 up, two below (7.6, 1.27). */
function factor(x: number): string {
  return x >= 2 ? x.toFixed(1) : x.toFixed(2);
}

/** "p < 0.001" or "p = 0.012". */
function pText(p: number): string {
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);

function ciText(lo: number, hi: number): string {
  return `95 % CI ${factor(lo)}-${factor(hi)}`;
}

/** Rows of `frame` grouped by the values of `keys`, in first-seen order. */
function groups(frame: pl.DataFrame, keys: string[]): Row[][] {
  const out = new Map<string, Row[]>();
  for (const row of frame.toRecords() as Row[]) {
    const key = JSON.stringify(keys.map((k) => row[k]));
    if (!out.has(key)) out.set(key, []);
    out.get(key)!.push(row);
  }
  return [...out.values()];
}

/**
 * Sentences on one dataset's slowdown frame (compare.ts's `slowdownFrame`): per experiment and
 * workload, whether the denominator runtime's latency is lower or higher than the numerator's
 * at every level (the median ratio's CI wholly above or below 1), the largest p-value of those
 * levels, and the pooled factor with its CI; otherwise how many levels go each way.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { slowdownFindings } from "./compare_findings.ts";
 * const row = (level: string, r: number, lo: number, hi: number, p: number) => ({
 *   experiment: "concurrency", workload: "hash", level, numerator: "docker",
 *   denominator: "wasm", median_ratio: r, median_ratio_lo: lo, median_ratio_hi: hi, p_value: p,
 * });
 * const frame = pl.DataFrame([
 *   row("1", 7, 6, 8, 1e-5),
 *   row("2", 8, 7, 9, 2e-4),
 *   row("all", 7.6, 7.1, 8.2, 1e-9),
 * ]);
 * assert.deepEqual(slowdownFindings(frame), [
 *   "Wasm's warm latency under hash load is lower than Docker's at every level (p < 0.001), " +
 *   "by a factor of 7.6 (95 % CI 7.1-8.2).",
 * ]);
 * ```
 */
export function slowdownFindings(slowdown: pl.DataFrame): string[] {
  const out: string[] = [];
  for (const rows of groups(slowdown, ["experiment", "workload", "numerator", "denominator"])) {
    const { experiment, workload, numerator, denominator } = rows[0];
    const pooled = rows.find((r) => r.level === "all");
    const levels = rows.filter((r) => r.level !== "all");
    const [r, lo, hi] = ["median_ratio", "median_ratio_lo", "median_ratio_hi"].map((c) =>
      num(pooled?.[c])
    );
    if (!pooled || r === null || lo === null || hi === null || levels.length === 0) continue;
    const num_ = runtimeName(numerator), den = runtimeName(denominator);
    const what = latencyName(experiment, workload);
    const above = levels.filter((l) => (num(l.median_ratio_lo) ?? 0) > 1).length;
    const below = levels.filter((l) => (num(l.median_ratio_hi) ?? Infinity) < 1).length;
    const maxP = Math.max(...levels.map((l) => num(l.p_value) ?? 1));
    const every = levels.length === 1 ? "at its one level" : "at every level";
    const [m, mlo, mhi] = ["mean_ratio", "mean_ratio_lo", "mean_ratio_hi"].map((c) =>
      num(pooled[c])
    );
    const means = m === null || mlo === null || mhi === null
      ? ""
      : ` The means' ratio ${num_} / ${den} is ${factor(m)} (${ciText(mlo, mhi)}).`;
    if (above === levels.length) {
      out.push(
        `${den}'s ${what} is lower than ${num_}'s ${every} (${pText(maxP)}), ` +
          `by a factor of ${factor(r)} (${ciText(lo, hi)}).${means}`,
      );
    } else if (below === levels.length) {
      out.push(
        `${num_}'s ${what} is lower than ${den}'s ${every} (${pText(maxP)}), ` +
          `by a factor of ${factor(1 / r)} (${ciText(1 / hi, 1 / lo)}).${means}`,
      );
    } else if (above === 0 && below === 0) {
      out.push(
        `The medians of ${den}'s and ${num_}'s ${what} differ at none of its ` +
          `${levels.length} levels by the 95 % CIs of their ratios; pooled, ${num_} / ${den} = ` +
          `${factor(r)} (${ciText(lo, hi)}).${means}`,
      );
    } else {
      out.push(
        `${den}'s ${what} is lower than ${num_}'s at ${above} of ${levels.length} levels and ` +
          `higher at ${below}, by the 95 % CIs of their median ratios; pooled, ` +
          `${num_} / ${den} = ${factor(r)} (${ciText(lo, hi)}).${means}`,
      );
    }
  }
  return out;
}

/** Options of {@linkcode compareFindings}. */
export interface FindingsOptions {
  /** The practical threshold the verdicts used, as a fraction. Default 0.03. */
  threshold?: number;
  /** Names of the two datasets in the sentences. Default "BASE" and "NEW". */
  base?: string;
  next?: string;
}

/**
 * Sentences on a compare frame (compare.ts's `compareFrame`): for each experiment, workload and
 * runtime, the pooled verdict with the ratio, its CI and the p-value, and how the single levels
 * were judged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import pl from "nodejs-polars";
 * import { compareFindings } from "./compare_findings.ts";
 * const frame = pl.DataFrame([
 *   { experiment: "cold_start", workload: "hello", runtime: "wasm", level: "1", ratio: 1.2,
 *     ratio_lo: 0.9, ratio_hi: 1.6, p_value: 0.03, verdict: "inconclusive" },
 *   { experiment: "cold_start", workload: "hello", runtime: "wasm", level: "all", ratio: 1.27,
 *     ratio_lo: 1.13, ratio_hi: 1.43, p_value: 1e-5, verdict: "slower" },
 * ]);
 * assert.deepEqual(compareFindings(frame), [
 *   "NEW's Wasm cold-start latency under hello load is higher than BASE's, by a factor of " +
 *   "1.27 (95 % CI 1.13-1.43, p < 0.001); of its 1 level, 0 slower, 0 faster, 0 the same, " +
 *   "1 inconclusive.",
 * ]);
 * ```
 */
export function compareFindings(
  compare: pl.DataFrame,
  { threshold = 0.03, base = "BASE", next = "NEW" }: FindingsOptions = {},
): string[] {
  const out: string[] = [];
  for (const rows of groups(compare, ["experiment", "workload", "runtime"])) {
    const pooled = rows.find((r) => r.level === "all");
    if (!pooled) continue;
    const levels = rows.filter((r) => r.level !== "all");
    const count = (v: string) => levels.filter((l) => l.verdict === v).length;
    const tally = `of its ${levels.length} level${levels.length === 1 ? "" : "s"}, ` +
      `${count("slower")} slower, ` +
      `${count("faster")} faster, ${count("same")} the same, ${count("inconclusive")} inconclusive`;
    const who = `${next}'s ${runtimeName(pooled.runtime)} ${
      latencyName(pooled.experiment, pooled.workload)
    }`;
    const [r, lo, hi, p] = ["ratio", "ratio_lo", "ratio_hi", "p_value"].map((c) => num(pooled[c]));
    if (r === null || lo === null || hi === null) {
      out.push(`${who} has no ratio to ${base}'s (a median of 0); ${tally}.`);
      continue;
    }
    const stats = `${ciText(lo, hi)}${p === null ? "" : `, ${pText(p)}`}`;
    const pct = `${Number((threshold * 100).toFixed(2))} %`;
    const sentence = {
      slower: `is higher than ${base}'s, by a factor of ${factor(r)} (${stats})`,
      faster: `is lower than ${base}'s, by a factor of ${factor(1 / r)} ` +
        `(${ciText(1 / hi, 1 / lo)}${p === null ? "" : `, ${pText(p)}`})`,
      same: `is the same as ${base}'s within ${pct} (ratio ${factor(r)}, ${stats})`,
      inconclusive: `differs from ${base}'s by a ratio of ${factor(r)} (${stats}), which ` +
        `does not settle whether it changed by more than ${pct}`,
    }[String(pooled.verdict)] ?? `has the verdict ${pooled.verdict}`;
    out.push(`${who} ${sentence}; ${tally}.`);
  }
  return out;
}

/**
 * Why a comparison has no cell, as a finding: `baseCells` and `nextCells` are how many
 * (experiment, workload, runtime) groups each dataset has latency cells for. A cell needs
 * rows with a waitTime; rows that carry only a client's or provider's time (SeBS's, In-Vitro's
 * without its OpenWhisk columns) make none, so two such datasets compare nothing.
 */
export function noCellsFinding(
  baseCells: number,
  nextCells: number,
  { base = "BASE", next = "NEW" }: { base?: string; next?: string } = {},
): string {
  const groups = (n: number) => `${n} group${n === 1 ? "" : "s"}`;
  const which = baseCells === 0 && nextCells === 0
    ? "neither dataset has a latency cell"
    : baseCells === 0 || nextCells === 0
    ? `${baseCells === 0 ? base : next} has no latency cell`
    : "they share no experiment, workload, runtime and level";
  return `Nothing was compared: ${which} (${base}: ${groups(baseCells)} of experiment, ` +
    `workload and runtime with latencies; ${next}: ${groups(nextCells)}). Latencies are ` +
    `waitTime (+ initTime for a cold start); rows that carry only a client's or provider's ` +
    `time, such as SeBS's and In-Vitro's without its OpenWhisk columns, have none.`;
}
