import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postprocess } from '../../src/detect/one-stage-common.js';

describe('one-stage postprocess', () => {
  it('thresholds the class score before multiplying by the quality', () => {
    // Location 0: class 0 at 0.1, quality 0.3 (product 0.03 < 0.05 but the class score passes);
    // location 1: class 1 at 0.04, quality 1 (product 0.04 passes nowhere: the class score is below 0.05).
    const cls = Float32Array.of(0.1, 0.0, 0.0, 0.04);
    const quality = Float32Array.of(0.3, 1);
    const boxes = Float32Array.of(0, 0, 10, 10, 20, 20, 30, 30);
    const r = postprocess(cls, quality, boxes, 2, 64, 64, { scoreThreshold: 0.05 });
    assert.deepEqual(Array.from(r.labels), [0]);
    assert.ok(Math.abs(r.scores[0]! - 0.03) < 1e-7);
  });

  it('suppresses per class and keeps at most maxPerImage', () => {
    // Two nearly identical boxes: of class 0 only the better survives; the same box of class 1 stays.
    const cls = Float32Array.of(0.9, 0.0, 0.8, 0.0, 0.0, 0.7);
    const quality = Float32Array.of(1, 1, 1);
    const boxes = Float32Array.of(0, 0, 10, 10, 0, 0, 10, 11, 0, 0, 10, 10);
    const r = postprocess(cls, quality, boxes, 2, 64, 64, { nmsIou: 0.5 });
    assert.deepEqual(Array.from(r.labels), [0, 1]);
    assert.deepEqual(Array.from(r.scores).map((s) => Math.round(s * 10) / 10), [0.9, 0.7]);
    const many = 150, c = new Float32Array(many).fill(0.5), q = new Float32Array(many).fill(1), b = new Float32Array(4 * many);
    for (let i = 0; i < many; i++) b.set([i * 20, 0, i * 20 + 10, 10], 4 * i);
    assert.equal(postprocess(c, q, b, 1, 64, 4000).scores.length, 100);
  });
});
