import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxIou } from '../../src/detect/boxes.js';
import { batchedNms, nms } from '../../src/detect/nms.js';

/** Greedy NMS by its definition: every remaining box against every kept one, in score order. */
function reference(boxes: Float32Array, scores: Float32Array, thr: number, maxOut = Infinity): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const keep: number[] = [];
  for (const i of order) {
    if (keep.length >= maxOut) break;
    if (keep.every((k) => !(boxIou(boxes, k, boxes, i) > thr))) keep.push(i);
  }
  return keep;
}

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
  it('keeps what greedy NMS by its definition keeps: random boxes, tied scores, empty and inverted boxes', () => {
    let s = 12345;
    const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(rand() * 120);
      const b = new Float32Array(4 * n), sc = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const x = rand() * 50, y = rand() * 50;
        // Some boxes empty (zero width) or inverted (x2 < x1).
        const w = rand() < 0.1 ? 0 : rand() < 0.1 ? -5 : 2 + rand() * 20;
        b.set([x, y, x + w, y + 2 + rand() * 20], 4 * i);
        sc[i] = Math.round(rand() * 10) / 10; // many ties
      }
      for (const thr of [-0.5, 0, 0.3, 0.7]) {
        assert.deepEqual(nms(b, sc, thr), reference(b, sc, thr), `trial ${trial} threshold ${thr}`);
        assert.deepEqual(nms(b, sc, thr, 5), reference(b, sc, thr, 5), `trial ${trial} threshold ${thr} maxOut 5`);
      }
    }
  });
});

describe('batchedNms', () => {
  it('suppresses only within a class', () => {
    const boxes = Float32Array.of(0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10);
    assert.deepEqual(batchedNms(boxes, Float32Array.of(0.9, 0.8, 0.7), Int32Array.of(0, 1, 0), 0.5, 10), [0, 1]);
  });
});
