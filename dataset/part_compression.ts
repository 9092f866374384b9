/**
 * How the Parquet parts that polars' streaming engine writes are compressed: zstd, as DuckDB's
 * and most engines' Parquet is, at level 1 rather than polars' default 3. On activation
 * parts (90 % of their bytes the `record` JSON) level 1 took about a fifth less of polars'
 * CPU and gave smaller files, not larger (BENCHMARKS.md, "Ingest at 1 GB against DuckDB");
 * any zstd level reads back the same, with every reader.
 */
import type pl from "nodejs-polars";

/** The options of every `sinkParquet` of a dataset part. */
export const PART_SINK_OPTIONS: pl.SinkParquetOptions = {
  compression: "zstd",
  compressionLevel: 1,
};
