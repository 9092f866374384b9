/**
 * Tables 1, 2: lines of code and size of each benchmark action, from the dataset's metadata
 * (they are not measurements, so they live in dataset.json, not in a Parquet table).
 */
import pl from "nodejs-polars";
import type { DatasetMeta } from "../dataset/mod.ts";

/** One row per runtime and action: file, lines_of_code, size_kb, type. */
export function actionsTable(meta: DatasetMeta): pl.DataFrame {
  const actions = meta.actions ?? [];
  return pl.DataFrame({
    runtime: pl.Series("runtime", actions.map((a) => a.runtime), pl.Utf8),
    action: pl.Series("action", actions.map((a) => a.action), pl.Utf8),
    file: pl.Series("file", actions.map((a) => a.file), pl.Utf8),
    lines_of_code: pl.Series("lines_of_code", actions.map((a) => a.lines_of_code), pl.Int64),
    size_kb: pl.Series("size_kb", actions.map((a) => a.size_kb), pl.Float64),
    type: pl.Series("type", actions.map((a) => a.type), pl.Utf8),
  });
}
