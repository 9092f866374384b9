/**
 * Imported first by `cli/ingest.ts`, before anything loads polars: polars' thread pool (sized
 * once, from POLARS_MAX_THREADS, when first used) gets one thread unless the caller chose.
 * Ingest reads records on the JS thread and has polars write the last part meanwhile; with a
 * thread per core, polars' threads would take turns on the JS thread's core and slow the
 * reading, which is what bounds ingest; on one thread it keeps up (a part takes it about
 * 80 ms of CPU, reading the file behind the next part about 130) with less memory. CSV imports
 * are two workers as well: polars' thread makes a slice's rows while the JS thread writes the
 * last slice's part (on 100 MB of In-Vitro CSV, 4.8 s of CPU with one polars thread, 5.3-6.1
 * with two).
 */
const chosen = Deno.env.get("POLARS_MAX_THREADS") !== undefined;
if (!chosen) Deno.env.set("POLARS_MAX_THREADS", "1");
