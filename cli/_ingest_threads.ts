/**
 * Imported first by `cli/ingest.ts`, before anything loads polars: polars' thread pool (sized
 * once, from POLARS_MAX_THREADS, when first used) gets one thread unless the caller chose.
 * Ingest reads records on the JS thread and has polars write the last part meanwhile; with a
 * thread per core, polars' threads would take turns on the JS thread's core and slow the
 * reading, which is what bounds ingest; on one thread it keeps up (the part of a 25 MB log
 * takes it about 100 ms of CPU, reading that log about 180: BENCHMARKS.md, "Ingest at 1 GB
 * against DuckDB") with less memory.
 */
const chosen = Deno.env.get("POLARS_MAX_THREADS") !== undefined;
if (!chosen) Deno.env.set("POLARS_MAX_THREADS", "1");

/**
 * Gives polars a thread per core again, unless the caller chose a number: for imports that
 * polars reads and writes alone (CSV files), where the JS thread waits for it. Works only
 * before polars' first query (its pool is sized then), which an import's format detection
 * does not make.
 */
export function polarsOnEveryCore(): void {
  if (!chosen) Deno.env.set("POLARS_MAX_THREADS", String(navigator.hardwareConcurrency));
}
