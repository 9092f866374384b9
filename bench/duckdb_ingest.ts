/**
 * The DuckDB baseline of the ingest benchmark: `1_` logs -> one Parquet file of the dataset's
 * activation columns, in SQL. read_json with an explicit schema (each line a JSON array of
 * level groups, the responses kept as JSON text), unnest the groups and the records, type each
 * record with json_transform, pick the annotations, write Parquet with zstd at the level the
 * ingest's parts are written at (dataset/part_compression.ts), so that both compress alike.
 *
 * `deno run -A bench/duckdb_ingest.ts OUT.parquet FILE...` (a child process of the bench, so
 * that its peak RSS is its own).
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { classify } from "../ingest/file_kind.ts";
import { PART_SINK_OPTIONS } from "../dataset/part_compression.ts";

const RECORD = JSON.stringify({
  activationId: "VARCHAR",
  annotations: [{ key: "VARCHAR", value: "JSON" }],
  duration: "DOUBLE",
  end: "DOUBLE",
  name: "VARCHAR",
  response: { result: "JSON", status: "VARCHAR", success: "BOOLEAN" },
  start: "DOUBLE",
});

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A CASE expression mapping each file to one of its name's parts. */
function byFile(files: string[], part: "experiment" | "workload" | "runtime"): string {
  const whens = files.map((path) => {
    const role = classify(path.split("/").pop()!);
    if (!role || role.kind !== "activations") throw new Error(`bench: not a 1_ log: ${path}`);
    return `WHEN ${sqlString(path)} THEN ${sqlString(role[part])}`;
  });
  return `CASE filename ${whens.join(" ")} END`;
}

/** The COPY statement that flattens `files` into `out` (Parquet, zstd at the parts' level). */
export function duckdbIngestSql(files: string[], out: string): string {
  const level = PART_SINK_OPTIONS.compressionLevel ?? 3;
  const annotation = (key: string) => `list_filter(r.annotations, a -> a.key = '${key}')[1].value`;
  return `COPY (
  WITH runs AS (
    SELECT filename, o - min(o) OVER (PARTITION BY filename) + 1 AS run, UNNEST(j) AS g
    FROM read_json([${files.map(sqlString).join(", ")}], format = 'newline_delimited',
      records = false, filename = true, maximum_object_size = 1000000000,
      columns = {j: 'STRUCT(no_concurrent_requests BIGINT, responses JSON[])[]'})
      WITH ORDINALITY AS t(j, filename, o)
  ), records AS (
    SELECT filename, run, g.no_concurrent_requests AS level, UNNEST(g.responses) AS j FROM runs
  ), typed AS (
    SELECT *, json_transform(j, ${sqlString(RECORD)}) AS r FROM records
  )
  SELECT ${byFile(files, "experiment")} AS experiment, ${byFile(files, "workload")} AS workload,
    ${byFile(files, "runtime")} AS runtime, run, level,
    r.activationId AS activation_id, r.name AS action, ${annotation("kind")} ->> '$' AS kind,
    r.start AS start_ms, r.end AS end_ms, r.duration AS duration_ms,
    CAST(${annotation("waitTime")} AS DOUBLE) AS wait_ms,
    CAST(${annotation("initTime")} AS DOUBLE) AS init_ms,
    r.response.status AS status, r.response.success AS success,
    CASE WHEN r.response.success = false
      THEN coalesce(r.response.result ->> 'error', r.response.result::VARCHAR) END AS error,
    'record' AS source, CAST(NULL AS BIGINT) AS http_status, j::VARCHAR AS record
  FROM typed
) TO ${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL ${level})`;
}

if (import.meta.main) {
  const [out, ...files] = Deno.args;
  if (!out || files.length === 0) {
    throw new Error("usage: deno run -A bench/duckdb_ingest.ts OUT.parquet FILE...");
  }
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await connection.run(duckdbIngestSql(files, out));
  connection.closeSync();
}
