/**
 * The stand-in's container pool, as OpenWhisk's invoker keeps one: an activation runs in an
 * idle container of its action (a warm start) or in a new one (a cold start); a container runs
 * one activation at a time; a container idle for longer than the idle timeout is removed.
 * Expiry is computed from the clock at each look-up, so a test with a manual clock sees it
 * exactly.
 */

/** One container of one action. */
export interface Container {
  id: number;
  action: string;
  busy: boolean;
  /** When it last became idle (epoch ms). */
  idleSince: number;
}

/** Containers by action, with an idle timeout. */
export class ContainerPool {
  readonly #idleTimeoutMs: number;
  #containers: Container[] = [];
  #next = 1;
  /** Containers created so far (cold starts). */
  created = 0;
  /** Containers removed by the idle timeout. */
  removed = 0;

  constructor(idleTimeoutMs: number) {
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** Removes containers idle for at least the idle timeout at time `now`. */
  sweep(now: number): void {
    const keep = this.#containers.filter((c) => c.busy || now - c.idleSince < this.#idleTimeoutMs);
    this.removed += this.#containers.length - keep.length;
    this.#containers = keep;
  }

  /** A container for one activation of `action`: an idle one if any (warm), else a new one. */
  acquire(action: string, now: number): { container: Container; cold: boolean } {
    this.sweep(now);
    const idle = this.#containers.find((c) => c.action === action && !c.busy);
    if (idle) {
      idle.busy = true;
      return { container: idle, cold: false };
    }
    const container = { id: this.#next++, action, busy: true, idleSince: now };
    this.#containers.push(container);
    this.created++;
    return { container, cold: true };
  }

  /** Marks a container idle again at time `now`. */
  release(container: Container, now: number): void {
    container.busy = false;
    container.idleSince = now;
  }

  /** Removes every container of `action` (its action was deleted or updated). */
  drop(action: string): void {
    this.#containers = this.#containers.filter((c) => c.action !== action || c.busy);
  }

  /** Containers alive at time `now`, per action. */
  alive(now: number): Record<string, number> {
    this.sweep(now);
    const out: Record<string, number> = {};
    for (const c of this.#containers) out[c.action] = (out[c.action] ?? 0) + 1;
    return out;
  }
}
