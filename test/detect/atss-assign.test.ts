import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignAtss, makeAnchors } from '../../src/detect/atss-assign.js';
import { boxIou } from '../../src/detect/boxes.js';
import { makePoints } from '../../src/detect/fcos-assign.js';

const points = makePoints([[4, 4], [2, 2]], [8, 16]);
const anchors = makeAnchors(points, [8, 16], 2); // 16×16 anchors on level 0, 32×32 on level 1

describe('makeAnchors', () => {
  it('centres a square of scale·stride on each location', () => {
    assert.deepEqual(Array.from(anchors.subarray(0, 4)), [-4, -4, 12, 12]);
    assert.deepEqual(Array.from(anchors.subarray(64, 68)), [-8, -8, 24, 24]);
  });
});

describe('assignAtss', () => {
  it('selects candidates with IoU ≥ mean + std among the top-k nearest per level', () => {
    const gt = Float32Array.of(4, 4, 20, 20); // centre (12,12)
    const t = assignAtss(points, anchors, gt, Int32Array.of(1), { topK: 4, numClasses: 2 });
    // Candidates: level 0 — the four locations nearest (12,12): index 5 (12,12) at distance 0, then 1, 4, 6, 9 tie at 8 (lowest index first: 1, 4, 6);
    // level 1 — all four (k = 4 ≥ count).
    const cand = [5, 1, 4, 6, 16, 17, 18, 19];
    const ious = cand.map((p) => boxIou(anchors, p, gt, 0));
    const mean = ious.reduce((a, v) => a + v, 0) / ious.length;
    const std = Math.sqrt(ious.reduce((a, v) => a + (v - mean) ** 2, 0) / (ious.length - 1));
    assert.ok(Math.abs(t.thresholds[0]! - (mean + std)) < 1e-6);
    const expected = cand.filter((p, i) => ious[i]! >= mean + std && points.xs[p]! > 4.01 && points.xs[p]! < 19.99 && points.ys[p]! > 4.01 && points.ys[p]! < 19.99).sort((a, b) => a - b);
    assert.deepEqual(Array.from(t.positives), expected);
    assert.ok(expected.includes(5)); // the anchor exactly on the box is positive
    assert.equal(t.labels[5], 1);
    assert.deepEqual(Array.from(t.boxes.subarray(20, 24)), [4, 4, 20, 20]);
    assert.ok(Math.abs(t.centerness[5]! - 1) < 1e-6);
  });

  it('requires the anchor centre to lie inside the box', () => {
    // Box (0,3)–(5,9), centre (2.5, 6); the top 3 per level on level 0 are locations 0 (4,4), 4 (4,12) and 1 (12,4).
    // Location 4's anchor clears the IoU threshold but its centre (y = 12) lies below the box: it must not be positive.
    const gt = Float32Array.of(0, 3, 5, 9);
    const t = assignAtss(points, anchors, gt, Int32Array.of(0), { topK: 3, numClasses: 1 });
    assert.ok(boxIou(anchors, 4, gt, 0) >= t.thresholds[0]!, 'location 4 passes the IoU test');
    assert.deepEqual(Array.from(t.positives), [0]);
    assert.equal(t.labels[4], 1);
  });

  it('gives an anchor claimed by two boxes to the one it overlaps most', () => {
    const gt = Float32Array.of(4, 4, 20, 20, 0, 0, 24, 24);
    const t = assignAtss(points, anchors, gt, Int32Array.of(0, 1), { topK: 9, numClasses: 2 });
    for (const p of t.positives) {
      const k = t.labels[p]!;
      const other = 1 - k;
      const thrOther = t.thresholds[other]!;
      if (boxIou(anchors, p, gt, other) >= thrOther) assert.ok(boxIou(anchors, p, gt, k) >= boxIou(anchors, p, gt, other));
    }
  });
});
