/**
 * The mixed loads of the thesis: the concurrency ramp (concurrency.ts) where each new request
 * picks the IO action (`net`, a 300 ms sleep) or the CPU action (`prime`) at random with the
 * given weights, from a seeded generator, so that a seed gives the same sequence of choices.
 * Rows have experiment `concurrency` and workload `mixed_<io>_<cpu>` (percentages).
 */
import { MIXED_LOADS } from "../pipeline/thesis_facts.ts";
import type { Request } from "./concurrency.ts";

/** The five configurations of the thesis by name: IO % and CPU %. */
export const MIXED_CONFIGS: Record<string, [number, number]> = Object.fromEntries(
  MIXED_LOADS.map((m) => [m.workload, [m.io_pct, m.cpu_pct]]),
);

/** The IO and CPU actions of a mixed load. */
export const MIXED_ACTIONS = { io: "net", cpu: "prime" } as const;

/**
 * A seeded generator of numbers in [0, 1) (mulberry32: small, fast, and the same on every
 * platform).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seededRandom } from "./mixed.ts";
 * const a = seededRandom(7), b = seededRandom(7);
 * assert.equal(a(), b());
 * ```
 */
export function seededRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function percent(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/**
 * IO and CPU weights from a configuration name (`mixed_10_90`; the thesis's file names
 * `mixed_1_9`, `mixed_5_5`, `mixed_9_1` too) or `IO:CPU` weights, and the workload name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixedWeights } from "./mixed.ts";
 * assert.deepEqual(mixedWeights("1:3"), { io: 25, cpu: 75, workload: "mixed_25_75" });
 * assert.deepEqual(mixedWeights("mixed_9_1").workload, "mixed_90_10");
 * ```
 */
export function mixedWeights(spec: string): { io: number; cpu: number; workload: string } {
  const m = /^(?:mixed_(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?):(\d+(?:\.\d+)?))$/.exec(
    spec,
  );
  if (!m) {
    throw new RangeError(
      `Mixed load "${spec}": expected a configuration (${
        Object.keys(MIXED_CONFIGS).join(", ")
      }) or weights IO:CPU such as 25:75`,
    );
  }
  const a = Number(m[1] ?? m[3]), b = Number(m[2] ?? m[4]);
  if (a + b <= 0) throw new RangeError(`Mixed load "${spec}": the weights sum to 0`);
  const io = a / (a + b) * 100, cpu = 100 - io;
  return { io, cpu, workload: `mixed_${percent(io)}_${percent(cpu)}` };
}

/** The chooser of a mixed load's requests: IO with probability io / (io + cpu). */
export function mixedChooser(
  { io, cpu }: { io: number; cpu: number },
  seed: number,
  actions: { io: string; cpu: string } = MIXED_ACTIONS,
): () => Request {
  const random = seededRandom(seed);
  const p = io / (io + cpu);
  return () => ({ action: random() < p ? actions.io : actions.cpu });
}
