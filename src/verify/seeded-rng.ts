/**
 * A small seeded generator (mulberry32) for the simulation's starting points:
 * the same seed gives the same run, and nothing here reads Math.random.
 */
export type Rng = () => number;

/**
 * Uniform numbers in [0, 1) from a 32-bit seed.
 *
 * @example
 * const r = seededRng(7); r() === seededRng(7)() // true
 */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
