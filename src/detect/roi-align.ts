/**
 * RoIAlign (He et al. 2017, "aligned" variant, as mmcv's RoIAlign with
 * aligned=True) built from differentiable ops: each output bin averages
 * `samplingRatio`² bilinear samples spread evenly over the bin, i.e. a fixed
 * weighted sum of feature cells. The weights and cell indices depend only on
 * the (detached) RoI coordinates, so they are computed here in plain arrays
 * and the sum runs as a sparse row map (select.ts); the gradient flows into
 * the feature map and so into the backbone. tfjs's cropAndResize has no
 * gradient for its image input, which is why it is not used.
 */
import { backendMemory, heapKernel } from '../train/host-kernel.js';
import { ROI_CHANNEL_BLOCK, roiAlignKernels, tapTable } from './roi-align-simd.js';
import { selectRows } from './select.js';
import { tf, type Tensor, type Tensor2D, type Tensor4D } from './tf.js';

/**
 * Bilinear taps (4·sr² per output bin) for `rois` (flat R×4, input pixels)
 * on an H×W map of the given stride; `offset` is added to every cell index
 * (the image's first row when several images share one row matrix).
 */
function roiAlignTaps(rois: Float32Array, h: number, w: number, stride: number, out: number, samplingRatio = 1, offset = 0): { idx: Int32Array; weights: Float32Array } {
  const r = rois.length / 4, sr = samplingRatio, per = 4 * sr * sr;
  const idx = new Int32Array(per * r * out * out).fill(offset), weights = new Float32Array(per * r * out * out);
  let bin = 0;
  for (let k = 0; k < r; k++) {
    // Aligned: pixel centres sit at half-integers of the feature grid.
    const x1 = rois[4 * k]! / stride - 0.5, y1 = rois[4 * k + 1]! / stride - 0.5;
    const bw = Math.max(rois[4 * k + 2]! / stride - 0.5 - x1, 1e-3) / out, bh = Math.max(rois[4 * k + 3]! / stride - 0.5 - y1, 1e-3) / out;
    for (let i = 0; i < out; i++)
      for (let j = 0; j < out; j++, bin++) {
        let t = per * bin;
        for (let iy = 0; iy < sr; iy++)
          for (let ix = 0; ix < sr; ix++, t += 4) {
            let y = y1 + i * bh + ((iy + 0.5) * bh) / sr, x = x1 + j * bw + ((ix + 0.5) * bw) / sr;
            if (y < -1 || y > h || x < -1 || x > w) continue; // outside the map: zero, as the reference does
            y = Math.min(Math.max(y, 0), h - 1);
            x = Math.min(Math.max(x, 0), w - 1);
            const y0 = Math.floor(y), x0 = Math.floor(x), yy = Math.min(y0 + 1, h - 1), xx = Math.min(x0 + 1, w - 1);
            const ly = y - y0, lx = x - x0, a = 1 / (sr * sr);
            idx[t] = offset + y0 * w + x0;
            idx[t + 1] = offset + y0 * w + xx;
            idx[t + 2] = offset + yy * w + x0;
            idx[t + 3] = offset + yy * w + xx;
            weights[t] = a * (1 - ly) * (1 - lx);
            weights[t + 1] = a * (1 - ly) * lx;
            weights[t + 2] = a * ly * (1 - lx);
            weights[t + 3] = a * ly * lx;
          }
      }
  }
  return { idx, weights };
}

/**
 * RoI features [R, out·out·C] from one image's feature map [1,H,W,C].
 *
 * @example roiAlign(feat, Float32Array.of(0, 0, 32, 32), 8, 7, 2) // [1, 7·7·C]
 */
export function roiAlign(feat: Tensor4D, rois: Float32Array, stride: number, out: number, samplingRatio = 1): Tensor2D {
  return roiAlignBatch(feat, [rois], stride, out, samplingRatio);
}

/**
 * RoI features [ΣR_i, out·out·C] of every image of a batch: `rois[i]` (flat
 * R_i×4) on image i of `feat` [B,H,W,C], rows in image order.
 *
 * The bilinear sum runs as one plain loop over the feature map's values and
 * its gradient as one scatter-add, both exact and linear in the map: one
 * op for the batch where gathers, products and sums per image were a dozen
 * tensor kernels each, and the gather's gradient has no wasm kernel. On
 * wasm, with channels a multiple of 16, both run as SIMD kernels in the
 * backend's heap (roi-align-simd.ts); elsewhere as JavaScript loops.
 *
 * @example roiAlignBatch(feats, [roisOfImage0, roisOfImage1], 8, 7, 2) // [R0 + R1, 49·C]
 */
export function roiAlignBatch(feat: Tensor4D, rois: readonly Float32Array[], stride: number, out: number, samplingRatio = 1): Tensor2D {
  const [b, h, w, c] = feat.shape;
  if (rois.length !== b) throw new Error(`roiAlignBatch: ${rois.length} RoI lists for a batch of ${b}`);
  const per = 4 * samplingRatio * samplingRatio;
  // Cell indices into the whole batch's [B·H·W, C] rows.
  const taps = rois.map((r, i) => roiAlignTaps(r, h, w, stride, out, samplingRatio, i * h * w));
  const rows = taps.reduce((a, t) => a + t.idx.length / per, 0);
  const nr = rows / (out * out);
  const memory = c % ROI_CHANNEL_BLOCK === 0 && rows > 0 ? backendMemory(tf) : undefined;
  const kernels = memory && roiAlignKernels(memory);
  const table = kernels ? tapTable(taps, per, c) : undefined;
  if (kernels && table && table.cell.length > 0) {
    const arrays = [table.start, table.cell, table.weight];
    const g = tf.customGrad((...args: unknown[]) => ({
      value: heapKernel(tf, [args[0] as Tensor], [[nr, out * out * c]], ([xp, sp, cp, wp], [yp]) => kernels.forward(xp!, yp!, sp!, cp!, wp!, rows, c * 4), arrays)![0]!,
      gradFunc: (dy: Tensor) => heapKernel(tf, [dy], [[b, h, w, c]], ([dp, sp, cp, wp], [gp]) => kernels.backward(dp!, gp!, sp!, cp!, wp!, rows, c * 4), arrays)![0]!,
    }));
    return g(feat as Tensor) as Tensor2D;
  }
  const f = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as Tensor4D;
    const xv = x.dataSync() as Float32Array;
    const y = new Float32Array(rows * c);
    let r = 0;
    for (const { idx, weights } of taps)
      for (let s = 0; s < idx.length / per; s++, r++)
        for (let t = 0; t < per; t++) {
          const wt = weights[per * s + t]!;
          if (wt === 0) continue;
          const src = idx[per * s + t]! * c, dst = r * c;
          for (let k = 0; k < c; k++) y[dst + k] += wt * xv[src + k]!;
        }
    return {
      value: tf.tensor2d(y, [nr, out * out * c]),
      gradFunc: (dy: Tensor) => {
        const d = dy.dataSync() as Float32Array;
        const gx = new Float32Array(b * h * w * c);
        let r2 = 0;
        for (const { idx, weights } of taps)
          for (let s = 0; s < idx.length / per; s++, r2++)
            for (let t = 0; t < per; t++) {
              const wt = weights[per * s + t]!;
              if (wt === 0) continue;
              const dst = idx[per * s + t]! * c, src = r2 * c;
              for (let k = 0; k < c; k++) gx[dst + k] += wt * d[src + k]!;
            }
        return tf.tensor4d(gx, [b, h, w, c]);
      },
    };
  });
  return f(feat as Tensor) as Tensor2D;
}

/**
 * The same RoI features as `roiAlign`, computed as two matrix products
 * (the path the detectors take).
 */
export function roiAlignSeparable(feat: Tensor4D, rois: Float32Array, stride: number, out: number, samplingRatio = 1): Tensor2D {
  return separableRoiAlign(feat, rois, stride, out, samplingRatio);
}

/**
 * mmdetection's level of each RoI: ⌊log2(√(wh) / finestScale + 1e-6)⌋,
 * clamped to the levels there are (RoIs of side < 2·finestScale go to the
 * finest level).
 *
 * @example roiLevels(Float32Array.of(0, 0, 100, 100, 0, 0, 300, 300), 4, 56) // [0, 2]
 */
export function roiLevels(rois: Float32Array, numLevels: number, finestScale: number): Int32Array {
  const n = rois.length / 4, out = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const s = Math.sqrt(Math.max(rois[4 * k + 2]! - rois[4 * k]!, 0) * Math.max(rois[4 * k + 3]! - rois[4 * k + 1]!, 0));
    out[k] = Math.min(numLevels - 1, Math.max(0, Math.floor(Math.log2(s / finestScale + 1e-6))));
  }
  return out;
}

/**
 * The 1-D interpolation weights [R, out, n] of RoIAlign along one axis: bin
 * i of RoI k averages `sr` bilinear samples at lo + (i + (s + 0.5)/sr)·bin;
 * a sample outside [−1, n] contributes 0 and one inside is clamped to the
 * map, as mmcv does. Bilinear sampling is a product of an x and a y weight,
 * so the 2-D pooling is the product of two such matrices.
 */
function axisWeights(rois: Float32Array, axis: 0 | 1, n: number, stride: number, out: number, sr: number): Float32Array {
  const r = rois.length / 4, wts = new Float32Array(r * out * n);
  for (let k = 0; k < r; k++) {
    const lo = rois[4 * k + axis]! / stride - 0.5;
    const bin = Math.max(rois[4 * k + 2 + axis]! / stride - 0.5 - lo, 1e-3) / out;
    for (let i = 0; i < out; i++)
      for (let s = 0; s < sr; s++) {
        let v = lo + i * bin + ((s + 0.5) * bin) / sr;
        if (v < -1 || v > n) continue;
        v = Math.min(Math.max(v, 0), n - 1);
        const v0 = Math.floor(v), v1 = Math.min(v0 + 1, n - 1), f = v - v0, base = (k * out + i) * n;
        wts[base + v0] += (1 - f) / sr;
        wts[base + v1] += f / sr;
      }
  }
  return wts;
}

/**
 * RoIAlign of one image's map [1,H,W,C] as two matrix products: along x
 * ([R·out, W] × [W, H·C]), then along y per RoI ([out, H] × [H, out·C]).
 * Products and transposes back-propagate natively on every backend.
 */
function separableRoiAlign(feat: Tensor4D, rois: Float32Array, stride: number, out: number, sr: number): Tensor2D {
  const [, h, w, c] = feat.shape;
  const r = rois.length / 4;
  const wx = tf.tensor2d(axisWeights(rois, 0, w, stride, out, sr), [r * out, w]);
  const wy = tf.tensor3d(axisWeights(rois, 1, h, stride, out, sr), [r, out, h]);
  const byX = tf.reshape(tf.transpose(tf.reshape(feat, [h, w, c]), [1, 0, 2]), [w, h * c]);
  const t = tf.reshape(tf.matMul(wx, byX), [r, out, h, c]); // [R, j, H, C]
  const tH = tf.reshape(tf.transpose(t, [0, 2, 1, 3]), [r, h, out * c]); // [R, H, j·C]
  return tf.reshape(tf.matMul(wy, tH), [r, out * out * c]) as Tensor2D; // [R, i, j, C]
}

/**
 * RoI features [ΣR, out·out·C] from a pyramid: each RoI is pooled from the
 * level its scale maps to (`roiLevels`); rows come back in the order of
 * `rois` (image by image).
 */
export function multiLevelRoiAlign(
  feats: readonly Tensor4D[],
  strides: readonly number[],
  rois: readonly Float32Array[],
  out: number,
  samplingRatio: number,
  finestScale: number,
): Tensor2D {
  const c = feats[0]!.shape[3];
  const parts: Tensor2D[] = [];
  const order: number[] = [];
  const levelsPerImage = rois.map((r) => roiLevels(r, feats.length, finestScale));
  const starts: number[] = [];
  rois.reduce((a, r) => (starts.push(a), a + r.length / 4), 0);
  feats.forEach((f, l) => {
    const sel = rois.map((r, i) => {
      const lv = levelsPerImage[i]!;
      const mine: number[] = [];
      for (let k = 0; k < lv.length; k++) if (lv[k] === l) mine.push(k);
      for (const k of mine) order.push(starts[i]! + k);
      const boxes = new Float32Array(4 * mine.length);
      mine.forEach((k, j) => boxes.set(r.subarray(4 * k, 4 * k + 4), 4 * j));
      return boxes;
    });
    if (sel.some((x) => x.length)) parts.push(roiAlignBatch(f, sel, strides[l]!, out, samplingRatio));
  });
  const total = rois.reduce((a, r) => a + r.length / 4, 0);
  if (!parts.length) return tf.zeros([0, out * out * c]) as Tensor2D;
  const stacked = parts.length === 1 ? parts[0]! : (tf.concat(parts, 0) as Tensor2D);
  // order[j] is the RoI of stacked row j; gather rows back into RoI order.
  const inverse = new Int32Array(total);
  order.forEach((roi, j) => (inverse[roi] = j));
  return selectRows(stacked, inverse);
}
