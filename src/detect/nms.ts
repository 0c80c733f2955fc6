import { boxIou } from './boxes.js';

/**
 * Greedy non-maximum suppression: indices of the kept boxes, best score
 * first. Ties keep the lower index, so the result is deterministic.
 *
 * @example nms(Float32Array.of(0,0,10,10, 1,1,10,10), Float32Array.of(0.9,0.8), 0.5) // [0]
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number, maxOut = Infinity): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const keep: number[] = [];
  const removed = new Uint8Array(scores.length);
  for (const i of order) {
    if (removed[i]) continue;
    keep.push(i);
    if (keep.length >= maxOut) break;
    for (const j of order) if (!removed[j] && j !== i && boxIou(boxes, i, boxes, j) > iouThreshold) removed[j] = 1;
  }
  return keep;
}

/** NMS done separately per class (the usual "batched" NMS): returns kept indices. */
export function batchedNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, labels: ArrayLike<number>, iouThreshold: number, maxOut: number): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i]!;
    if (!byClass.has(l)) byClass.set(l, []);
    byClass.get(l)!.push(i);
  }
  const kept: number[] = [];
  for (const idx of byClass.values()) {
    const b = new Float32Array(idx.length * 4), s = new Float32Array(idx.length);
    idx.forEach((g, k) => {
      for (let c = 0; c < 4; c++) b[4 * k + c] = boxes[4 * g + c]!;
      s[k] = scores[g]!;
    });
    for (const k of nms(b, s, iouThreshold)) kept.push(idx[k]!);
  }
  return kept.sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, maxOut);
}
