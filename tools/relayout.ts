/**
 * Moves an older dataset's flat Parquet parts into the partition folders that whiskbench now
 * writes (`activations/experiment=<e>/runtime=<r>/`), so that DuckDB, Spark and polars can skip
 * folders by a query's WHERE (README, "Reading a dataset's folder from other engines"). Old
 * datasets read as they are without it; this only adds the engines' pruning.
 *
 * Usage: deno run -A tools/relayout.ts DATASET_DIR
 *
 * @module
 */
import { lockForWriting, readMeta } from "../dataset/mod.ts";
import { relayoutDataset } from "../dataset/partitions.ts";

if (import.meta.main) {
  const [dir, ...rest] = Deno.args;
  if (!dir || rest.length > 0) {
    console.error("usage: deno run -A tools/relayout.ts DATASET_DIR");
    Deno.exit(2);
  }
  try {
    if (!(await readMeta(dir))) throw new Error(`Not a dataset: ${dir} has no dataset.json`);
    // No collector may write while parts move.
    const release = await lockForWriting(dir, "collect", "tools/relayout.ts");
    try {
      const moved = await relayoutDataset(dir);
      console.log(`moved ${moved} parts of ${dir} into partition folders`);
    } finally {
      await release();
    }
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : err}`);
    Deno.exit(1);
  }
}
