/**
 * Benchmark 3: `deno task report` on the embedded dataset, timed as a child process, without
 * and with figure export (SVG and PDF in headless Chromium; reported as skipped where no
 * Chromium is found, since the report then skips export itself).
 */
import { join } from "node:path";
import { findChromium } from "../render/chromium.ts";
import { denoRun, ROOT } from "./_paths.ts";
import { measure, type Measurement } from "./measure.ts";

/** What benchmark 3 measured. */
export interface ReportBenchResult {
  measurements: Measurement[];
  skipped: string[];
}

/** Runs benchmark 3. */
export async function reportBench(
  work: string,
  { runs = 3 }: { runs?: number } = {},
): Promise<ReportBenchResult> {
  const out = join(work, "out", "report");
  const data = join(ROOT, "data/thesis");
  const report = (name: string, ...flags: string[]) =>
    measure(
      `report: whiskbench (${name})`,
      denoRun("cli/report.ts", "--data", data, "--out", out, ...flags),
      {
        runs,
        cwd: ROOT,
      },
    );
  const skipped: string[] = [];
  const measurements: Measurement[] = [];
  measurements.push(await report("no export", "--no-export"));
  if (findChromium()) measurements.push(await report("with export"));
  else skipped.push("bench 3 with figure export: skipped: no Chromium found");
  return { measurements, skipped };
}
