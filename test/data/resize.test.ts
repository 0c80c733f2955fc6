import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resizeBilinear } from '../../src/data/resize.js';

describe('resizeBilinear', () => {
  it('should return the same image at the same size', () => {
    const img = { width: 2, height: 2, data: new Uint8Array(12).fill(7) };
    assert.equal(resizeBilinear(img, 2, 2), img);
  });

  it('should average 2×2 blocks when halving (half-pixel centres)', () => {
    // One channel pattern repeated in R, G and B.
    const px = [0, 100, 200, 50, 10, 110, 210, 60, 0, 0, 40, 40, 0, 0, 40, 40];
    const img = { width: 4, height: 4, data: Uint8Array.from(px.flatMap((v) => [v, v, v])) };
    const out = resizeBilinear(img, 2, 2);
    assert.deepEqual(Array.from(out.data).filter((_, i) => i % 3 === 0), [55, 130, 0, 40]);
  });

  it('should keep a constant image constant when enlarging', () => {
    const img = { width: 3, height: 2, data: new Uint8Array(18).fill(200) };
    assert.ok(resizeBilinear(img, 7, 9).data.every((v) => v === 200));
  });
});
