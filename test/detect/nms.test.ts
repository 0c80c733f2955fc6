import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchedNms, nms } from '../../src/detect/nms.js';

describe('nms', () => {
  const boxes = Float32Array.of(0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 9);
  it('keeps the best box of each overlapping group, best first', () => {
    assert.deepEqual(nms(boxes, Float32Array.of(0.9, 0.8, 0.7, 0.95), 0.5), [3, 2]);
  });
  it('keeps overlapping boxes under the IoU threshold', () => {
    // IoU of boxes 0 and 1 is 81/119 ≈ 0.68.
    assert.deepEqual(nms(boxes.subarray(0, 8), Float32Array.of(0.9, 0.8), 0.7), [0, 1]);
  });
  it('stops at maxOut', () => {
    assert.deepEqual(nms(boxes, Float32Array.of(0.9, 0.8, 0.7, 0.1), 0.5, 1), [0]);
  });
});

describe('batchedNms', () => {
  it('suppresses only within a class', () => {
    const boxes = Float32Array.of(0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10);
    assert.deepEqual(batchedNms(boxes, Float32Array.of(0.9, 0.8, 0.7), Int32Array.of(0, 1, 0), 0.5, 10), [0, 1]);
  });
});
