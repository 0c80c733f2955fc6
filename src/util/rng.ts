/**
 * The project's one source of randomness: seeded mulberry32 streams. Every
 * generator, shuffle, initialiser, mutation and simulation takes one of these
 * (nothing reads Math.random), so the same seed gives the same result.
 *
 * Two forms: a plain function `Rng` for code that only draws numbers, and
 * `SeededRng` whose whole state is one integer, for runs that checkpoint and
 * resume. Streams for independent pieces of work (an image, a batch) are
 * derived from integers by `hashSeed`, so each can be produced on its own, in
 * any order, and still be the same.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Mixes integers into one 32-bit seed (murmur3-style finaliser per word). */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Split into two 32-bit words so seeds above 2^32 still change the hash.
    for (const w of [p >>> 0, Math.floor(p / 2 ** 32) >>> 0]) {
      let k = Math.imul(w, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * mulberry32: small, fast, and good enough for picking shapes and shuffling.
 *
 * @example
 * const rng = makeRng(hashSeed(0, 1, 42));
 * rng(); // the same number on every run
 */
export function makeRng(seed: number): Rng {
  const r = new SeededRng(seed);
  return () => r.next();
}

/** An integer in [lo, hi] inclusive. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** A number in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + rng() * (hi - lo);
}

/** Fisher–Yates permutation of 0..n-1. */
export function permutation(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** A seeded stream whose state can be saved and restored exactly. */
export class SeededRng {
  private s: number;

  constructor(seed: number) {
    this.s = seed >>> 0;
  }

  /** The generator's state, for checkpoints. */
  get state(): number {
    return this.s;
  }

  set state(v: number) {
    this.s = v >>> 0;
  }

  static fromState(state: number): SeededRng {
    const r = new SeededRng(0);
    r.s = state >>> 0;
    return r;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** An item drawn with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weight: (t: T) => number): T {
    const total = items.reduce((sum, t) => sum + weight(t), 0);
    let r = this.next() * total;
    for (const t of items) {
      r -= weight(t);
      if (r < 0) return t;
    }
    return items[items.length - 1]!;
  }

  /** Fisher–Yates shuffle of a copy. */
  shuffle<T>(xs: readonly T[]): T[] {
    const a = xs.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }

  /** A 31-bit seed for a sub-task (e.g. the simulation of one candidate). */
  fork(): number {
    return this.int(0x7fffffff);
  }
}
