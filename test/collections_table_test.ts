import assert from "node:assert/strict";
import pl from "nodejs-polars";
import { capacityTable, collectionsTable, measuredCapacityIds } from "../pipeline/mod.ts";
import { resources } from "./_frames.ts";

/** Capacity rows of collection `id`: records at levels 1..`ok`, and an error at `failed`. */
function rows(id: string, ok: number, failed?: number) {
  const levels = Array.from({ length: ok }, (_, i) => i + 1);
  return [
    ...levels.map((level) => ({ collection: id, level, source: "record", wait_ms: 3 })),
    ...(failed ? [{ collection: id, level: failed, source: "error", wait_ms: null }] : []),
  ].map((r) => ({ experiment: "capacity", runtime: "wasm", success: true, error: null, ...r }));
}

Deno.test("collectionsTable(): N only for a capacity ended by a final error, '>= N' for a lower bound", () => {
  const meta = {
    collections: [
      {
        id: "a",
        experiment: "capacity",
        runtime: "wasm",
        workload: "sleep",
        status: "complete",
        final_error: { level: 8 },
        counts: { rows: 8, errors: 1 },
      },
      {
        id: "b",
        experiment: "capacity",
        runtime: "wasm",
        workload: "sleep",
        status: "complete",
        counts: { rows: 5, errors: 0 },
        stop_reason: "no failure up to level 5",
      },
      {
        id: "c",
        experiment: "capacity",
        runtime: "wasm",
        workload: "sleep",
        status: "interrupted",
      },
      { id: "d", experiment: "capacity", runtime: "wasm", workload: "sleep", status: "stopped" },
      { id: "e", experiment: "capacity", runtime: "wasm", workload: "sleep", status: "running" },
      { id: "f", experiment: "cold_start", runtime: "wasm", workload: "hello", status: "complete" },
    ],
  };
  const activations = pl.DataFrame([
    ...rows("a", 7, 8),
    ...rows("b", 5),
    ...rows("c", 9),
    ...rows("d", 2, 3),
    ...rows("e", 12),
  ]);
  const t = collectionsTable(meta, activations);
  assert.deepEqual(t.select("collection", "status", "rows", "errors", "capacity").toRecords(), [
    { collection: "a", status: "complete", rows: 8, errors: 1, capacity: "7" },
    { collection: "b", status: "complete", rows: 5, errors: 0, capacity: ">= 5" },
    { collection: "c", status: "interrupted", rows: null, errors: null, capacity: ">= 9" },
    { collection: "d", status: "stopped", rows: null, errors: null, capacity: null },
    { collection: "e", status: "running", rows: null, errors: null, capacity: null },
    { collection: "f", status: "complete", rows: null, errors: null, capacity: null },
  ]);
  // Table 17 takes only the capacity that was measured (7), not the higher lower bounds.
  const measured = measuredCapacityIds(meta);
  assert.deepEqual(measured, ["a"]);
  assert.deepEqual(
    capacityTable(activations, resources([]), { measured }).select("runtime", "capacity")
      .toRecords(),
    [{ runtime: "wasm", capacity: 7 }],
  );
  // A dataset without collections (ingested) counts every row, as before.
  assert.equal(measuredCapacityIds({}), null);
  assert.equal(collectionsTable({}, activations).height, 0);
});
