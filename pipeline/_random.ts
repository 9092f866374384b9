/**
 * Seeded random numbers for the bootstrap: a small generator of our own, so that a comparison
 * gives the same confidence intervals on every machine and every run for a given seed
 * (`Math.random` cannot be seeded), and the two draws the bootstrap needs, binomial and normal.
 *
 * The generator is SFC32 (Doty-Humphrey's "small fast chaotic" design, 128 bits of state),
 * seeded through SplitMix32 so that neighbouring seeds give unrelated streams. The binomial
 * sampler is exact: inversion for small means, Hörmann's BTRS (transformed rejection with
 * squeeze, 1993) otherwise, so its cost does not grow with n.
 */

/** A stream of uniform numbers in [0, 1). */
export type Random = () => number;

/** Mixes a 32-bit integer (SplitMix32's finalizer). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A seeded uniform generator; `seed` is a non-negative integer (up to 2^53), or a list of them
 * (a stream per cell: the seed of the run and a hash of the cell's key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seededRandom } from "./_random.ts";
 * const a = seededRandom(7), b = seededRandom(7);
 * assert.equal(a(), b());
 * ```
 */
export function seededRandom(seed: number | number[]): Random {
  let s = 0x2545f491;
  for (const part of Array.isArray(seed) ? seed : [seed]) {
    if (!Number.isSafeInteger(part) || part < 0) {
      throw new RangeError(`seed ${part}: expected a non-negative integer`);
    }
    s = mix32((s ^ (part % 4294967296)) + 0x9e3779b9);
    s = mix32((s ^ Math.floor(part / 4294967296)) + 0x9e3779b9);
  }
  const next = () => (s = (s + 0x9e3779b9) | 0, mix32(s));
  let a = next(), b = next(), c = next(), d = next();
  for (let i = 0; i < 12; i++) step();
  function step(): number {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  }
  return () => step() / 4294967296;
}

/** A string's 32-bit FNV-1a hash: a cell's key as part of its seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A standard normal draw (Box-Muller). */
export function normal(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) never happens
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** ln(k!) by Stirling's series: exact to double precision from k = 256. */
function stirling(k: number): number {
  const k2 = k * k;
  return k * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI * k) +
    (1 / 12 - (1 / 360 - 1 / (1260 * k2)) / k2) / k;
}

/** ln(k!) for k < 65,536: sums of logs below 256, Stirling's series above, looked up (the
 * binomial sampler's exact test needs three a draw). */
const LOG_FACTORIAL = (() => {
  const t = new Float64Array(65_536);
  for (let k = 2; k < 256; k++) t[k] = t[k - 1] + Math.log(k);
  for (let k = 256; k < t.length; k++) t[k] = stirling(k);
  return t;
})();

/** ln(k!): from a table below 65,536, Stirling's series above. */
export function logFactorial(k: number): number {
  return k < LOG_FACTORIAL.length ? LOG_FACTORIAL[k] : stirling(k);
}

/**
 * A Binomial(n, p) draw: how many of n independent trials with probability p succeed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binomial, seededRandom } from "./_random.ts";
 * const random = seededRandom(1);
 * assert.equal(binomial(random, 10, 0), 0);
 * assert.equal(binomial(random, 10, 1), 10);
 * ```
 */
export function binomial(random: Random, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(random, n, 1 - p);
  return n * p < 10 ? binomialInversion(random, n, p) : binomialBtrs(random, n, p);
}

/** Sequential search of the CDF from 0: expected n*p + 1 steps, so for small means only. */
function binomialInversion(random: Random, n: number, p: number): number {
  const q = 1 - p, odds = p / q;
  let f = Math.pow(q, n);
  let u = random();
  let k = 0;
  while (u > f && k < n) {
    u -= f;
    k++;
    f *= odds * (n - k + 1) / k;
  }
  return k;
}

/** Hörmann's BTRS for p <= 0.5 and n*p >= 10. */
function binomialBtrs(random: Random, n: number, p: number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  // The exact test's constants cost two ln(k!) and a log: computed only when the squeeze
  // fails (about one draw in seven).
  let alpha = 0, lpq = 0, m = 0, h = NaN;
  for (;;) {
    const u = random() - 0.5;
    let v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor((2 * a / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    if (Number.isNaN(h)) {
      alpha = (2.83 + 5.1 / b) * spq;
      lpq = Math.log(p / q);
      m = Math.floor((n + 1) * p);
      h = logFactorial(m) + logFactorial(n - m);
    }
    v = Math.log(v * alpha / (a / (us * us) + b));
    if (v <= h - logFactorial(k) - logFactorial(n - k) + (k - m) * lpq) return k;
  }
}
