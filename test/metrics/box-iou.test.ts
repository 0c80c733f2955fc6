import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxIou } from '../../src/metrics/box-iou.js';

describe('boxIou', () => {
  it('should give intersection over union, D×G row-major', () => {
    const o = boxIou([[0, 0, 10, 10], [100, 100, 5, 5]], [[5, 0, 10, 10], [0, 0, 10, 10]], [false, false]);
    assert.deepEqual(Array.from(o), [50 / 150, 1, 0, 0]);
  });
  it('should divide by the detection area for a crowd region', () => {
    const o = boxIou([[10, 10, 10, 10], [0, 0, 40, 10]], [[0, 0, 100, 100]], [true]);
    assert.deepEqual(Array.from(o), [1, 1]);
    const half = boxIou([[90, 0, 20, 10]], [[0, 0, 100, 100]], [true]);
    assert.deepEqual(Array.from(half), [0.5]);
  });
  it('should give 0 for boxes that only touch', () => {
    assert.deepEqual(Array.from(boxIou([[10, 0, 5, 5]], [[0, 0, 10, 10]], [false])), [0]);
  });
});
