/**
 * Mask R-CNN's mask targets and mask pasting, as mmdetection computes them,
 * in plain arrays (the network wraps them in tensors).
 *
 * Training: each positive RoI's target is its matched ground-truth mask
 * cropped to the RoI and resized to S×S by RoIAlign (aligned, i.e. pixel
 * centres at integer + 0.5 in box coordinates; sampling ratio 0, i.e.
 * ceil(RoI size / S) samples per bin and axis; average pooling), then
 * thresholded at 0.5: mmdetection's `mask_target` over `BitmapMasks`.
 *
 * Inference: a predicted S×S probability map is pasted into its box on the
 * image by bilinear sampling at pixel centres (grid_sample with
 * align_corners=False and zero padding, mmdetection's `_do_paste_mask`) and
 * thresholded (≥ 0.5 by default, `mask_thr_binary`).
 */
import { compressRle, encodeMask, type CompressedRle } from '../data/mask.js';

/** Side of Mask R-CNN's mask head output (mmdetection's `mask_size`). */
const MASK_SIZE = 28;

/** Bilinear value of an H×W map at (y, x) in pixel-index coordinates, as mmcv's RoIAlign samples it. */
function roiAlignSample(m: Uint8Array, base: number, H: number, W: number, y: number, x: number): number {
  if (y < -1 || y > H || x < -1 || x > W) return 0;
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  let y0 = Math.floor(y);
  let x0 = Math.floor(x);
  let y1: number;
  let x1: number;
  if (y0 >= H - 1) {
    y0 = y1 = H - 1;
    y = y0;
  } else y1 = y0 + 1;
  if (x0 >= W - 1) {
    x0 = x1 = W - 1;
    x = x0;
  } else x1 = x0 + 1;
  const ly = y - y0;
  const lx = x - x0;
  const hy = 1 - ly;
  const hx = 1 - lx;
  return hy * hx * m[base + y0 * W + x0]! + hy * lx * m[base + y0 * W + x1]! + ly * hx * m[base + y1 * W + x0]! + ly * lx * m[base + y1 * W + x1]!;
}

/**
 * Binary S×S targets of positive RoIs from full-image instance masks.
 *
 * @param rois n×4 boxes x1, y1, x2, y2 in the masks' pixel coordinates
 * @param gtIndex n: which of the k masks each RoI was matched to
 * @param gtMasks k×H×W binary masks, row-major (a loader target's `masks`)
 * @returns n×S×S values 0 or 1, row-major
 *
 * @example
 * const t = maskTargets(posBoxes, matchedGt, target.masks!, 128, 128); // n×28×28
 */
export function maskTargets(rois: ArrayLike<number>, gtIndex: ArrayLike<number>, gtMasks: Uint8Array, H: number, W: number, size: number | readonly [number, number] = MASK_SIZE): Float32Array {
  const [S, T] = typeof size === 'number' ? [size, size] : size;
  const n = gtIndex.length;
  const k = gtMasks.length / (H * W);
  const out = new Float32Array(n * S * T);
  for (let r = 0; r < n; r++) {
    const g = gtIndex[r]!;
    if (!(g >= 0 && g < k)) throw new RangeError(`RoI ${r} is matched to mask ${g}, but there are ${k}`);
    const base = g * H * W;
    // aligned=True: box coordinates shift by half a pixel onto pixel centres.
    const xs = rois[4 * r]! - 0.5;
    const ys = rois[4 * r + 1]! - 0.5;
    const rw = rois[4 * r + 2]! - 0.5 - xs;
    const rh = rois[4 * r + 3]! - 0.5 - ys;
    const bw = rw / T;
    const bh = rh / S;
    const gw = Math.ceil(rw / T);
    const gh = Math.ceil(rh / S);
    const count = Math.max(gw * gh, 1);
    for (let ph = 0; ph < S; ph++) {
      for (let pw = 0; pw < T; pw++) {
        let sum = 0;
        for (let iy = 0; iy < gh; iy++) {
          const y = ys + ph * bh + ((iy + 0.5) * bh) / gh;
          for (let ix = 0; ix < gw; ix++) sum += roiAlignSample(gtMasks, base, H, W, y, xs + pw * bw + ((ix + 0.5) * bw) / gw);
        }
        out[(r * S + ph) * T + pw] = sum / count >= 0.5 ? 1 : 0;
      }
    }
  }
  return out;
}

/** Value of an S×T map at (y, x) in its pixel-index coordinates, bilinear, zero outside (grid_sample, zeros padding). */
function gridSample(m: ArrayLike<number>, S: number, T: number, y: number, x: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const ly = y - y0;
  const lx = x - x0;
  const at = (yy: number, xx: number) => (yy < 0 || xx < 0 || yy >= S || xx >= T ? 0 : m[yy * T + xx]!);
  return (1 - ly) * ((1 - lx) * at(y0, x0) + lx * at(y0, x0 + 1)) + ly * ((1 - lx) * at(y0 + 1, x0) + lx * at(y0 + 1, x0 + 1));
}

/**
 * Pastes an S×T mask probability map into its box on an h×w image and
 * thresholds it: the binary h×w mask (row-major) of the detection.
 *
 * @param prob S×T values in [0, 1], row-major (the mask head's sigmoid for the detection's class)
 * @param box x1, y1, x2, y2 in the image's pixels
 *
 * @example
 * pasteMask(new Float32Array(28 * 28).fill(1), 28, 28, [10, 20, 38, 48], 64, 64); // 1 on pixels 10..37 × 20..47
 */
export function pasteMask(prob: ArrayLike<number>, S: number, T: number, box: readonly number[], h: number, w: number, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(h * w);
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  if (!(x2 > x1 && y2 > y1)) return out;
  // Beyond half a pixel outside the box no pixel reaches 0.5 (mmdetection skips those too).
  const px0 = Math.max(0, Math.floor(x1) - 1);
  const px1 = Math.min(w, Math.ceil(x2) + 1);
  const py0 = Math.max(0, Math.floor(y1) - 1);
  const py1 = Math.min(h, Math.ceil(y2) + 1);
  for (let py = py0; py < py1; py++) {
    const y = ((py + 0.5 - y1) / (y2 - y1)) * S - 0.5;
    for (let px = px0; px < px1; px++) {
      const x = ((px + 0.5 - x1) / (x2 - x1)) * T - 0.5;
      if (gridSample(prob, S, T, y, x) >= threshold) out[py * w + px] = 1;
    }
  }
  return out;
}

/**
 * A detection's mask for a COCO results file: the pasted, thresholded mask as
 * a compressed RLE of the h×w image.
 */
export function pasteMaskRle(prob: ArrayLike<number>, S: number, T: number, box: readonly number[], h: number, w: number, threshold = 0.5): CompressedRle {
  return compressRle(encodeMask(pasteMask(prob, S, T, box, h, w, threshold), h, w));
}
