/**
 * How the Parquet parts that polars' streaming engine writes are compressed: zstd, as DuckDB's
 * and most engines' Parquet is, at level 1 rather than polars' default 3. These parts are
 * activation rows whose `record` JSON is most of the bytes; there level 1 took about a fifth
 * less of polars' CPU and gave smaller files, not larger (BENCHMARKS.md, "Ingest at 1 GB
 * against DuckDB"). Parts without record text (a SeBS import's) came out larger at level 1, so
 * `writePart` keeps `writeParquet`'s default. Any zstd level reads back the same, in any reader.
 */
import type pl from "nodejs-polars";

/** The options of every `sinkParquet` of a dataset part. */
export const PART_SINK_OPTIONS: pl.SinkParquetOptions = {
  compression: "zstd",
  compressionLevel: 1,
};
