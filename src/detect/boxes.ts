/**
 * Plain-array box geometry (x1,y1,x2,y2) used by target assignment, NMS and
 * decoding. These run outside autograd: targets carry no gradient.
 */

/** IoU of box i of `a` with box j of `b` (flat k×4 arrays). */
export function boxIou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const ax1 = a[4 * i]!, ay1 = a[4 * i + 1]!, ax2 = a[4 * i + 2]!, ay2 = a[4 * i + 3]!;
  const bx1 = b[4 * j]!, by1 = b[4 * j + 1]!, bx2 = b[4 * j + 2]!, by2 = b[4 * j + 3]!;
  const iw = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const ih = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = iw * ih;
  const ua = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1) + Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1) - inter;
  return ua > 0 ? inter / ua : 0;
}

/** IoU matrix (na×nb, row-major) between two flat box arrays. */
export function iouMatrix(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const na = a.length / 4, nb = b.length / 4;
  const out = new Float32Array(na * nb);
  for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) out[i * nb + j] = boxIou(a, i, b, j);
  return out;
}

/** Aligned IoU of pairs (box k of `a` with box k of `b`). */
export function alignedIou(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const n = a.length / 4;
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = boxIou(a, k, b, k);
  return out;
}

/** Standard deviations that normalise box deltas (as in Faster R-CNN / ATSS). */
export type DeltaStds = readonly [number, number, number, number];

/** Encodes `gt` relative to `anchor` as (dx, dy, dw, dh) / stds. */
export function encodeDelta(anchor: ArrayLike<number>, i: number, gt: ArrayLike<number>, j: number, stds: DeltaStds, out: Float32Array, o: number): void {
  const aw = anchor[4 * i + 2]! - anchor[4 * i]!, ah = anchor[4 * i + 3]! - anchor[4 * i + 1]!;
  const ax = anchor[4 * i]! + 0.5 * aw, ay = anchor[4 * i + 1]! + 0.5 * ah;
  const gw = gt[4 * j + 2]! - gt[4 * j]!, gh = gt[4 * j + 3]! - gt[4 * j + 1]!;
  const gx = gt[4 * j]! + 0.5 * gw, gy = gt[4 * j + 1]! + 0.5 * gh;
  out[o] = (gx - ax) / aw / stds[0];
  out[o + 1] = (gy - ay) / ah / stds[1];
  out[o + 2] = Math.log(Math.max(gw, 1e-3) / aw) / stds[2];
  out[o + 3] = Math.log(Math.max(gh, 1e-3) / ah) / stds[3];
}

/** Largest |log-ratio| allowed when decoding a width/height delta (mmdet's wh_ratio_clip). */
export const MAX_LOG_RATIO = Math.abs(Math.log(16 / 1000));

/** Decodes one (dx,dy,dw,dh) delta relative to anchor i into out[o..o+3]. */
export function decodeDelta(anchor: ArrayLike<number>, i: number, d: ArrayLike<number>, k: number, stds: DeltaStds, out: Float32Array, o: number): void {
  const aw = anchor[4 * i + 2]! - anchor[4 * i]!, ah = anchor[4 * i + 3]! - anchor[4 * i + 1]!;
  const ax = anchor[4 * i]! + 0.5 * aw, ay = anchor[4 * i + 1]! + 0.5 * ah;
  const clip = (v: number): number => Math.max(-MAX_LOG_RATIO, Math.min(MAX_LOG_RATIO, v));
  const cx = ax + d[k]! * stds[0] * aw, cy = ay + d[k + 1]! * stds[1] * ah;
  const w = aw * Math.exp(clip(d[k + 2]! * stds[2])), h = ah * Math.exp(clip(d[k + 3]! * stds[3]));
  out[o] = cx - 0.5 * w;
  out[o + 1] = cy - 0.5 * h;
  out[o + 2] = cx + 0.5 * w;
  out[o + 3] = cy + 0.5 * h;
}

/** Clips flat boxes to an H×W image in place. */
export function clipBoxes(b: Float32Array, h: number, w: number): Float32Array {
  for (let k = 0; k < b.length; k += 4) {
    b[k] = Math.min(Math.max(b[k]!, 0), w);
    b[k + 1] = Math.min(Math.max(b[k + 1]!, 0), h);
    b[k + 2] = Math.min(Math.max(b[k + 2]!, 0), w);
    b[k + 3] = Math.min(Math.max(b[k + 3]!, 0), h);
  }
  return b;
}
