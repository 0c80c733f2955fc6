/**
 * Row selection that back-propagates on every backend. `tf.gather`'s gradient
 * needs UnsortedSegmentSum, which the wasm backend lacks; there the rows are
 * picked by multiplying with a one-hot matrix (exact: each output is one
 * product by 1 plus zeros).
 */
import { tf, type Tensor2D } from './tf.js';

function hasSegmentSum(): boolean {
  return tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
}

/** Rows `idx` of `x` ([N, K] → [idx.length, K]). */
export function selectRows(x: Tensor2D, idx: Int32Array): Tensor2D {
  if (hasSegmentSum()) return tf.gather(x, tf.tensor1d(idx, 'int32')) as Tensor2D;
  const n = x.shape[0];
  const m = new Float32Array(idx.length * n);
  idx.forEach((r, k) => (m[k * n + r] = 1));
  return tf.matMul(tf.tensor2d(m, [idx.length, n]), x);
}

/**
 * Σ_j w[k,j]·x[idx[k,j]] for `taps` indices per output row: a sparse linear
 * map, used by RoIAlign's bilinear sampling. Dense where gather cannot train.
 */
export function weightedRows(x: Tensor2D, idx: Int32Array, w: Float32Array, taps: number): Tensor2D {
  const rows = idx.length / taps, n = x.shape[0];
  if (hasSegmentSum()) {
    const g = tf.gather(x, tf.tensor1d(idx, 'int32'));
    const weighted = tf.mul(g, tf.tensor2d(w, [idx.length, 1]));
    return tf.sum(tf.reshape(weighted, [rows, taps, x.shape[1]]), 1) as Tensor2D;
  }
  const m = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) for (let t = 0; t < taps; t++) m[r * n + idx[r * taps + t]!] += w[r * taps + t]!;
  return tf.matMul(tf.tensor2d(m, [rows, n]), x);
}
