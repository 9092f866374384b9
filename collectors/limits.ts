/**
 * OpenWhisk's own limits, as its controller tells them at `GET /` (`limits`: invocations a
 * minute and in flight per namespace; a stock deployment allows 60 and 30), checked against
 * what an experiment will ask before its first invocation: over either limit, OpenWhisk
 * answers 429 and the experiment measures the limit instead of the host.
 */
import type { CommonParams } from "./flags.ts";

/** The limits of `GET /` that bound an experiment (null where the controller does not say). */
export interface Limits {
  actions_per_minute: number | null;
  concurrent_actions: number | null;
}

/** The `limits` of a `GET /` answer, where it has them. */
export function limitsOf(root: unknown): Limits {
  const l = (root as { limits?: Record<string, unknown> } | null)?.limits ?? {};
  const n = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : null;
  return {
    actions_per_minute: n(l.actions_per_minute),
    concurrent_actions: n(l.concurrent_actions),
  };
}

/**
 * What an experiment will ask at most: invocations in flight at once, and invocations a
 * minute. A ramp keeps up to `levels` in flight and re-issues each as it returns; the
 * benchmark actions return within a second, so each slot asks at least one a second. A
 * cold-start level asks `levels` at once after each idle wait.
 */
export function demand(experiment: string, params: CommonParams): {
  inFlight: number;
  perMinute: number;
} {
  const { levels } = params;
  if (experiment === "cold-start") {
    const wait = params.idle_wait_s === "auto" ? null : params.idle_wait_s;
    const perMinute = wait === null || wait <= 0
      ? levels
      : levels * Math.max(1, Math.floor(60 / wait));
    return { inFlight: levels, perMinute };
  }
  if (experiment === "capacity") return { inFlight: levels, perMinute: levels };
  return { inFlight: levels, perMinute: levels * 60 };
}

/**
 * The problems of running `experiment` with `params` under `limits`: `errors` make it measure
 * OpenWhisk's limit rather than the host (the CLI refuses to start); `notes` are expected
 * (the capacity test ends at the concurrency limit where the host does not end it first).
 */
export function checkLimits(
  experiment: string,
  params: CommonParams,
  limits: Limits,
): { errors: string[]; notes: string[] } {
  const errors: string[] = [], notes: string[] = [];
  const { inFlight, perMinute } = demand(experiment, params);
  const { concurrent_actions: concurrent, actions_per_minute: minute } = limits;
  if (concurrent !== null && inFlight > concurrent) {
    const text = `${experiment} asks up to ${inFlight} invocations in flight; OpenWhisk allows ` +
      `${concurrent} (limits.concurrent_actions of GET /)`;
    if (experiment === "capacity") {
      notes.push(`${text}: the test ends at level ${concurrent + 1} at most, OpenWhisk's limit`);
    } else errors.push(text);
  }
  if (minute !== null && experiment === "capacity") {
    notes.push(
      `OpenWhisk allows ${minute} invocations a minute (limits.actions_per_minute of GET /): ` +
        "the test also ends where the levels of the last minute add up to more",
    );
  } else if (minute !== null && perMinute > minute) {
    errors.push(
      `${experiment} asks about ${perMinute} invocations a minute; OpenWhisk allows ${minute} ` +
        "(limits.actions_per_minute of GET /)",
    );
  }
  return { errors, notes };
}
