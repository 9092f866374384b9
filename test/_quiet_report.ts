/**
 * The report of a dataset a test has just collected, built beside it (`<dir>.report`: a report
 * may not lie inside its input) without figure export or progress lines: what the collect
 * tests use to show their dataset reaches the report.
 */
import { buildReport, type ReportResult } from "../cli/report.ts";

/** Builds the report of the dataset in `dir` into `<dir>.report`. */
export function quietReport(dir: string): Promise<ReportResult> {
  return buildReport({ data: dir, out: `${dir}.report`, exportFigures: false, log: () => {} });
}
