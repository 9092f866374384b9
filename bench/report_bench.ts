/**
 * Benchmark 3: `deno task report` on the embedded dataset, timed as a child process. Figure
 * export (SVG/PDF, issue 3) is measured once the report has it; until then that half is
 * reported as skipped.
 */
import { join } from "node:path";
import { denoRun, ROOT } from "./_paths.ts";
import { measure, type Measurement } from "./measure.ts";

/** What benchmark 3 measured. */
export interface ReportBenchResult {
  measurements: Measurement[];
  skipped: string[];
}

/**
 * How the report switches figure export (issue 3), read from the options it parses: a
 * `--no-export` flag (export by default), an `--export` flag, or none yet.
 */
async function exportSwitch(): Promise<"no-export" | "export" | null> {
  const source = await Deno.readTextFile(join(ROOT, "cli/report.ts"));
  const options = /parse\(\s*Deno\.args,([^;]*)\)/s.exec(source)?.[1] ?? "";
  if (options.includes('"no-export"')) return "no-export";
  if (options.includes('"export"')) return "export";
  return null;
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
  const how = await exportSwitch();
  if (how === "no-export") {
    measurements.push(await report("no export", "--no-export"), await report("with export"));
  } else if (how === "export") {
    measurements.push(await report("no export"), await report("with export", "--export"));
  } else {
    measurements.push(await report("no export"));
    skipped.push(
      "bench 3 with figure export: skipped: the report has no figure export yet (issue 3)",
    );
  }
  return { measurements, skipped };
}
