import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { data } from './_helpers/data.js';

/** Both gradients of Σ dy⊙matMul(a, b, tA, tB) from fixed data on the active backend. */
function grads(tA: boolean, tB: boolean): Float32Array[] {
  const tf = getTf();
  return tf.tidy(() => {
    const [m, k, n] = [5, 7, 3];
    const a = tf.tensor2d(data(m * k, 1), tA ? [k, m] : [m, k]);
    const b = tf.tensor2d(data(k * n, 2), tB ? [n, k] : [k, n]);
    const dy = tf.tensor2d(data(m * n, 3), [m, n]);
    const g = tf.grads((x: tfc.Tensor, y: tfc.Tensor) => tf.sum(tf.mul(tf.matMul(x as tfc.Tensor2D, y as tfc.Tensor2D, tA, tB), dy)))([a, b]);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

describe('matMul gradient', () => {
  it("should give wasm the same gradients as cpu's stock gradient for every transpose combination", async () => {
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        await setupBackend('cpu');
        const ref = grads(tA, tB);
        await setupBackend('wasm');
        const got = grads(tA, tB);
        for (const i of [0, 1]) {
          assert.equal(got[i]!.length, ref[i]!.length);
          got[i]!.forEach((v, j) => assert.ok(Math.abs(v - ref[i]![j]!) <= 1e-5 * (1 + Math.abs(ref[i]![j]!)), `tA=${tA} tB=${tB} grad ${i}[${j}]: ${v} vs ${ref[i]![j]}`));
        }
      }
  });
});
