/**
 * ATSS target assignment (Zhang et al. 2020): for each ground-truth box, the
 * k anchors nearest its centre on every level are candidates; those whose IoU
 * reaches the candidates' mean + standard deviation, and whose centre lies
 * inside the box, are positive. An anchor claimed by several boxes goes to the
 * one it overlaps most.
 */
import { boxIou } from './boxes.js';
import type { Points } from './fcos-assign.js';

export interface AtssAssignConfig {
  readonly topK: number;
  readonly numClasses: number;
}

export interface AtssTargets {
  /** Class per anchor; `numClasses` means background. */
  readonly labels: Int32Array;
  /** Target box per anchor (0 for background). */
  readonly boxes: Float32Array;
  /** Standard centerness of the anchor centre in its target box (0 for background). */
  readonly centerness: Float32Array;
  readonly positives: Int32Array;
  /** IoU threshold (mean + std) used for each ground-truth box. */
  readonly thresholds: Float32Array;
}

/** Square anchors of side `scale`·stride centred on each location. */
export function makeAnchors(points: Points, strides: readonly number[], scale: number): Float32Array {
  const a = new Float32Array(4 * points.xs.length);
  for (let p = 0; p < points.xs.length; p++) {
    const half = (scale * strides[points.level[p]!]!) / 2;
    a.set([points.xs[p]! - half, points.ys[p]! - half, points.xs[p]! + half, points.ys[p]! + half], 4 * p);
  }
  return a;
}

export function assignAtss(points: Points, anchors: Float32Array, gtBoxes: Float32Array, gtLabels: Int32Array, cfg: AtssAssignConfig): AtssTargets {
  const n = points.xs.length, g = gtLabels.length;
  const best = new Int32Array(n).fill(-1);
  const bestIou = new Float32Array(n).fill(-1);
  const thresholds = new Float32Array(g);
  const levelStart: number[] = [];
  points.counts.reduce((s, c) => (levelStart.push(s), s + c), 0);
  for (let k = 0; k < g; k++) {
    const x1 = gtBoxes[4 * k]!, y1 = gtBoxes[4 * k + 1]!, x2 = gtBoxes[4 * k + 2]!, y2 = gtBoxes[4 * k + 3]!;
    const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
    const cand: number[] = [];
    points.counts.forEach((count, l) => {
      const s0 = levelStart[l]!;
      const idx = Array.from({ length: count }, (_, i) => s0 + i);
      const d = (p: number): number => (points.xs[p]! - cx) ** 2 + (points.ys[p]! - cy) ** 2;
      idx.sort((a, b) => d(a) - d(b) || a - b);
      cand.push(...idx.slice(0, Math.min(cfg.topK, count)));
    });
    const ious = cand.map((p) => boxIou(anchors, p, gtBoxes, k));
    const mean = ious.reduce((a, v) => a + v, 0) / ious.length;
    // Unbiased standard deviation, as torch.std (the reference) computes it.
    const std = ious.length > 1 ? Math.sqrt(ious.reduce((a, v) => a + (v - mean) ** 2, 0) / (ious.length - 1)) : 0;
    thresholds[k] = mean + std;
    cand.forEach((p, i) => {
      const x = points.xs[p]!, y = points.ys[p]!;
      const inside = Math.min(x - x1, y - y1, x2 - x, y2 - y) > 0.01;
      if (ious[i]! >= mean + std && inside && ious[i]! > bestIou[p]!) {
        bestIou[p] = ious[i]!;
        best[p] = k;
      }
    });
  }
  const labels = new Int32Array(n).fill(cfg.numClasses);
  const boxes = new Float32Array(4 * n);
  const centerness = new Float32Array(n);
  const positives: number[] = [];
  for (let p = 0; p < n; p++) {
    const k = best[p]!;
    if (k < 0) continue;
    labels[p] = gtLabels[k]!;
    boxes.set(gtBoxes.subarray(4 * k, 4 * k + 4), 4 * p);
    const x = points.xs[p]!, y = points.ys[p]!;
    const l = x - gtBoxes[4 * k]!, t = y - gtBoxes[4 * k + 1]!, r = gtBoxes[4 * k + 2]! - x, b = gtBoxes[4 * k + 3]! - y;
    centerness[p] = Math.sqrt((Math.min(l, r) / Math.max(l, r)) * (Math.min(t, b) / Math.max(t, b)));
    positives.push(p);
  }
  return { labels, boxes, centerness, positives: Int32Array.from(positives), thresholds };
}
