import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTf, setupBackend } from '../../src/train/backend.js';

describe('Identity on wasm shares its input buffer', () => {
  it('a clone allocates no buffer, outlives its original and keeps its values', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const x = tf.tensor1d([1, 2, 3]);
    const before = tf.engine().backend.numDataIds();
    const y = tf.clone(x);
    assert.equal(tf.engine().backend.numDataIds(), before, 'no new buffer');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
    const after = tf.engine().backend.numDataIds();
    y.dispose();
    assert.equal(tf.engine().backend.numDataIds(), after - 1, 'the buffer goes with its last tensor');
  });

  it('gradients through tensors saved for the backward pass are unchanged', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    // d/dx Σ x²·e^x = 2x·e^x + x²·e^x: both the square and the exp save their inputs or outputs.
    const x = tf.tensor1d([-1, 0.5, 2]);
    const g = tf.grad((v) => tf.sum(tf.mul(tf.square(v), tf.exp(v))))(x);
    const want = [-1, 0.5, 2].map((v) => 2 * v * Math.exp(v) + v * v * Math.exp(v));
    Array.from(g.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5 * Math.max(1, Math.abs(want[i]!)), `${v} vs ${want[i]}`));
    tf.dispose([x, g]);
  });
});
