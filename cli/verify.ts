/**
 * `deno task verify [DIR] [--published FILE] [--json FILE]`: compares every cell the thesis
 * prints with the value computed from a dataset (default data/thesis) and prints the
 * scorecard. The published numbers are DIR/published.json where present, else the thesis's.
 */
import { join } from "node:path";
import { readDataset } from "../dataset/mod.ts";
import { PIPELINE_COLUMNS } from "../pipeline/mod.ts";
import {
  checkPublished,
  type Published,
  scorecardText,
  tablesWithoutData,
  verify,
} from "../verify/mod.ts";
import { parse, run } from "./_args.ts";
import { DEFAULT_DATA } from "./tables.ts";

/** Reads the published numbers that belong with dataset `dir`. */
export async function readPublished(dir: string, file?: string): Promise<Published> {
  const candidates = file
    ? [file]
    : [join(dir, "published.json"), join(DEFAULT_DATA, "published.json")];
  for (const path of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(await Deno.readTextFile(path));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound) || file) {
        throw new Error(`Cannot read published numbers ${path}: ${err}`, { cause: err });
      }
      continue;
    }
    return checkPublished(value, path);
  }
  throw new Error(`No published.json in ${dir} or ${DEFAULT_DATA}`);
}

if (import.meta.main) {
  await run(async () => {
    const { values, positionals } = parse(Deno.args, ["published", "json"]);
    const dir = positionals[0] ?? DEFAULT_DATA;
    const ds = await readDataset(dir, { activationColumns: PIPELINE_COLUMNS });
    const card = verify(ds, await readPublished(dir, values.published));
    console.log(scorecardText(card.cells));
    if (values.json) {
      await Deno.writeTextFile(values.json, JSON.stringify(card, null, 2) + "\n");
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
