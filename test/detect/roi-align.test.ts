import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { multiLevelRoiAlign, roiAlign, roiAlignBatch, roiAlignSeparable, roiLevels } from '../../src/detect/roi-align.js';
import { roiAlignKernels } from '../../src/detect/roi-align-simd.js';
import { selectRows, weightedRows } from '../../src/detect/select.js';
import { tf } from '../../src/detect/tf.js';
import { setupBackend } from '../../src/train/backend.js';
import { backendMemory } from '../../src/train/host-kernel.js';

/** Feature map f[y,x,c] = x + 10·y + 100·c, linear, so bilinear sampling is exact. */
function linearMap(h: number, w: number, c: number): tf.Tensor4D {
  const d = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) d[(y * w + x) * c + k] = x + 10 * y + 100 * k;
  return tf.tensor4d(d, [1, h, w, c]);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`roiAlign (${backend})`, () => {
    before(async () => {
      await setupBackend(backend);
    });

    it('samples each bin centre bilinearly (aligned coordinates)', () => {
      const feat = linearMap(8, 8, 2);
      // RoI 16..48 at stride 8 → feature coords 1.5..5.5; 2×2 bins centred at 2.5 and 4.5.
      const out = roiAlign(feat, Float32Array.of(16, 16, 48, 48), 8, 2).arraySync() as number[][];
      const want = [2.5 + 25, 2.5 + 25 + 100, 4.5 + 25, 4.5 + 25 + 100, 2.5 + 45, 2.5 + 45 + 100, 4.5 + 45, 4.5 + 45 + 100];
      want.forEach((v, k) => assert.ok(Math.abs(out[0]![k]! - v) < 1e-4, `bin value ${k}: ${out[0]![k]} vs ${v}`));
    });

    it('back-propagates into the feature map: each bin spreads its gradient over its four cells', () => {
      const feat = tf.variable(linearMap(8, 8, 1));
      const { grads } = tf.variableGrads(() => tf.sum(roiAlign(feat as unknown as tf.Tensor4D, Float32Array.of(16, 16, 48, 48), 8, 2)) as tf.Scalar, [feat]);
      const g = grads[feat.name]!.dataSync() as Float32Array;
      assert.ok(Math.abs(g.reduce((a, v) => a + v, 0) - 4) < 1e-5); // 4 bins, weights sum to 1 each
      // Bin centre (2.5, 2.5) puts 1/4 on each of (2,2), (2,3), (3,2), (3,3).
      assert.ok(Math.abs(g[2 * 8 + 2]! - 0.25) < 1e-6);
      assert.equal(g[0], 0);
      feat.dispose();
    });

    it('roiAlignBatch gives each image its own RoIs, in image order, values and gradients', () => {
      const one = linearMap(8, 8, 2);
      const feat = tf.variable(tf.concat([one, tf.mul(one, 2)], 0) as tf.Tensor4D);
      const r0 = Float32Array.of(16, 16, 48, 48), r1 = Float32Array.of(0, 0, 32, 32, 16, 16, 48, 48);
      const got = roiAlignBatch(feat as unknown as tf.Tensor4D, [r0, r1], 8, 2).arraySync() as number[][];
      const want = [...(roiAlign(one, r0, 8, 2).arraySync() as number[][]), ...(roiAlign(tf.mul(one, 2) as tf.Tensor4D, r1, 8, 2).arraySync() as number[][])];
      assert.equal(got.length, 3);
      got.forEach((row, i) => row.forEach((v, k) => assert.ok(Math.abs(v - want[i]![k]!) < 1e-4, `row ${i} bin ${k}: ${v} vs ${want[i]![k]}`)));
      // Only image 1's second RoI is weighted: the gradient lands in image 1's map only, summing to its 4 bins × 2 channels.
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(roiAlignBatch(feat as unknown as tf.Tensor4D, [r0, r1], 8, 2), tf.tensor2d([[0], [0], [1]]))) as tf.Scalar, [feat]);
      const g = grads[feat.name]!.dataSync() as Float32Array;
      const half = g.length / 2;
      assert.equal(g.slice(0, half).reduce((a, v) => a + Math.abs(v), 0), 0);
      assert.ok(Math.abs(g.slice(half).reduce((a, v) => a + v, 0) - 8) < 1e-5);
      assert.ok(Math.abs(g[half + (2 * 8 + 2) * 2]! - 0.25) < 1e-6);
      feat.dispose();
    });

    it('with sampling ratio 2 averages four samples per bin; the separable product gives the same values and gradients', () => {
      const feat = linearMap(8, 8, 2);
      // One 1×1 bin over feature coords 1.5..5.5: samples at 2.5 and 4.5 in each axis, mean 3.5.
      const one = roiAlign(feat, Float32Array.of(16, 16, 48, 48), 8, 1, 2).arraySync() as number[][];
      assert.ok(Math.abs(one[0]![0]! - (3.5 + 35)) < 1e-4);
      const rng = [3, 9, 61, 40, -4, 20, 30, 70, 50, 50, 52, 51];
      const rois = Float32Array.from(rng);
      const a = roiAlign(feat, rois, 8, 7, 2).dataSync(), b = roiAlignSeparable(feat, rois, 8, 7, 2).dataSync();
      for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k]! - b[k]!) < 1e-3, `value ${k}: ${a[k]} vs ${b[k]}`);
      const v = tf.variable(feat);
      const w = tf.randomNormal([3, 7 * 7 * 2], 0, 1, 'float32', 1);
      const g1 = tf.variableGrads(() => tf.sum(tf.mul(roiAlign(v as unknown as tf.Tensor4D, rois, 8, 7, 2), w)) as tf.Scalar, [v]).grads[v.name]!.dataSync();
      const g2 = tf.variableGrads(() => tf.sum(tf.mul(roiAlignSeparable(v as unknown as tf.Tensor4D, rois, 8, 7, 2), w)) as tf.Scalar, [v]).grads[v.name]!.dataSync();
      for (let k = 0; k < g1.length; k++) assert.ok(Math.abs(g1[k]! - g2[k]!) < 1e-4, `gradient ${k}`);
      v.dispose();
    });

    it('pools 16·k channels (on wasm the SIMD kernels) as the separable product does, values and gradients, RoIs past the map included', () => {
      if (backend === 'wasm') assert.ok(roiAlignKernels(backendMemory(tf)!), 'the wasm backend runs the SIMD kernels');
      for (const c of [16, 48]) {
        const feat = tf.variable(tf.randomNormal([1, 9, 7, c], 0, 1, 'float32', c));
        // The last RoI lies partly outside the map: its outer samples weigh nothing.
        const rois = Float32Array.of(3, 9, 61, 40, -4, 20, 30, 70, 50, 50, 52, 51, 40, -30, 90, 20);
        const w = tf.randomNormal([4, 7 * 7 * c], 0, 1, 'float32', 2);
        const run = (f: typeof roiAlign): [Float32Array, Float32Array] => {
          const y = f(feat as unknown as tf.Tensor4D, rois, 8, 7, 2).dataSync() as Float32Array;
          const g = tf.variableGrads(() => tf.sum(tf.mul(f(feat as unknown as tf.Tensor4D, rois, 8, 7, 2), w)) as tf.Scalar, [feat]).grads[feat.name]!.dataSync() as Float32Array;
          return [y, g];
        };
        const [y1, g1] = run(roiAlign), [y2, g2] = run(roiAlignSeparable);
        for (let k = 0; k < y1.length; k++) assert.ok(Math.abs(y1[k]! - y2[k]!) < 1e-4, `c ${c} value ${k}: ${y1[k]} vs ${y2[k]}`);
        for (let k = 0; k < g1.length; k++) assert.ok(Math.abs(g1[k]! - g2[k]!) < 1e-4, `c ${c} gradient ${k}: ${g1[k]} vs ${g2[k]}`);
        feat.dispose();
      }
    });

    it('maps RoIs to pyramid levels by scale and pools each from its level, in RoI order', () => {
      assert.deepEqual(Array.from(roiLevels(Float32Array.of(0, 0, 100, 100, 0, 0, 300, 300, 0, 0, 1000, 1000), 4, 56)), [0, 2, 3]);
      const p2 = linearMap(16, 16, 1), p3 = tf.mul(linearMap(8, 8, 1), -1) as tf.Tensor4D;
      // Side 8 → level 0 (stride 4); side 40 → level 1 (stride 8) with finest scale 14.
      const small = Float32Array.of(8, 8, 16, 16), big = Float32Array.of(0, 0, 40, 40);
      const both = multiLevelRoiAlign([p2, p3], [4, 8], [Float32Array.of(...big, ...small)], 2, 2, 14).arraySync() as number[][];
      const wantBig = roiAlign(p3, big, 8, 2, 2).arraySync() as number[][], wantSmall = roiAlign(p2, small, 4, 2, 2).arraySync() as number[][];
      both[0]!.forEach((x, k) => assert.ok(Math.abs(x - wantBig[0]![k]!) < 1e-4));
      both[1]!.forEach((x, k) => assert.ok(Math.abs(x - wantSmall[0]![k]!) < 1e-4));
      assert.ok(both[0]![0]! < 0 && both[1]![0]! > 0);
    });

    it('selectRows and weightedRows agree with their dense definition, values and gradients', () => {
      const x = tf.variable(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]));
      const idx = Int32Array.of(2, 0, 2);
      assert.deepEqual(selectRows(x as unknown as tf.Tensor2D, idx).arraySync(), [[5, 6], [1, 2], [5, 6]]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(weightedRows(x as unknown as tf.Tensor2D, idx, Float32Array.of(0.5, 2, 1), 3), tf.tensor2d([[1, 10]]))) as tf.Scalar, [x]);
      // One output row: 0.5·x2 + 2·x0 + 1·x2 → d/dx0 = 2·[1,10], d/dx2 = 1.5·[1,10].
      assert.deepEqual(Array.from(grads[x.name]!.dataSync()), [2, 20, 0, 0, 1.5, 15]);
      x.dispose();
    });
  });
}
