import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignFcos, defaultRanges, makePoints } from '../../src/detect/fcos-assign.js';

// Two levels on a 32×32 image: stride 8 (4×4 locations at 4, 12, 20, 28) and stride 16 (2×2 at 8, 24).
const points = makePoints([[4, 4], [2, 2]], [8, 16]);
const base = { strides: [8, 16], ranges: [[-1, 16], [16, 1e8]] as [number, number][], centerSampling: false, radius: 1.5, numClasses: 3 };

describe('makePoints', () => {
  it('places locations at j·s + ⌊s/2⌋, level by level, row-major', () => {
    assert.deepEqual(Array.from(points.xs.subarray(0, 4)), [4, 12, 20, 28]);
    assert.deepEqual(Array.from(points.ys.subarray(0, 5)), [4, 4, 4, 4, 12]);
    assert.deepEqual(Array.from(points.xs.subarray(16)), [8, 24, 8, 24]);
    assert.deepEqual(Array.from(points.level.subarray(14, 18)), [0, 0, 1, 1]);
    assert.deepEqual(points.counts, [16, 4]);
  });
});

describe('assignFcos', () => {
  it('makes the locations inside a small box positive on the fine level with l/t/r/b targets', () => {
    const t = assignFcos(points, Float32Array.of(2, 2, 14, 14), Int32Array.of(2), base);
    // Inside: (4,4), (12,4), (4,12), (12,12); max side distance ≤ 10 fits level 0 only.
    assert.deepEqual(Array.from(t.positives), [0, 1, 4, 5]);
    assert.equal(t.labels[0], 2);
    assert.equal(t.labels[2], 3); // background is numClasses
    assert.deepEqual(Array.from(t.boxes.subarray(0, 4)), [2, 2, 14, 14]);
    // (4,4): l=t=2, r=b=10 → sqrt(0.2·0.2) = 0.2.
    assert.ok(Math.abs(t.centerness[0]! - 0.2) < 1e-6);
  });

  it('sends a large box to the coarse level through the regress ranges', () => {
    const t = assignFcos(points, Float32Array.of(0, 0, 32, 32), Int32Array.of(0), base);
    // Level 0 locations have max distance ≥ 20 > 16: excluded; all four level-1 locations qualify.
    assert.deepEqual(Array.from(t.positives), [16, 17, 18, 19]);
  });

  it('gives a location inside two boxes to the smaller one', () => {
    const t = assignFcos(points, Float32Array.of(0, 0, 16, 16, 2, 2, 14, 14), Int32Array.of(0, 1), { ...base, ranges: [[-1, 1e8], [1e8, 1e9]] });
    assert.equal(t.labels[0], 1);
    assert.deepEqual(Array.from(t.boxes.subarray(0, 4)), [2, 2, 14, 14]);
  });

  it('keeps only locations near the centre with centre sampling', () => {
    // Box 0..32 on level 0 (ranges opened): radius 0.75·8 = 6 around (16,16) keeps x, y ∈ (10, 22): 12 and 20.
    const t = assignFcos(points, Float32Array.of(0, 0, 32, 32), Int32Array.of(1), { ...base, ranges: [[-1, 1e8], [1e8, 1e9]], centerSampling: true, radius: 0.75 });
    assert.deepEqual(Array.from(t.positives), [5, 6, 9, 10]);
  });

  it('leaves every location background without boxes', () => {
    const t = assignFcos(points, new Float32Array(0), new Int32Array(0), base);
    assert.equal(t.positives.length, 0);
    assert.ok(t.labels.every((l) => l === 3));
  });

  it('scales default ranges with the strides', () => {
    assert.deepEqual(defaultRanges([8, 16, 32]), [[-1, 32], [32, 64], [64, 1e8]]);
  });
});
