/**
 * Benchmark 5: `deno task compare` of the embedded dataset against itself with the default
 * 10,000 resamples (the whole comparison: every cell's median CIs, bootstrap ratio CIs,
 * Mann-Whitney U, Cliff's delta, the slowdown tables of both datasets and the figures), timed as
 * a child process, beside `deno task tables` on the same dataset in the same run: the part of
 * the work without statistics, so the ratio says what the statistics cost on this machine.
 */
import { join } from "node:path";
import pl from "nodejs-polars";
import { denoRun, ROOT } from "./_paths.ts";
import { measure, type Measurement } from "./measure.ts";

/** What benchmark 5 measured. */
export interface CompareBenchResult {
  measurements: Measurement[];
  /** Resamples of each bootstrap. */
  resamples: number;
  /** Disagreements: the thesis against itself must never be judged slower or faster. */
  differences: string[];
}

/** Runs benchmark 5. */
export async function compareBench(
  work: string,
  { runs = 3, resamples = 10_000 }: { runs?: number; resamples?: number } = {},
): Promise<CompareBenchResult> {
  const data = join(ROOT, "data/thesis");
  const out = join(work, "out", "compare"), tables = join(work, "out", "compare-tables");
  const clear = (dir: string) => () => Deno.remove(dir, { recursive: true }).catch(() => {});
  const measurements = [
    await measure(
      `compare: whiskbench compare, ${resamples} resamples`,
      denoRun("cli/compare.ts", data, data, "--out", out, "--resamples", String(resamples)),
      { runs, cwd: ROOT, before: clear(out) },
    ),
    await measure(
      "compare: whiskbench tables only (no statistics, reference)",
      denoRun("cli/tables.ts", data, "--out", tables),
      { runs, cwd: ROOT, before: clear(tables) },
    ),
  ];
  const verdicts = pl.readCSV(join(out, "compare.csv")).getColumn("verdict").toArray();
  const moved = verdicts.filter((v) => v === "slower" || v === "faster").length;
  return {
    measurements,
    resamples,
    differences: moved === 0
      ? []
      : [`compare: the thesis against itself judged ${moved} cells slower or faster`],
  };
}
