/**
 * RoIAlign (He et al. 2017, "aligned" variant) built from differentiable
 * ops: each output bin is a bilinear sample at the bin centre, i.e. a fixed
 * weighted sum of four feature cells. The weights and cell indices depend
 * only on the (detached) RoI coordinates, so they are computed here in plain
 * arrays and the sum runs as a sparse row map (select.ts); the gradient flows
 * into the feature map and so into the backbone. tfjs's cropAndResize has no
 * gradient for its image input, which is why it is not used.
 */
import { weightedRows } from './select.js';
import { tf, type Tensor2D, type Tensor4D } from './tf.js';

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
  const [, h, w, c] = feat.shape;
  const r = rois.length / 4;
  const { idx, weights } = roiAlignTaps(rois, h, w, stride, out);
  const rows = weightedRows(tf.reshape(feat, [h * w, c]) as Tensor2D, idx, weights, 4);
  return tf.reshape(rows, [r, out * out * c]) as Tensor2D;
}
