/** Numeric comparison helpers for the symbolic property tests. */
export { guardsActive } from '../../../src/symbolic/guards.js';

/** |a−b| ≤ tol·(1+|b|) wherever both are finite, and non-finite at the same places otherwise. */
export function closeOnBatch(a: Float64Array, b: Float64Array, tol: number): boolean {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (Math.abs(x - y) > tol * (1 + Math.abs(y))) return false;
  }
  return true;
}
