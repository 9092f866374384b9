/**
 * `deno task report [--data DIR] [--out DIR]`: the paper artifact from a dataset (default
 * data/thesis -> report/): every table as CSV (full precision) and Markdown, every figure as a
 * Plotly spec (JSON, `{data, layout}`, for any Plotly renderer), and the verify scorecard as
 * text and JSON.
 */
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { allTables, thesisFigures, toMarkdown } from "../pipeline/mod.ts";
import { comparisonMarkdown, scorecardText, verify } from "../verify/mod.ts";
import { parse, run } from "./_args.ts";
import { DEFAULT_DATA, writeCsvs } from "./tables.ts";
import { readPublished } from "./verify.ts";

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["data", "out"]);
    if (positionals.length > 0) throw new Error("usage: deno task report [--data DIR] [--out DIR]");
    const dir = values.data ?? DEFAULT_DATA;
    const out = values.out ?? "report";
    const ds = await readDataset(dir);
    const tables = allTables(ds);
    const tableDir = join(out, "tables");
    await writeCsvs(tables, tableDir);
    const index = [`# whiskbench report\n`, `Dataset: ${ds.meta.name ?? dir}\n`];
    for (const t of tables) {
      await Deno.writeTextFile(
        join(tableDir, `${t.name}.md`),
        `# ${t.title}\n\n${toMarkdown(t.frame)}`,
      );
      index.push(`## ${t.title}\n\n${toMarkdown(t.frame)}`);
    }
    const figureDir = join(out, "figures");
    await Deno.mkdir(figureDir, { recursive: true });
    const figures = thesisFigures(ds);
    for (const f of figures) {
      await Deno.writeTextFile(join(figureDir, `${f.id}.json`), JSON.stringify(f.figure) + "\n");
    }
    index.push(
      `## Figures\n\nPlotly specs in figures/: ${
        figures.map((f) => `${f.id} (${f.title})`).join(", ")
      }\n`,
    );
    const card = verify(ds, await readPublished(dir));
    const text = scorecardText(card.cells);
    await Deno.writeTextFile(join(out, "scorecard.txt"), text);
    await Deno.writeTextFile(join(out, "published_vs_computed.md"), comparisonMarkdown(card.cells));
    await Deno.writeTextFile(join(out, "scorecard.json"), JSON.stringify(card, null, 2) + "\n");
    index.push(
      `## Scorecard against the published tables\n\n\`\`\`\n${text}\`\`\`\n\n` +
        "Every published cell beside the computed one: published_vs_computed.md\n",
    );
    await Deno.writeTextFile(join(out, "report.md"), index.join("\n"));
    console.log(text);
    console.log(
      `wrote ${tables.length} tables (CSV, Markdown), ${figures.length} figure specs (JSON), ` +
        `report.md and the scorecard to ${out}/`,
    );
  });
}
