/**
 * RoIAlign (He et al. 2017, "aligned" variant) built from differentiable
 * ops: each output bin is a bilinear sample at the bin centre, i.e. a fixed
 * weighted sum of four feature cells. The weights and cell indices depend
 * only on the (detached) RoI coordinates, so they are computed here in plain
 * arrays and the sum and its gradient (a scatter-add) run as plain loops; the
 * gradient flows into the feature map and so into the backbone. tfjs's cropAndResize has no
 * gradient for its image input, which is why it is not used.
 */
import { tf, type Tensor, type Tensor2D, type Tensor4D } from './tf.js';

/** Bilinear taps (4 per sample) for `rois` (flat R×4, input pixels) on an H×W map of the given stride. */
export function roiAlignTaps(rois: Float32Array, h: number, w: number, stride: number, out: number): { idx: Int32Array; weights: Float32Array } {
  const r = rois.length / 4, samples = r * out * out;
  const idx = new Int32Array(4 * samples), weights = new Float32Array(4 * samples);
  let s = 0;
  for (let k = 0; k < r; k++) {
    // Aligned: pixel centres sit at half-integers of the feature grid.
    const x1 = rois[4 * k]! / stride - 0.5, y1 = rois[4 * k + 1]! / stride - 0.5;
    const bw = Math.max(rois[4 * k + 2]! / stride - 0.5 - x1, 1e-3) / out, bh = Math.max(rois[4 * k + 3]! / stride - 0.5 - y1, 1e-3) / out;
    for (let i = 0; i < out; i++)
      for (let j = 0; j < out; j++, s++) {
        let y = y1 + (i + 0.5) * bh, x = x1 + (j + 0.5) * bw;
        if (y < -1 || y > h || x < -1 || x > w) continue; // outside the map: zero, as the reference does
        y = Math.min(Math.max(y, 0), h - 1);
        x = Math.min(Math.max(x, 0), w - 1);
        const y0 = Math.floor(y), x0 = Math.floor(x), yy = Math.min(y0 + 1, h - 1), xx = Math.min(x0 + 1, w - 1);
        const ly = y - y0, lx = x - x0;
        const taps: [number, number][] = [
          [y0 * w + x0, (1 - ly) * (1 - lx)],
          [y0 * w + xx, (1 - ly) * lx],
          [yy * w + x0, ly * (1 - lx)],
          [yy * w + xx, ly * lx],
        ];
        taps.forEach(([c, wt], t) => {
          idx[4 * s + t] = c;
          weights[4 * s + t] = wt;
        });
      }
  }
  return { idx, weights };
}

/**
 * RoI features [R, out·out·C] from one image's feature map [1,H,W,C].
 *
 * @example roiAlign(feat, Float32Array.of(0, 0, 32, 32), 8, 7) // [1, 7·7·C]
 */
export function roiAlign(feat: Tensor4D, rois: Float32Array, stride: number, out: number): Tensor2D {
  return roiAlignBatch(feat, [rois], stride, out);
}

/**
 * RoI features [ΣR_i, out·out·C] of every image of a batch: `rois[i]` (flat
 * R_i×4) on image i of `feat` [B,H,W,C], rows in image order.
 *
 * The bilinear sum runs as one plain loop over the feature map's values and
 * its gradient as one scatter-add, both exact and linear in the map: one
 * op for the batch where gathers, products and sums per image were a dozen
 * tensor kernels each, and the gather's gradient has no wasm kernel.
 *
 * @example roiAlignBatch(feats, [roisOfImage0, roisOfImage1], 8, 5) // [R0 + R1, 25·C]
 */
export function roiAlignBatch(feat: Tensor4D, rois: readonly Float32Array[], stride: number, out: number): Tensor2D {
  const [b, h, w, c] = feat.shape;
  if (rois.length !== b) throw new Error(`roiAlignBatch: ${rois.length} RoI lists for a batch of ${b}`);
  const taps = rois.map((r, i) => {
    const t = roiAlignTaps(r, h, w, stride, out);
    for (let k = 0; k < t.idx.length; k++) t.idx[k] += i * h * w; // rows of the whole batch's [B·H·W, C]
    return t;
  });
  const rows = taps.reduce((a, t) => a + t.idx.length / 4, 0);
  const nr = rows / (out * out);
  const f = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as Tensor4D;
    const xv = x.dataSync() as Float32Array;
    const y = new Float32Array(rows * c);
    let r = 0;
    for (const { idx, weights } of taps)
      for (let s = 0; s < idx.length / 4; s++, r++)
        for (let t = 0; t < 4; t++) {
          const wt = weights[4 * s + t]!;
          if (wt === 0) continue;
          const src = idx[4 * s + t]! * c, dst = r * c;
          for (let k = 0; k < c; k++) y[dst + k] += wt * xv[src + k]!;
        }
    return {
      value: tf.tensor2d(y, [nr, out * out * c]),
      gradFunc: (dy: Tensor) => {
        const d = dy.dataSync() as Float32Array;
        const gx = new Float32Array(b * h * w * c);
        let r2 = 0;
        for (const { idx, weights } of taps)
          for (let s = 0; s < idx.length / 4; s++, r2++)
            for (let t = 0; t < 4; t++) {
              const wt = weights[4 * s + t]!;
              if (wt === 0) continue;
              const dst = idx[4 * s + t]! * c, src = r2 * c;
              for (let k = 0; k < c; k++) gx[dst + k] += wt * d[src + k]!;
            }
        return tf.tensor4d(gx, [b, h, w, c]);
      },
    };
  });
  return f(feat as Tensor) as Tensor2D;
}
