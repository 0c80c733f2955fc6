import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../../src/symbolic/op-spec.js';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { groupNorm, groupNormOps } from '../../src/train/group-norm.js';

/** A deterministic LCG in [-1, 1). */
function values(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return offset + scale * (2 * (s / 2 ** 32) - 1);
  });
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
  return e / Math.max(scale, 1e-30);
}

type Fn = typeof groupNorm;

/** Value and the vector-Jacobian product into x, gamma and beta for cotangent `dy`. */
function valueAndVjp(tf: Tf, f: Fn, shape: [number, number, number, number], groups: number, relu: boolean, seed: number): Float32Array[] {
  const size = shape.reduce((a, b) => a * b, 1);
  const c = shape[3];
  // An offset mean and a spread unlike 1: normalisation has something to undo.
  const x = tf.tensor4d(values(size, seed, 3, 1.5), shape);
  const gamma = tf.tensor1d(values(c, seed + 1, 0.5, 1));
  const beta = tf.tensor1d(values(c, seed + 2, 0.5));
  const dy = tf.tensor4d(values(size, seed + 3), shape);
  const vjp = tf.grads((a: tfc.Tensor, g: tfc.Tensor, b: tfc.Tensor) => f(tf, a as tfc.Tensor4D, g as tfc.Tensor1D, b as tfc.Tensor1D, groups, 1e-5, relu));
  const y = f(tf, x, gamma, beta, groups, 1e-5, relu);
  const grads = vjp([x, gamma, beta], dy);
  const out = [y, ...grads].map((t) => Float32Array.from(t.dataSync() as Float32Array));
  tf.dispose([x, gamma, beta, dy, y, ...grads]);
  return out;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`groupNorm on ${backend}: the one-pass op against the tfjs-op formulation`, () => {
    for (const [shape, groups] of [
      [[2, 5, 4, 8], 2],
      [[3, 4, 4, 12], 3],
      [[1, 3, 7, 32], 8],
    ] as [[number, number, number, number], number][]) {
      for (const relu of [false, true]) {
        it(`${shape.join('×')}, ${groups} groups${relu ? ', ReLU' : ''}: value and gradients into x, gamma, beta`, async () => {
          await setupBackend(backend);
          const tf = getTf();
          const ours = valueAndVjp(tf, groupNorm, shape, groups, relu, 7);
          const ref = valueAndVjp(tf, groupNormOps, shape, groups, relu, 7);
          ['y', 'dx', 'dgamma', 'dbeta'].forEach((name, k) => {
            assert.equal(ours[k]!.length, ref[k]!.length, name);
            assert.ok(maxRelErr(ours[k]!, ref[k]!) < 2e-5, `${name}: relative error ${maxRelErr(ours[k]!, ref[k]!)}`);
          });
          if (relu) assert.ok(ours[0]!.some((v) => v === 0) && ours[0]!.some((v) => v > 0), 'the ReLU both passes and clips');
        });
      }
    }

    it('leaves no tensors or buffers behind, forward and backward', async () => {
      await setupBackend(backend);
      const tf = getTf();
      valueAndVjp(tf, groupNorm, [2, 3, 3, 8], 2, true, 1);
      const tensors = tf.memory().numTensors, buffers = tf.engine().backend.numDataIds();
      for (let i = 0; i < 3; i++) valueAndVjp(tf, groupNorm, [2, 3, 3, 8], 2, true, 1);
      assert.equal(tf.memory().numTensors, tensors);
      assert.equal(tf.engine().backend.numDataIds(), buffers);
    });

    it('rejects channels that do not split into the groups', async () => {
      await setupBackend(backend);
      const tf = getTf();
      const x = tf.zeros([1, 2, 2, 6]) as tfc.Tensor4D;
      assert.throws(() => groupNorm(tf, x, tf.ones([6]) as tfc.Tensor1D, tf.zeros([6]) as tfc.Tensor1D, 4, 1e-5, false), /6 channels, 4 groups/);
    });
  });
}
