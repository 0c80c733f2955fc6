import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeMask, decompressRle } from '../../src/data/mask.js';
import { toCocoDetections } from '../../src/detect/coco-detections.js';
import { maskTargets, pasteMask, pasteMaskRle } from '../../src/detect/mask-target.js';

/** The rows of a binary map, as strings of 0/1. */
const rows = (m: ArrayLike<number>, S: number, T: number) => Array.from({ length: S }, (_, y) => Array.from({ length: T }, (_, x) => m[y * T + x]).join(''));

describe('maskTargets (mmdetection mask_target)', () => {
  it('should average 2×2 pixel blocks when the RoI is twice the target size, with ≥ 0.5 counting as object', () => {
    // A 56×56 checkerboard: every 2×2 block averages exactly 0.5.
    const check = Uint8Array.from({ length: 56 * 56 }, (_, p) => ((p % 56) + Math.floor(p / 56)) % 2);
    assert.ok(maskTargets([0, 0, 56, 56], [0], check, 56, 56).every((v) => v === 1));
    // Left half set: the left 14 target columns.
    const left = Uint8Array.from({ length: 56 * 56 }, (_, p) => (p % 56 < 28 ? 1 : 0));
    const t = maskTargets([0, 0, 56, 56], [0], left, 56, 56);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) assert.equal(t[y * 28 + x], x < 14 ? 1 : 0);
  });

  it('should crop exactly when the RoI has the target size on whole pixels', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 40 * 40, maxLength: 40 * 40, min: 0, max: 1 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), (m, x0, y0) => {
        const t = maskTargets([x0, y0, x0 + 28, y0 + 28, 0, 0, 40, 40], [0, 0], m, 40, 40);
        for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) assert.equal(t[y * 28 + x], m[(y0 + y) * 40 + x0 + x]);
        assert.equal(t.length, 2 * 28 * 28);
      }),
    );
  });

  it('should interpolate bilinearly when the RoI is smaller than the target', () => {
    // One pixel (5, 5) set; RoI [0, 0, 14, 14] samples at x = k/2 − 1/4 (in pixel-centre coordinates),
    // so cells 10 and 11 weigh that pixel 3/4 per axis (9/16 ≥ 0.5) and cells 9 and 12 only 1/4.
    const m = new Uint8Array(20 * 20);
    m[5 * 20 + 5] = 1;
    const t = maskTargets([0, 0, 14, 14], [0], m, 20, 20);
    const want = Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (x >= 10 && x <= 11 && y >= 10 && y <= 11 ? 1 : 0)).join(''));
    assert.deepEqual(rows(t, 28, 28), want);
  });

  it('should take each RoI from its own matched mask and any target size', () => {
    const masks = new Uint8Array(2 * 8 * 8);
    masks.fill(1, 0, 64);
    const t = maskTargets([0, 0, 8, 8, 0, 0, 8, 8], [1, 0], masks, 8, 8, [4, 2]);
    assert.deepEqual(Array.from(t), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.throws(() => maskTargets([0, 0, 8, 8], [2], masks, 8, 8), /matched to mask 2, but there are 2/);
  });
});

describe('pasteMask (mmdetection _do_paste_mask)', () => {
  it('should set, for a full mask, the pixels whose centres lie in the box', () => {
    const ones = new Float32Array(28 * 28).fill(1);
    for (const [x1, y1, x2, y2, cols, rs] of [
      [10, 20, 38, 48, [10, 37], [20, 47]],
      // Centre 10.5 lies in [10.2, …); 37.5 < 38.2 but 38.5 does not.
      [10.2, 20, 38.2, 48, [10, 37], [20, 47]],
      [10.7, 3, 38.7, 17, [11, 38], [3, 16]],
      [-5, -5, 4, 70, [0, 3], [0, 63]],
    ] as const) {
      const m = pasteMask(ones, 28, 28, [x1, y1, x2, y2], 64, 64);
      for (let y = 0; y < 64; y++) {
        for (let x = 0; x < 64; x++) assert.equal(m[y * 64 + x], x >= cols[0] && x <= cols[1] && y >= rs[0] && y <= rs[1] ? 1 : 0, `box ${[x1, y1, x2, y2]}: pixel ${x},${y}`);
      }
    }
    assert.ok(pasteMask(ones, 28, 28, [5, 5, 5, 9], 16, 16).every((v) => v === 0));
    // At a corner the two axes' partial weights multiply: pixel (38, 3) of [10.7, 3.4, 38.7, 17.9]
    // weighs 0.7 in x and 1 − (0.1 / 14.5 · 28 − 0.5) ≈ 0.693 in y, 0.485 in all, so it stays out.
    const corner = pasteMask(ones, 28, 28, [10.7, 3.4, 38.7, 17.9], 64, 64);
    assert.deepEqual([corner[3 * 64 + 38], corner[3 * 64 + 37], corner[4 * 64 + 38]], [0, 1, 1]);
  });

  it('should threshold the bilinear value at 0.5 (inclusive) by default', () => {
    // A 1×2 map [0.4, 0.6] pasted into a 4-pixel-wide box: samples at -0.25, 0.25, 0.75, 1.25.
    const m = pasteMask([0.4, 0.6], 1, 2, [0, 0, 4, 1], 1, 4);
    // Values 0.75·0.4, 0.75·0.4 + 0.25·0.6 = 0.45, 0.25·0.4 + 0.75·0.6 = 0.55, 0.75·0.6 = 0.45.
    assert.deepEqual(Array.from(m), [0, 0, 1, 0]);
    assert.deepEqual(Array.from(pasteMask([0.4, 0.6], 1, 2, [0, 0, 4, 1], 1, 4, 0.3)), [1, 1, 1, 1]);
  });

  it('should be undone by maskTargets: paste at twice the size, crop back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 28 * 28, maxLength: 28 * 28, min: 0, max: 1 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (m, x0, y0) => {
        const box = [x0, y0, x0 + 56, y0 + 56];
        const img = pasteMask(Float32Array.from(m), 28, 28, box, 100, 100);
        assert.deepEqual(maskTargets(box, [0], img, 100, 100), Float32Array.from(m));
        const rle = pasteMaskRle(Float32Array.from(m), 28, 28, box, 100, 100);
        assert.deepEqual(rle.size, [100, 100]);
        assert.deepEqual(decodeMask(decompressRle(rle)), img);
      }),
      { numRuns: 30 },
    );
  });
});

describe('toCocoDetections with masks', () => {
  it('should paste each mask into its box on the original image', () => {
    const raw = { boxes: Float32Array.from([2, 4, 16, 18]), scores: Float32Array.from([0.9]), labels: Int32Array.from([1]), masks: new Float32Array(28 * 28).fill(1) };
    const [d] = toCocoDetections(raw, 7, [0.5, 0.5], [{ id: 3, name: 'a' }, { id: 5, name: 'b' }], [40, 40]);
    assert.deepEqual(d!.bbox, [4, 8, 28, 28]);
    assert.equal(d!.category_id, 5);
    const m = decodeMask(decompressRle(d!.segmentation as { size: [number, number]; counts: string }));
    for (let y = 0; y < 40; y++) for (let x = 0; x < 40; x++) assert.equal(m[y * 40 + x], x >= 4 && x < 32 && y >= 8 && y < 36 ? 1 : 0);
    assert.throws(() => toCocoDetections(raw, 7, [0.5, 0.5], [{ id: 3, name: 'a' }, { id: 5, name: 'b' }]), /image size/);
  });
});
