/**
 * `deno task compare BASE NEW --out DIR [--threshold PCT] [--seed N] [--resamples N]`: whether
 * two runs really differ, cell by cell (DIR/compare.csv), each run's Docker/Wasm slowdown with
 * its uncertainty (DIR/slowdown.csv, a `dataset` column saying base or new), and the findings
 * in sentences (DIR/findings.md). Numbers at full precision; the same bytes on every run for
 * the same data, seed and resamples.
 */
import { join, resolve, sep } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import pl from "nodejs-polars";
import {
  compareFindings,
  compareFrame,
  type CompareOptions,
  type LatencyCells,
  latencyCells,
  PIPELINE_COLUMNS,
  slowdownFindings,
  slowdownFrame,
} from "../pipeline/mod.ts";
import { parse, run } from "./_args.ts";

const USAGE =
  "usage: deno task compare BASE NEW --out DIR [--threshold PCT] [--seed N] [--resamples N]";

/** What `deno task compare` was asked to do. */
export interface CompareArgs {
  base: string;
  next: string;
  out: string;
  options: Required<CompareOptions>;
}

/** A flag's value as an integer in [min, max], or a RangeError naming the flag. */
function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new RangeError(`--${flag} ${text}: expected an integer from ${min} to ${max}`);
  }
  return n;
}

/** Whether `inner` is `outer` or a path below it. */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/** The real path of `path` if it exists, else its absolute path. */
function real(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

/** Parses and checks the arguments of `deno task compare`. */
export function parseCompareArgs(args: string[]): CompareArgs {
  const { values, positionals } = parse(args, ["out", "threshold", "seed", "resamples"]);
  if (positionals.length !== 2 || !values.out) throw new Error(USAGE);
  const [base, next] = positionals;
  const out = values.out;
  for (const input of [base, next]) {
    if (within(real(out), real(input))) {
      throw new Error(`--out ${out} is the input dataset ${input} or inside it; choose another`);
    }
  }
  const pct = Number(values.threshold ?? "3");
  if ((values.threshold !== undefined && !/^\d+(\.\d+)?$/.test(values.threshold)) || pct >= 100) {
    throw new RangeError(`--threshold ${values.threshold}: expected a percentage from 0 to 100`);
  }
  return {
    base,
    next,
    out,
    options: {
      threshold: pct / 100,
      seed: values.seed === undefined ? 1 : integer("seed", values.seed, 0, 2 ** 53 - 1),
      resamples: values.resamples === undefined
        ? 10_000
        : integer("resamples", values.resamples, 1, 10_000_000),
    },
  };
}

/** A dataset's latency cells (only the columns the comparison reads are loaded). */
async function cellsOf(dir: string): Promise<LatencyCells> {
  const ds = await readDataset(dir, { activationColumns: [...PIPELINE_COLUMNS, "run"] });
  return latencyCells(ds.activations);
}

/** Runs the comparison and writes DIR/compare.csv and DIR/slowdown.csv; returns a summary. */
export async function compare({ base, next, out, options }: CompareArgs): Promise<string> {
  const [b, n] = [await cellsOf(base), await cellsOf(next)];
  const cmp = compareFrame(b, n, options);
  const [sb, sn] = [slowdownFrame(b, options), slowdownFrame(n, options)];
  const slowdown = pl.concat([
    sb.select(pl.lit("base").alias("dataset"), pl.all()),
    sn.select(pl.lit("new").alias("dataset"), pl.all()),
  ]);
  const list = (lines: string[]) => lines.map((l) => `- ${l}\n`).join("") || "- none\n";
  const findings = `# Findings\n\nBASE: ${base}\n\nNEW: ${next}\n\n` +
    `## NEW against BASE\n\n${list(compareFindings(cmp, options))}\n` +
    `## Slowdown in BASE\n\n${list(slowdownFindings(sb))}\n` +
    `## Slowdown in NEW\n\n${list(slowdownFindings(sn))}`;
  await Deno.mkdir(out, { recursive: true });
  cmp.writeCSV(join(out, "compare.csv"));
  slowdown.writeCSV(join(out, "slowdown.csv"));
  await Deno.writeTextFile(join(out, "findings.md"), findings);
  const verdicts = cmp.getColumn("verdict").toArray() as string[];
  const count = (v: string) => `${verdicts.filter((x) => x === v).length} ${v}`;
  const tally = ["slower", "faster", "same", "inconclusive"].map(count).join(", ");
  return `compared ${cmp.height} cells (${tally}) and ${slowdown.height} slowdown rows: ` +
    `wrote compare.csv, slowdown.csv and findings.md to ${out}`;
}

if (import.meta.main) {
  await run(async () => {
    console.log(await compare(parseCompareArgs(Deno.args)));
  });
}
