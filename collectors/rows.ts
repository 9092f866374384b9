/**
 * Outcomes of invocations as rows of `activations`: a record through the one record-to-row
 * function that ingest uses ({@link activationRow}), an invocation without a record through
 * {@link errorRow}; both with the extra columns of a collected dataset (DESIGN.md allows
 * extras): the client's send and receive times and the attempt number.
 */
import {
  ACTIVATION_COLUMNS,
  type ActivationRow,
  activationRow,
  errorRow,
  EVENT_COLUMNS,
  type RecordContext,
  type RowOf,
} from "../dataset/mod.ts";
import type { Outcome } from "./invoke.ts";

/** Columns of the activations parts a collector writes: the contract's, then the extras. */
export const COLLECTED_COLUMNS = {
  ...ACTIVATION_COLUMNS,
  client_send_ms: "f64",
  client_receive_ms: "f64",
  attempt: "i64",
  /** The collection (its id in dataset.json) that wrote the row. */
  collection: "str",
} as const;

/**
 * The `source` of a cold-start record whose level was not all cold: kept in the dataset, but
 * neither a cold-start latency nor a warm one (the level ran again, or the experiment stopped).
 */
export const NOT_ALL_COLD = "not_all_cold";

/** One collected activation row. */
export type CollectedRow = RowOf<typeof COLLECTED_COLUMNS>;

/**
 * Columns of the events parts a collector writes: the contract's, with runtime, run, workload
 * and collection, so that the level changes of the ramps of one campaign are told apart.
 */
export const COLLECTED_EVENT_COLUMNS = {
  ...EVENT_COLUMNS,
  runtime: "str",
  run: "i64",
  workload: "str",
  collection: "str",
} as const;

/** One collected event row. */
export type CollectedEvent = RowOf<typeof COLLECTED_EVENT_COLUMNS>;

/**
 * The row of one outcome, named by the action invoked. A record that the row function
 * rejects (say, without waitTime) becomes an error row that still keeps the record's text, so
 * that nothing is lost.
 */
export function outcomeRow(
  o: Outcome,
  { collection = null, ...context }: RecordContext & { collection?: string | null },
  where: string,
  attempt = 1,
): CollectedRow {
  const ctx = { ...context, http_status: o.http_status };
  const extra = {
    client_send_ms: o.sent_ms,
    client_receive_ms: o.received_ms,
    attempt,
    collection,
  };
  let row: ActivationRow;
  if (o.record) {
    try {
      // The action as invoked: a record names an action in a package without the package
      // (OpenWhisk keeps it in the path annotation only), an error row by the invoked name.
      row = { ...activationRow(o.record, ctx, where), action: o.action };
    } catch (err) {
      row = {
        ...errorRow(ctx, `unusable activation record: ${(err as Error).message}`),
        activation_id: o.activation_id,
        action: o.action,
        record: JSON.stringify(o.record),
      };
    }
  } else {
    row = {
      ...errorRow(ctx, o.error ?? "no record"),
      activation_id: o.activation_id,
      action: o.action,
    };
  }
  return { ...row, ...extra };
}
