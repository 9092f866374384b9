/**
 * The dataset contract of DESIGN.md as code: the columns of each table of a dataset, their
 * polars types, and a column-major builder that turns plain values into typed frames.
 *
 * Types are fixed here, once, so that a dataset written by ingest and one written by a
 * collector read back with identical schemas (a JSON number array would otherwise become
 * Float64 or Int64 depending on its first value).
 */
import pl from "nodejs-polars";

/** Kinds of column a dataset uses. */
export type ColumnType = "str" | "i64" | "f64" | "bool";

/** Columns of `activations/*.parquet`, in order. */
export const ACTIVATION_COLUMNS = {
  experiment: "str",
  workload: "str",
  runtime: "str",
  run: "i64",
  level: "i64",
  activation_id: "str",
  action: "str",
  kind: "str",
  start_ms: "f64",
  end_ms: "f64",
  duration_ms: "f64",
  wait_ms: "f64",
  init_ms: "f64",
  status: "str",
  success: "bool",
  error: "str",
  source: "str",
  http_status: "i64",
  record: "str",
} as const satisfies Record<string, ColumnType>;

/**
 * Columns of `resources/*.parquet`, in order (`vsz_bytes` is an allowed extra from `ps`;
 * `host` names the host a sampler read over ssh, null for this machine).
 */
export const RESOURCE_COLUMNS = {
  experiment: "str",
  runtime: "str",
  sampler: "str",
  sample: "i64",
  t_ms: "f64",
  target: "str",
  cpu_pct: "f64",
  cpu_pct_interval: "f64",
  mem_bytes: "f64",
  mem_limit_bytes: "f64",
  pids: "i64",
  state: "str",
  vsz_bytes: "f64",
  host: "str",
} as const satisfies Record<string, ColumnType>;

/** Columns of `timings/*.parquet`, in order. */
export const TIMING_COLUMNS = {
  runtime: "str",
  action: "str",
  phase: "str",
  run: "i64",
  us: "f64",
} as const satisfies Record<string, ColumnType>;

/** Columns of `events/*.parquet`, in order. */
export const EVENT_COLUMNS = {
  t_ms: "f64",
  experiment: "str",
  level: "i64",
  what: "str",
} as const satisfies Record<string, ColumnType>;

/** A schema: column name to type. */
export type Schema = Record<string, ColumnType>;

/** One row of a schema, as plain values (null where unknown). */
export type RowOf<S extends Schema> = {
  [K in keyof S]: S[K] extends "str" ? string | null
    : S[K] extends "bool" ? boolean | null
    : number | null;
};

/** One activation row: the contract's columns. */
export type ActivationRow = RowOf<typeof ACTIVATION_COLUMNS>;
/** One resource sample row. */
export type ResourceRow = RowOf<typeof RESOURCE_COLUMNS>;
/** One executor timing row. */
export type TimingRow = RowOf<typeof TIMING_COLUMNS>;
/** One experiment phase marker. */
export type EventRow = RowOf<typeof EVENT_COLUMNS>;

/** The polars type of a column type. */
export function dtypeOf(type: ColumnType): pl.DataType {
  switch (type) {
    case "str":
      return pl.Utf8;
    case "i64":
      return pl.Int64;
    case "f64":
      return pl.Float64;
    case "bool":
      return pl.Bool;
  }
}

/**
 * Collects rows column by column and builds a frame with the schema's exact types.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameBuilder, TIMING_COLUMNS } from "./schema.ts";
 * const b = new FrameBuilder(TIMING_COLUMNS);
 * b.push({ runtime: "wasm", action: "hello", phase: "init", run: 1, us: 1100 });
 * assert.equal(String(b.toFrame().getColumn("run").dtype), "DataType(Int64)");
 * ```
 */
export class FrameBuilder<S extends Schema> {
  readonly #schema: S;
  #columns: Record<string, unknown[]>;

  constructor(schema: S) {
    this.#schema = schema;
    this.#columns = Object.fromEntries(Object.keys(schema).map((k) => [k, []]));
  }

  /** Rows pushed so far. */
  get length(): number {
    const first = Object.keys(this.#schema)[0];
    return this.#columns[first].length;
  }

  /** Appends one row; every column of the schema must be present (null where unknown). */
  push(row: RowOf<S>): void {
    for (const name in this.#schema) this.#columns[name].push(row[name]);
  }

  /** The rows as a frame with the schema's types, and clears the builder. */
  toFrame(): pl.DataFrame {
    const series = Object.entries(this.#schema).map(([name, type]) =>
      pl.Series(name, this.#columns[name] as never[], dtypeOf(type))
    );
    this.#columns = Object.fromEntries(Object.keys(this.#schema).map((k) => [k, []]));
    return pl.DataFrame(series);
  }
}

/** An empty frame with the schema's columns and types. */
export function emptyFrame(schema: Schema): pl.DataFrame {
  return new FrameBuilder(schema).toFrame();
}

/**
 * Columns of `activations` rows imported from other tools (`ingest --format`): the contract's
 * columns, then extras that say what an imported row carries. `latency` names which latency
 * the row's times are (`waitTime+initTime` for OpenWhisk's own; `client_time` where a tool
 * measured only a round trip at the client, in `client_ms`); `memory_mb` is the memory the
 * function was configured with. Null where the source does not say.
 */
export const IMPORTED_COLUMNS = {
  ...ACTIVATION_COLUMNS,
  format: "str",
  latency: "str",
  cold: "bool",
  client_ms: "f64",
  exec_ms: "f64",
  connect_ms: "f64",
  memory_mb: "i64",
  mem_used_mb: "f64",
} as const satisfies Record<string, ColumnType>;

/** One imported activation row. */
export type ImportedRow = RowOf<typeof IMPORTED_COLUMNS>;

/**
 * The highest concurrency level a dataset may hold. The thesis's highest is 878 (Wasm's
 * capacity); the bound is there to catch a value that is not a level at all (a timestamp, an
 * id, a count) before it becomes a row of a table, and sits well above what one host reaches.
 */
export const MAX_LEVEL = 5_000;

/** Columns a part of each table must have: without one, its rows cannot be placed in a table. */
export const REQUIRED_COLUMNS = {
  activations: ["experiment", "workload", "runtime", "source", "level", "wait_ms", "init_ms"],
  resources: ["experiment", "runtime", "sampler", "sample", "target", "cpu_pct", "mem_bytes"],
  timings: ["runtime", "action", "phase", "run", "us"],
  events: ["t_ms", "experiment", "level", "what"],
} as const satisfies Record<string, readonly string[]>;

/** Columns whose values may not be null: a row without one belongs to no table. */
export const NOT_NULL_COLUMNS = {
  activations: ["experiment", "workload", "runtime", "source"],
  resources: ["experiment", "runtime", "sampler", "sample"],
  timings: ["runtime", "action", "phase", "us"],
  events: ["experiment", "what"],
} as const satisfies Record<string, readonly string[]>;

/**
 * The values of the `source` column of `activations`: DESIGN.md's four, `not_all_cold` (the
 * records of a cold-start attempt that was not all cold, kept outside every latency table) and
 * `client` (a latency another tool measured at the client: a round trip, no wait/init split).
 */
export const ACTIVATION_SOURCES = [
  "record",
  "warm_samples",
  "samples",
  "error",
  "not_all_cold",
  "client",
] as const;

/**
 * The range of a number column, bounds included. Every number of a dataset must also be
 * finite: NaN and infinities are never a measurement.
 */
export interface ValueRange {
  min: number;
  max: number;
}

/**
 * The largest number a measurement column may hold: 2^53 - 1 (285,000 years in ms, 8 PiB in
 * bytes), far past any measurement, so that a value above it is not one. Past it a table's sums
 * overflow to infinity (eight waits of 1.5e308 ms had a mean of `inf` beside a median of
 * 1.5e308) and whole numbers lose their units.
 */
export const MAX_MEASURE = Number.MAX_SAFE_INTEGER;

/**
 * Ranges of the number columns (latencies, durations and sizes are never negative, and none
 * is above {@linkcode MAX_MEASURE}).
 */
export const VALUE_RANGES = {
  activations: {
    run: { min: 1, max: MAX_MEASURE },
    level: { min: 1, max: MAX_LEVEL },
    start_ms: { min: 0, max: MAX_MEASURE },
    end_ms: { min: 0, max: MAX_MEASURE },
    duration_ms: { min: 0, max: MAX_MEASURE },
    wait_ms: { min: 0, max: MAX_MEASURE },
    init_ms: { min: 0, max: MAX_MEASURE },
    http_status: { min: 100, max: 599 },
  },
  resources: {
    sample: { min: 1, max: MAX_MEASURE },
    t_ms: { min: 0, max: MAX_MEASURE },
    cpu_pct: { min: 0, max: MAX_MEASURE },
    cpu_pct_interval: { min: 0, max: MAX_MEASURE },
    mem_bytes: { min: 0, max: MAX_MEASURE },
    mem_limit_bytes: { min: 0, max: MAX_MEASURE },
    pids: { min: 0, max: MAX_MEASURE },
    vsz_bytes: { min: 0, max: MAX_MEASURE },
  },
  timings: { run: { min: 1, max: MAX_MEASURE }, us: { min: 0, max: MAX_MEASURE } },
  // Level 0 marks what happens before the first level (a concurrency run's warm-up).
  events: { t_ms: { min: 0, max: MAX_MEASURE }, level: { min: 0, max: MAX_LEVEL } },
} as const satisfies Record<string, Record<string, ValueRange>>;
