/**
 * The invocations' time-outs on one timer per length (collectors/deadlines.ts): each deadline
 * aborts when its time is up and not before, in the order started; one that is done never
 * aborts; an interrupt reaches every live one; the queue drops ended ones.
 */
import assert from "node:assert/strict";
import { Deadlines } from "../collectors/deadlines.ts";

/**
 * Resolves when `signal` aborts, with the time it took from `since` (performance.now()); fails
 * if it has not aborted within 5 s. (A deadline's timer does not keep the process alive, as
 * AbortSignal.timeout's does not: this guard does.)
 */
function aborted(signal: AbortSignal, since: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error("not aborted within 5 s")), 5000);
    signal.addEventListener("abort", () => {
      clearTimeout(guard);
      resolve(performance.now() - since);
    }, { once: true });
  });
}

Deno.test("Deadlines: each aborts with a TimeoutError after its time, in the order started", async () => {
  const deadlines = new Deadlines();
  const t0 = performance.now();
  const first = deadlines.start(30);
  await new Promise((r) => setTimeout(r, 10));
  const second = deadlines.start(30);
  const third = deadlines.start(60);
  const order: string[] = [];
  const waits = [
    aborted(first.signal, t0).then((ms) => (order.push("first"), ms)),
    aborted(second.signal, t0).then((ms) => (order.push("second"), ms)),
    aborted(third.signal, t0).then((ms) => (order.push("third"), ms)),
  ];
  const [a, b, c] = await Promise.all(waits);
  assert.deepEqual(order, ["first", "second", "third"]);
  assert.ok(a >= 30, `first after ${a} ms`);
  assert.ok(b >= 40, `second (started 10 ms later) after ${b} ms`);
  assert.ok(c >= 60, `third after ${c} ms`);
  for (const d of [first, second, third]) {
    assert.equal(d.signal.reason.name, "TimeoutError");
  }
});

Deno.test("Deadlines: one that is done never aborts, while the one behind it does", async () => {
  const deadlines = new Deadlines();
  const t0 = performance.now();
  const ended = deadlines.start(20);
  const live = deadlines.start(20);
  ended.done();
  ended.done(); // idempotent
  await aborted(live.signal, t0);
  assert.equal(ended.signal.aborted, false);
  assert.equal(live.signal.aborted, true);
});

Deno.test("Deadlines: an interrupt aborts the live ones with its reason, not the done ones", () => {
  const deadlines = new Deadlines();
  const stop = new AbortController();
  const live = deadlines.start(60_000, stop.signal);
  const ended = deadlines.start(60_000, stop.signal);
  ended.done();
  stop.abort(new Error("interrupted"));
  assert.equal(live.signal.aborted, true);
  assert.equal(live.signal.reason.message, "interrupted");
  assert.equal(ended.signal.aborted, false);
  // An already aborted parent: the deadline starts aborted; the ended ones before it are gone.
  const late = deadlines.start(60_000, stop.signal);
  assert.equal(late.signal.aborted, true);
  assert.equal(deadlines.queued(60_000), 1);
});

Deno.test("Deadlines: the queue keeps only the oldest live deadline and those behind it", () => {
  const deadlines = new Deadlines();
  const oldest = deadlines.start(60_000);
  const many = Array.from({ length: 5000 }, () => deadlines.start(60_000));
  for (const d of many) d.done();
  // Ended deadlines behind a live one wait for it; once it ends they all go.
  assert.equal(deadlines.queued(60_000), 5001);
  oldest.done();
  const next = deadlines.start(60_000);
  assert.equal(deadlines.queued(60_000), 1);
  next.done();
  assert.equal([oldest, ...many, next].some((d) => d.signal.aborted), false);
});

Deno.test("Deadlines: longer than a timer takes, or never, does not abort; a bad length is an error", async () => {
  const deadlines = new Deadlines();
  // Timers armed meanwhile: a delay past 2^31 - 1 ms fires at once, so a lane that asked for
  // one would re-arm every millisecond.
  const setTimeoutBefore = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    armed++;
    return setTimeoutBefore(...args);
  }) as typeof setTimeout;
  try {
    const far = deadlines.start(2 ** 40);
    const never = deadlines.start(Infinity);
    const soon = deadlines.start(30);
    await aborted(soon.signal, performance.now());
    assert.deepEqual([far.signal.aborted, never.signal.aborted], [false, false]);
    // The far lane's timer, the soon lane's, and the guard of aborted().
    assert.ok(armed <= 3, `${armed} timers armed`);
    far.done();
    never.done();
  } finally {
    globalThis.setTimeout = setTimeoutBefore;
  }
  assert.throws(() => deadlines.start(NaN), RangeError);
  assert.throws(() => deadlines.start(-1), /a time-out of -1 ms: expected 0 or more/);
});

Deno.test("Deadlines: a watcher is called when it aborts, not once done; the signal comes on demand", async () => {
  const deadlines = new Deadlines();
  const calls: string[] = [];
  const done = deadlines.start(20);
  done.watch(() => calls.push("done"));
  done.done();
  const live = deadlines.start(20);
  live.watch(() => calls.push("live"));
  const removed = deadlines.start(20);
  removed.watch(() => calls.push("removed"));
  removed.watch(null);
  assert.equal(live.aborted, false);
  await aborted(live.signal, performance.now());
  assert.deepEqual(calls, ["live"]);
  assert.deepEqual([live.aborted, (live.reason as Error).name], [true, "TimeoutError"]);
  // The signal of a deadline first asked for after it expired is aborted, with its reason.
  assert.equal(removed.signal.aborted, true);
  assert.equal(removed.signal.reason, removed.reason);
  assert.deepEqual([done.aborted, done.signal.aborted], [false, false]);
});
