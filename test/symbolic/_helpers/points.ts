/** Seeded randomness and valid points for the symbolic property tests. */
import { randomValidInputs } from '../../../src/symbolic/valid-points.js';

export type Rng = () => number;

/** mulberry32: small, fast, seeded. */
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

export const randomInputs = randomValidInputs;
