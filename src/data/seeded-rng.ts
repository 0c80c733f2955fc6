/**
 * Seeded pseudo-random numbers for data generation and shuffling. Every
 * stream is derived from integers (seed, split, index...) by hashing, so an
 * image or a batch can be produced on its own, in any order, and still be
 * the same bytes.
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
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
