/**
 * The report's LaTeX tables in a paper: a document that inputs every one of them compiles
 * with pdflatex (Debian's texlive, installed by `deno task setup`) with no error and no
 * overfull box on an article's page; long tables break across pages, headers are the
 * thesis's, and cells that differ from the printed ones carry a footnote.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { $ } from "zx";
import { buildReport } from "../cli/report.ts";

const pdflatex = (await $`command -v pdflatex`.nothrow().quiet()).exitCode === 0;

Deno.test({
  name: "every LaTeX table of the report compiles with pdflatex, none wider than the text",
  ignore: !pdflatex && !Deno.env.get("CI"),
}, async () => {
  assert.ok(pdflatex, "CI must have pdflatex: deno task setup installs it");
  const out = await Deno.makeTempDir({ prefix: "whiskbench-latex-" });
  await buildReport({ data: "data/thesis", out, exportFigures: false, log: () => {} });
  const inputs: string[] = [];
  for (const dir of ["tables", "tables/thesis"]) {
    for await (const e of Deno.readDir(join(out, dir))) {
      if (e.name.endsWith(".tex")) inputs.push(`${dir}/${e.name}`);
    }
  }
  inputs.sort();
  assert.equal(inputs.length, 27 + 29); // the pipeline tables (percentiles and repetitions too), the thesis tables
  await Deno.writeTextFile(
    join(out, "paper.tex"),
    [
      "\\documentclass{article}",
      "\\usepackage{booktabs,longtable,graphicx}",
      "\\begin{document}",
      ...inputs.map((f) => `\\input{${f}}\\clearpage`),
      "\\end{document}",
    ].join("\n"),
  );
  const run = await $({ cwd: out })`pdflatex -interaction=nonstopmode -halt-on-error paper.tex`
    .nothrow().quiet();
  const log = await Deno.readTextFile(join(out, "paper.log"));
  assert.equal(run.exitCode, 0, log.split("\n").filter((l) => l.startsWith("!")).join("\n"));
  const overfull = log.split("\n").filter((l) => l.startsWith("Overfull \\hbox"));
  assert.deepEqual(overfull, [], "a table wider than the text");

  const tex = (f: string) => Deno.readTextFileSync(join(out, f));
  assert.match(tex("tables/resources.tex"), /\\begin\{longtable\}/, "216 rows break across pages");
  const table3 = tex("tables/thesis/table_3.tex");
  assert.match(table3, /Coefficient of\\\\Variation in \\%/);
  assert.match(table3, /\\midrule\n1 & 2\.8952049 /, "rows numbered as the thesis numbers them");
  assert.doesNotMatch(table3, /cov\\_pct/);
  const table10 = tex("tables/thesis/table_10.tex");
  assert.match(table10, /Docker & 4\.54\\textsuperscript\{a\}/);
  assert.match(table10, /\\textsuperscript\{a\}\\,The thesis prints 4\.57, 85\.25, 64\.90: /);
  assert.doesNotMatch(tex("tables/thesis/table_3.tex"), /textsuperscript/, "all exact: no note");
  await Deno.remove(out, { recursive: true });
});
