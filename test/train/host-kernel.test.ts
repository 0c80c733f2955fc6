import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { copyValues, hostKernel } from '../../src/train/host-kernel.js';

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`hostKernel on ${backend}`, () => {
    it('reads float32 and int32 inputs, and returns zero-started outputs of the asked shapes', async () => {
      await setupBackend(backend);
      const tf = getTf();
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const labels = tf.tensor1d([2, 0], 'int32');
      const [picked, rest] = hostKernel(tf, [x, labels], [[2], [2, 3]], ([xs, ls], [p, r]) => {
        for (let k = 0; k < 2; k++) p![k] = xs![k * 3 + ls![k]!]!;
        r![4] = 7; // the other entries are left as the output starts
      });
      assert.deepEqual(picked!.shape, [2]);
      assert.deepEqual(Array.from(picked!.dataSync()), [3, 4]);
      assert.deepEqual(Array.from(rest!.dataSync()), [0, 0, 0, 0, 7, 0]);
      tf.dispose([x, labels, picked!, rest!]);
    });

    it('leaves its inputs unchanged and no buffers behind once its outputs are disposed', async () => {
      await setupBackend(backend);
      const tf = getTf();
      const x = tf.tensor1d([1, -2, 3]);
      const buffers = tf.engine().backend.numDataIds();
      for (let i = 0; i < 3; i++) {
        const [y] = hostKernel(tf, [x], [[3]], ([a], [b]) => {
          for (let k = 0; k < 3; k++) b![k] = 2 * a![k]!;
        });
        assert.deepEqual(Array.from(y!.dataSync()), [2, -4, 6]);
        y!.dispose();
      }
      assert.equal(tf.engine().backend.numDataIds(), buffers);
      assert.deepEqual(Array.from(x.dataSync()), [1, -2, 3]);
      x.dispose();
    });

    it('copyValues writes a tensor into an array at an offset', async () => {
      await setupBackend(backend);
      const tf = getTf();
      const x = tf.tensor1d([5, 6]);
      const target = new Float32Array(4);
      copyValues(tf, x, target, 1);
      assert.deepEqual(Array.from(target), [0, 5, 6, 0]);
      x.dispose();
    });
  });
}
