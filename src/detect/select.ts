/**
 * Row gathers that back-propagate on every backend. `tf.gather`'s gradient
 * needs the UnsortedSegmentSum kernel, which the wasm backend lacks; there the
 * gradient is a scatter-add done in plain arrays (the indices are fixed,
 * detached data), which is exact and cheap for the sizes detectors use.
 */
import { tf, type Tensor, type Tensor2D } from './tf.js';

function hasSegmentSum(): boolean {
  return tf.getKernel('UnsortedSegmentSum', tf.getBackend()) !== undefined;
}

/**
 * Σ_t w[r,t]·x[idx[r,t]] for `taps` indices per output row ([rows, K]): a
 * fixed sparse linear map of the rows of x ([N, K]).
 */
export function weightedRows(x: Tensor2D, idx: Int32Array, w: Float32Array | undefined, taps: number): Tensor2D {
  const rows = idx.length / taps, [n, k] = x.shape;
  const forward = (xt: Tensor2D): Tensor2D => {
    const g = tf.gather(xt, tf.tensor1d(idx, 'int32'));
    const weighted = w ? tf.mul(g, tf.tensor2d(w, [idx.length, 1])) : g;
    return taps === 1 ? (weighted as Tensor2D) : (tf.sum(tf.reshape(weighted, [rows, taps, k]), 1) as Tensor2D);
  };
  if (hasSegmentSum()) return forward(x);
  const f = tf.customGrad((...args: unknown[]) => ({
    value: forward(args[0] as Tensor2D),
    gradFunc: (dy: Tensor): Tensor => {
      const d = dy.dataSync() as Float32Array;
      const gx = new Float32Array(n * k);
      for (let r = 0; r < rows; r++)
        for (let t = 0; t < taps; t++) {
          const src = idx[r * taps + t]!, wt = w ? w[r * taps + t]! : 1;
          if (wt === 0) continue;
          for (let c = 0; c < k; c++) gx[src * k + c] += wt * d[r * k + c]!;
        }
      return tf.tensor2d(gx, [n, k]);
    },
  }));
  return f(x as Tensor) as Tensor2D;
}

/** Rows `idx` of `x` ([N, K] → [idx.length, K]). */
export function selectRows(x: Tensor2D, idx: Int32Array): Tensor2D {
  return weightedRows(x, idx, undefined, 1);
}
