/**
 * `--idle-wait auto`: measures how long a container must stay idle before OpenWhisk removes
 * it, so that the cold-start experiment waits long enough (and no longer). Each probe waits,
 * then invokes one action and reads whether it started cold (an initTime); the invocation
 * leaves the container idle again from its end, so the next probe needs no warm-up. The wait
 * doubles until a probe is cold, then bisects between the longest warm and the shortest cold
 * wait until they are within a tenth of each other (or `resolutionMs`); both searches are
 * bounded by `maxMs`.
 */
import { type Clock, systemClock } from "./clock.ts";
import { invoke, type InvokeOptions } from "./invoke.ts";
import type { OpenWhiskApi } from "./openwhisk.ts";

/** One probe: how long it waited and whether the invocation after the wait was cold. */
export interface IdleProbe {
  wait_ms: number;
  cold: boolean;
  activation_id: string | null;
}

/** What the search found. */
export interface IdleTimeout {
  /** The shortest wait seen to give a cold start, ms. */
  cold_after_ms: number;
  /** The longest wait seen to give a warm start, ms (0 if none). */
  warm_after_ms: number;
  probes: IdleProbe[];
}

/** Options of {@link measureIdleTimeout}. */
export interface IdleTimeoutOptions {
  /** The first wait, ms (default 50). */
  startMs?: number;
  /** Give up when no wait up to this long gives a cold start, ms (default 3 600 000). */
  maxMs?: number;
  /** Stop bisecting when cold and warm waits are this close, ms (default 50). */
  resolutionMs?: number;
  clock?: Clock;
  /** Aborts the waits and the invocations (a stop request). */
  signal?: AbortSignal;
  /** Called after each probe (the progress line). */
  onProbe?: (probe: IdleProbe) => void;
  /** Time-outs of each invocation. */
  invoke?: InvokeOptions;
}

function isCold(record: Record<string, unknown>): boolean {
  const list = Array.isArray(record.annotations) ? record.annotations : [];
  return list.some((a) => (a as { key?: unknown })?.key === "initTime");
}

/**
 * Measures the idle timeout of `action`'s containers (see the module's documentation); throws
 * naming the action where an invocation returns no record or no wait up to `maxMs` is cold.
 */
export async function measureIdleTimeout(
  api: OpenWhiskApi,
  action: string,
  {
    startMs = 50,
    maxMs = 3_600_000,
    resolutionMs = 50,
    clock = systemClock,
    signal,
    onProbe,
    invoke: invokeOptions = {},
  }: IdleTimeoutOptions = {},
): Promise<IdleTimeout> {
  const probes: IdleProbe[] = [];
  const once = async (): Promise<{ cold: boolean; activation_id: string | null }> => {
    const o = await invoke(api, action, { ...invokeOptions, clock, signal });
    if (!o.record) {
      throw new Error(`Cannot measure the idle timeout with ${action}: ${o.error ?? "no record"}`);
    }
    return { cold: isCold(o.record), activation_id: o.activation_id };
  };
  const probe = async (wait: number): Promise<boolean> => {
    await clock.sleep(wait, signal);
    const p = { wait_ms: wait, ...(await once()) };
    probes.push(p);
    onProbe?.(p);
    return p.cold;
  };
  await once(); // a container of the action, idle from now
  let warm = 0, cold = startMs;
  while (!(await probe(cold))) {
    warm = cold;
    if (cold >= maxMs) {
      throw new Error(
        `Cannot measure the idle timeout with ${action}: still warm after an idle wait of ` +
          `${cold / 1000} s; give --idle-wait in seconds`,
      );
    }
    cold = Math.min(cold * 2, maxMs);
  }
  while (cold - warm > Math.max(resolutionMs, cold / 10)) {
    const mid = (warm + cold) / 2;
    if (await probe(mid)) cold = mid;
    else warm = mid;
  }
  return { cold_after_ms: cold, warm_after_ms: warm, probes };
}
