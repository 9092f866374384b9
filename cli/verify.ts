/**
 * `deno task verify [DIR] [--published FILE] [--json FILE]`: compares every cell the thesis
 * prints with the value computed from a dataset (default data/thesis) and prints the
 * scorecard. The published numbers are DIR/published.json where present, else the thesis's.
 */
import { readDataset } from "../dataset/mod.ts";
import { PIPELINE_COLUMNS } from "../pipeline/mod.ts";
import { readPublished, scorecardText, tablesWithoutData, verify } from "../verify/mod.ts";
import { userPath } from "../dataset/folder.ts";
import { parse, run } from "./_args.ts";
import { DEFAULT_DATA } from "./tables.ts";

/** Kept for callers of the old place: the reader lives in verify/ now. */
export { readPublished } from "../verify/mod.ts";

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["published", "json"]);
    const dir = positionals[0] ? userPath(positionals[0]) : DEFAULT_DATA;
    const ds = await readDataset(dir, { activationColumns: PIPELINE_COLUMNS });
    const published = values.published ? userPath(values.published) : undefined;
    const card = verify(ds, await readPublished(dir, published));
    console.log(scorecardText(card.cells));
    if (values.json) {
      await Deno.writeTextFile(userPath(values.json), JSON.stringify(card, null, 2) + "\n");
      console.log(`wrote ${values.json}`);
    }
    const empty = tablesWithoutData(card.cells);
    if (empty.length > 0) {
      throw new Error(
        `${dir}: no data for ${empty.length} of the tables to grade (not one cell computed): ` +
          `${empty.join(", ")}`,
      );
    }
  });
}
