/**
 * Random valid input points per domain, for numeric checks of symbolic
 * results (equivalence witnesses, property tests): logits in [-6, 6], one-hot
 * labels, IoUs in [0.05, 1], and U, I, E computed from two random boxes
 * (0 ≤ I ≤ U ≤ E, U > 0) the way the reference computes them. Randomness is
 * injected: `rng` returns uniform numbers in [0, 1).
 */
import type { Batch } from './batch.js';
import type { Domain } from './domains.js';
import type { Inputs } from './evaluate.js';
import type { Rng } from '../util/rng.js';

export type UniformRng = Rng;


const mat = (rows: number, cols: number, f: (r: number, c: number) => number): Batch => {
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
  return { rows, cols, data };
};

/**
 * A batch of `rows` samples (and `cols` classes) of valid inputs.
 *
 * @example
 * randomValidInputs('reg', () => rng.next(), 8) // { U, I, E }, each 8×1
 */
export function randomValidInputs(domain: Domain, rng: UniformRng, rows = 3, cols = 4): Inputs {
  if (domain === 'reg') {
    const U: number[] = [];
    const I: number[] = [];
    const E: number[] = [];
    for (let r = 0; r < rows; r++) {
      const box = (): [number, number, number, number] => {
        const x = rng() * 10;
        const y = rng() * 10;
        return [x, y, x + 0.5 + rng() * 6, y + 0.5 + rng() * 6];
      };
      const p = box();
      // Half of the targets overlap the prediction, so I > 0 is common.
      const t = rng() < 0.5 ? box() : ([p[0] + rng(), p[1] + rng(), p[2] + rng(), p[3] + rng()] as const);
      const area = (b: readonly number[]) => (b[2]! - b[0]!) * (b[3]! - b[1]!);
      const iw = Math.max(0, Math.min(p[2], t[2]) - Math.max(p[0], t[0]));
      const ih = Math.max(0, Math.min(p[3], t[3]) - Math.max(p[1], t[1]));
      const i = iw * ih;
      const u = area(p) + area(t) - i;
      const e = (Math.max(p[2], t[2]) - Math.min(p[0], t[0])) * (Math.max(p[3], t[3]) - Math.min(p[1], t[1]));
      U.push(u);
      I.push(i);
      E.push(e);
    }
    const col = (v: number[]) => mat(rows, 1, (r) => v[r]!);
    return { U: col(U), I: col(I), E: col(E) };
  }
  const X = mat(rows, cols, () => rng() * 12 - 6);
  const label = Array.from({ length: rows }, () => Math.floor(rng() * cols));
  const iou = Array.from({ length: rows }, () => 0.05 + 0.95 * rng());
  const Y = mat(rows, cols, (r, c) => (c === label[r] ? 1 : 0));
  if (domain === 'multi') return { X, Y, Z: mat(rows, cols, (r) => iou[r]!) };
  const NY = mat(rows, cols, (r, c) => 1 - Y.data[r * cols + c]!);
  const Q = mat(rows, cols, (r, c) => Y.data[r * cols + c]! * iou[r]!);
  return { X, Q, PY: Y, NY };
}
