/**
 * Benchmark 3: `deno task report` on the embedded dataset, timed as a child process, without
 * and with figure export (SVG from render/svg.ts, PDF from it with rsvg-convert; reported as
 * skipped where no rsvg-convert is found, since the report then writes no PDF).
 */
import { join } from "node:path";
import { findRsvgConvert } from "../render/pdf.ts";
import { denoRun, ROOT } from "./_paths.ts";
import { measure, type Measurement, minMedian } from "./measure.ts";

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
  if (findRsvgConvert()) measurements.push(await report("with export"));
  else skipped.push("bench 3 with figure export: skipped: no rsvg-convert found");
  return { measurements, skipped };
}

/**
 * What export adds to the report, from the medians: "export (SVG and PDF of 21 figures) adds
 * 0.9 s: with export / without = 1.19". Null where one of the two was not measured.
 */
export function exportCost({ measurements }: ReportBenchResult): string | null {
  const median = (name: string) => {
    const m = measurements.find((m) => m.name.endsWith(`(${name})`));
    return m ? minMedian(m.seconds).median : undefined;
  };
  const [without, withExport] = [median("no export"), median("with export")];
  if (without === undefined || withExport === undefined) return null;
  return `benchmark 3: figure export (SVG and PDF) adds ${(withExport - without).toFixed(2)} s ` +
    `to the report: with export / without = ${(withExport / without).toFixed(2)} (medians)`;
}
