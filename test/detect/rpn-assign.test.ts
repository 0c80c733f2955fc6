import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rpnAnchors } from '../../src/detect/faster-rcnn.js';
import { SeededRng as Rng } from '../../src/util/rng.js';
import { assignMaxIou, sampleBalanced } from '../../src/detect/rpn-assign.js';

describe('assignMaxIou', () => {
  const cands = Float32Array.of(0, 0, 10, 10, 0, 0, 10, 12, 0, 0, 10, 20, 50, 50, 60, 60);
  it('marks ≥ pos IoU positive, < neg IoU negative, between ignored', () => {
    const a = assignMaxIou(cands, Float32Array.of(0, 0, 10, 10), { posIou: 0.7, negIou: 0.3, minPosIou: 0.3, matchLowQuality: false });
    // IoUs: 1, 10/12, 0.5, 0.
    assert.deepEqual(Array.from(a.gt), [0, 0, -2, -1]);
    assert.ok(Math.abs(a.iou[1]! - 100 / 120) < 1e-6);
  });
  it("matches each box's best candidate even below the positive threshold", () => {
    const a = assignMaxIou(cands, Float32Array.of(0, 0, 10, 24), { posIou: 0.7, negIou: 0.3, minPosIou: 0.3, matchLowQuality: true });
    // IoUs with 0..24: 100/240, 120/240, 200/240, 0 → index 2 positive by threshold; best is also 2.
    assert.deepEqual(Array.from(a.gt), [-2, -2, 0, -1]);
    const b = assignMaxIou(cands, Float32Array.of(0, 0, 10, 40), { posIou: 0.7, negIou: 0.3, minPosIou: 0.3, matchLowQuality: true });
    // IoUs: 0.25, 0.3, 0.5, 0 → none ≥ 0.7, but the best (0.5 ≥ 0.3) is matched.
    assert.deepEqual(Array.from(b.gt), [-1, -2, 0, -1]);
  });
});

describe('sampleBalanced', () => {
  it('caps positives at num·fraction and fills with negatives, deterministically per seed', () => {
    const gt = Int32Array.from({ length: 40 }, (_, i) => (i < 10 ? 0 : i < 12 ? -2 : -1));
    const s1 = sampleBalanced(gt, 16, 0.25, new Rng(3));
    assert.equal(s1.pos.length, 4);
    assert.equal(s1.neg.length, 12);
    assert.ok(s1.pos.every((i) => i < 10) && s1.neg.every((i) => i >= 12));
    assert.deepEqual(sampleBalanced(gt, 16, 0.25, new Rng(3)), s1);
  });
});

describe('rpnAnchors', () => {
  it('puts sizes × ratios anchors of equal area on each location', () => {
    const a = rpnAnchors(1, 2, 8, [16], [0.5, 1, 2]);
    assert.equal(a.length, 2 * 3 * 4);
    for (let k = 0; k < 6; k++) {
      const w = a[4 * k + 2]! - a[4 * k]!, h = a[4 * k + 3]! - a[4 * k + 1]!;
      assert.ok(Math.abs(w * h - 256) < 1e-3);
    }
    assert.deepEqual(Array.from(a.subarray(4, 8)), [-4, -4, 12, 12]); // ratio 1 at (4,4)
  });
});
