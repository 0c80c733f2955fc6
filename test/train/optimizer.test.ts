import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tf } from '../../src/detect/tf.js';
import { setupBackend } from '../../src/train/backend.js';
import { DEFAULT_OPTIMIZER, Optimizer, type OptimizerKind } from '../../src/train/optimizer.js';
import { data } from './_helpers/data.js';

const SHAPES: Record<string, number[]> = { w: [3, 4], b: [4] };

/** Parameters after `steps` updates by ours and by tfjs's own optimizer (the reference), from the same gradients. */
function run(kind: OptimizerKind, steps: number): { ours: Float32Array[]; ref: Float32Array[] } {
  const mk = (): [string, tf.Variable][] => Object.entries(SHAPES).map(([n, s], i) => [n, tf.variable(tf.tensor(data(s.reduce((a, b) => a * b, 1), i + 1), s))]);
  const ours = mk(), ref = mk();
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind, weightDecay: 0, clipNorm: 0 });
  const lr = 0.05;
  const tfOpt = kind === 'adam' ? tf.train.adam(lr, DEFAULT_OPTIMIZER.beta1, DEFAULT_OPTIMIZER.beta2, DEFAULT_OPTIMIZER.eps) : tf.train.momentum(lr, DEFAULT_OPTIMIZER.momentum);
  for (let t = 0; t < steps; t++) {
    const grads = new Map(Object.entries(SHAPES).map(([n, s], i) => [n, tf.tensor(data(s.reduce((a, b) => a * b, 1), 100 * t + i), s)]));
    opt.step(ours, grads, lr);
    tfOpt.applyGradients(ref.map(([n, v]) => ({ name: v.name, tensor: grads.get(n)! })));
    tf.dispose([...grads.values()]);
  }
  const out = { ours: ours.map(([, v]) => v.dataSync() as Float32Array), ref: ref.map(([, v]) => v.dataSync() as Float32Array) };
  tf.dispose([...ours, ...ref].map(([, v]) => v));
  tfOpt.dispose();
  return out;
}

describe('Optimizer', () => {
  for (const kind of ['adam', 'sgd'] as const) {
    it(`${kind}: five updates equal tfjs's own ${kind === 'adam' ? 'Adam' : 'momentum SGD'} within float32 rounding`, async () => {
      await setupBackend('wasm');
      const { ours, ref } = run(kind, 5);
      ours.forEach((a, k) => a.forEach((v, i) => assert.ok(Math.abs(v - ref[k]![i]!) < 1e-5, `${kind} param ${k}[${i}]: ${v} vs ${ref[k]![i]}`)));
      // The parameters moved: a no-op update would also "agree" with nothing.
      assert.ok(Math.abs(ours[0]![0]! - data(12, 1)[0]!) > 1e-3);
    });
  }

  it('clips by the global norm and returns the norm before clipping', async () => {
    await setupBackend('wasm');
    const v = tf.variable(tf.tensor1d([0, 0]));
    const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'sgd', momentum: 0, weightDecay: 0, clipNorm: 1 });
    const norm = opt.step([['v', v]], new Map([['v', tf.tensor1d([3, 4])]]), 1);
    assert.equal(norm, 5);
    assert.deepEqual(Array.from(v.dataSync()).map((x) => +x.toFixed(6)), [-0.6, -0.8]);
  });

  it('restores its state exactly: a resumed optimizer continues as the original', async () => {
    await setupBackend('wasm');
    const mk = () => tf.variable(tf.tensor1d([1, -2, 3]));
    const a = mk(), b = mk();
    const g = () => new Map([['p', tf.tensor1d([0.3, -0.1, 0.2])]]);
    const o1 = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam' });
    o1.step([['p', a]], g(), 0.1);
    b.assign(a);
    const o2 = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam' });
    o2.setState(o1.getState(), new Map([['p', [3]]]));
    o1.step([['p', a]], g(), 0.1);
    o2.step([['p', b]], g(), 0.1);
    assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()));
    assert.throws(() => o2.setState({ ...o1.getState(), slots: { p: [new Float32Array(2), new Float32Array(2)] } }, new Map([['p', [3]]])), /does not match/);
  });
});
