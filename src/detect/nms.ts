/**
 * Greedy non-maximum suppression: indices of the kept boxes, best score
 * first. Ties keep the lower index, so the result is deterministic.
 *
 * @example nms(Float32Array.of(0,0,10,10, 1,1,10,10), Float32Array.of(0.9,0.8), 0.5) // [0]
 */
export function nms(boxes: ArrayLike<number>, scores: ArrayLike<number>, iouThreshold: number, maxOut = Infinity): number[] {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  // Boxes in rank order, with their areas: a box ranked above the current one is kept or removed already, so only those
  // after it are compared (a kept box's IoU with a later kept one is at most the threshold, by construction).
  const x1 = new Float64Array(n), y1 = new Float64Array(n), x2 = new Float64Array(n), y2 = new Float64Array(n), area = new Float64Array(n);
  order.forEach((i, r) => {
    x1[r] = boxes[4 * i]!;
    y1[r] = boxes[4 * i + 1]!;
    x2[r] = boxes[4 * i + 2]!;
    y2[r] = boxes[4 * i + 3]!;
    area[r] = Math.max(0, x2[r]! - x1[r]!) * Math.max(0, y2[r]! - y1[r]!);
  });
  // Disjoint boxes have IoU 0, which a threshold ≥ 0 never exceeds.
  const skipDisjoint = iouThreshold >= 0;
  const keep: number[] = [];
  const removed = new Uint8Array(n);
  for (let a = 0; a < n; a++) {
    if (removed[a]) continue;
    keep.push(order[a]!);
    if (keep.length >= maxOut) break;
    const ax1 = x1[a]!, ay1 = y1[a]!, ax2 = x2[a]!, ay2 = y2[a]!, aa = area[a]!;
    for (let b = a + 1; b < n; b++) {
      if (removed[b]) continue;
      // As boxIou computes it, operation for operation.
      const iw = Math.max(0, Math.min(ax2, x2[b]!) - Math.max(ax1, x1[b]!));
      if (iw === 0 && skipDisjoint) continue;
      const ih = Math.max(0, Math.min(ay2, y2[b]!) - Math.max(ay1, y1[b]!));
      const inter = iw * ih;
      const ua = aa + area[b]! - inter;
      if ((ua > 0 ? inter / ua : 0) > iouThreshold) removed[b] = 1;
    }
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
