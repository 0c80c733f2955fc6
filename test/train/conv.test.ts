import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { conv2d, conv2dBias, conv2dFilterGrad, conv2dInputGrad } from '../../src/train/conv.js';
import { data } from './_helpers/data.js';

type Case = { h: number; w: number; k: number; cin: number; cout: number; stride: number | [number, number]; pad: 'same' | 'valid' };
const CASES: Case[] = [
  { h: 9, w: 9, k: 3, cin: 3, cout: 4, stride: 2, pad: 'same' },
  { h: 8, w: 8, k: 3, cin: 3, cout: 4, stride: 2, pad: 'same' },
  { h: 8, w: 7, k: 3, cin: 2, cout: 5, stride: 1, pad: 'valid' },
  { h: 7, w: 9, k: 3, cin: 3, cout: 2, stride: [2, 1], pad: 'valid' },
  { h: 8, w: 8, k: 1, cin: 4, cout: 3, stride: 1, pad: 'same' },
  { h: 6, w: 6, k: 1, cin: 4, cout: 3, stride: 2, pad: 'same' },
  { h: 10, w: 11, k: 5, cin: 3, cout: 4, stride: 3, pad: 'same' },
  { h: 13, w: 12, k: 5, cin: 2, cout: 3, stride: 2, pad: 'valid' },
  // A stride phase whose first tap lies past dy's first row: read from an offset (phases) or cropped (sub-pixel).
  { h: 10, w: 10, k: 3, cin: 2, cout: 3, stride: 3, pad: 'same' },
  // The detectors' shapes: 3×3 'same' at strides 1 and 2 on even sizes.
  { h: 8, w: 8, k: 3, cin: 4, cout: 5, stride: 1, pad: 'same' },
  { h: 16, w: 12, k: 3, cin: 3, cout: 6, stride: 2, pad: 'same' },
  // More input channels than the patch-matrix filter gradient takes: the convolution form.
  { h: 8, w: 8, k: 3, cin: 6, cout: 5, stride: 1, pad: 'same' },
  { h: 9, w: 8, k: 3, cin: 8, cout: 4, stride: 2, pad: 'same' },
  { h: 11, w: 10, k: 5, cin: 5, cout: 3, stride: [2, 1], pad: 'valid' },
  // Input channels a multiple of 4: on wasm the input gradient's phases are written by the SIMD convolution.
  { h: 10, w: 10, k: 3, cin: 4, cout: 3, stride: 3, pad: 'same' },
  { h: 11, w: 10, k: 5, cin: 8, cout: 6, stride: [2, 1], pad: 'valid' },
  { h: 13, w: 12, k: 5, cin: 4, cout: 3, stride: 2, pad: 'valid' },
  { h: 9, w: 7, k: 3, cin: 12, cout: 8, stride: 2, pad: 'same' },
];

interface Grads {
  y: Float32Array;
  dx: Float32Array;
  df: Float32Array;
}

/** Forward value and both gradients of Σ dy⊙conv(x, f) on the active backend, from fixed data. */
function run(c: Case, seed: number): Grads {
  const tf = getTf();
  return tf.tidy(() => {
    const x = tf.tensor4d(data(2 * c.h * c.w * c.cin, seed), [2, c.h, c.w, c.cin]);
    const f = tf.tensor4d(data(c.k * c.k * c.cin * c.cout, seed + 1), [c.k, c.k, c.cin, c.cout]);
    const y = conv2d(x, f, c.stride, c.pad);
    const dy = tf.tensor(data(y.size, seed + 2), y.shape);
    const [dx, df] = tf.grads((a: tfc.Tensor, b: tfc.Tensor) => tf.sum(tf.mul(conv2d(a as tfc.Tensor4D, b as tfc.Tensor4D, c.stride, c.pad), dy)))([x, f]);
    return { y: y.dataSync() as Float32Array, dx: dx!.dataSync() as Float32Array, df: df!.dataSync() as Float32Array };
  });
}

function assertNear(a: Float32Array, b: Float32Array, where: string): void {
  assert.equal(a.length, b.length, `${where}: length`);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-4 * (1 + Math.abs(b[i]!)), `${where}[${i}]: ${a[i]} vs ${b[i]}`);
}

describe('conv2d', () => {
  it("should give wasm the same values and gradients as cpu's stock kernels", async () => {
    for (const [k, c] of CASES.entries()) {
      await setupBackend('cpu');
      const ref = run(c, 10 * k);
      await setupBackend('wasm');
      const got = run(c, 10 * k);
      const where = `${c.h}×${c.w} k${c.k} s${String(c.stride)} ${c.pad}`;
      assertNear(got.y, ref.y, `${where} y`);
      assertNear(got.dx, ref.dx, `${where} dx`);
      assertNear(got.df, ref.df, `${where} dfilter`);
    }
  });

  it('should compute the filter and input gradients through forward convolutions on any backend', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const c = CASES[6]!;
    const x = tf.randomNormal([2, c.h, c.w, c.cin], 0, 1, 'float32', 1) as tfc.Tensor4D;
    const f = tf.randomNormal([c.k, c.k, c.cin, c.cout], 0, 1, 'float32', 2) as tfc.Tensor4D;
    const dy = tf.randomNormal(tf.conv2d(x, f, 3, 'same').shape, 0, 1, 'float32', 3) as tfc.Tensor4D;
    const [dxRef, dfRef] = tf.grads((a: tfc.Tensor, b: tfc.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tfc.Tensor4D, b as tfc.Tensor4D, 3, 'same'), dy)))([x, f]);
    assertNear(conv2dFilterGrad(tf, x, dy, f.shape, [3, 3], 'same').dataSync() as Float32Array, dfRef!.dataSync() as Float32Array, 'filter');
    assertNear(conv2dInputGrad(tf, x.shape, dy, f, [3, 3], 'same').dataSync() as Float32Array, dxRef!.dataSync() as Float32Array, 'input');
  });

  it('should give the same input gradient by stride phases and by the sub-pixel convolution as the stock kernel', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    for (const [k, c] of CASES.entries()) {
      const x = tf.tensor4d(data(2 * c.h * c.w * c.cin, k), [2, c.h, c.w, c.cin]);
      const f = tf.tensor4d(data(c.k * c.k * c.cin * c.cout, k + 1), [c.k, c.k, c.cin, c.cout]);
      const dy = tf.tensor(data(tf.conv2d(x, f, c.stride, c.pad).size, k + 2), tf.conv2d(x, f, c.stride, c.pad).shape) as tfc.Tensor4D;
      const ref = tf.grad((a: tfc.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tfc.Tensor4D, f, c.stride, c.pad), dy)))(x).dataSync() as Float32Array;
      const s: [number, number] = typeof c.stride === 'number' ? [c.stride, c.stride] : c.stride;
      const where = `${c.h}×${c.w} k${c.k} s${String(c.stride)} ${c.pad}`;
      assertNear(conv2dInputGrad(tf, x.shape, dy, f, s, c.pad).dataSync() as Float32Array, ref, `${where} phases`);
      assertNear(conv2dInputGrad(tf, x.shape, dy, f, s, c.pad, true).dataSync() as Float32Array, ref, `${where} sub-pixel`);
    }
  });

  it('should give a convolution with a fused bias and ReLU the values and gradients of conv2d, add and relu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await setupBackend(backend);
      const tf = getTf();
      for (const [k, c] of CASES.entries()) {
        for (const relu of [true, false]) {
          const x = tf.tensor4d(data(2 * c.h * c.w * c.cin, k), [2, c.h, c.w, c.cin]);
          const f = tf.tensor4d(data(c.k * c.k * c.cin * c.cout, k + 1), [c.k, c.k, c.cin, c.cout]);
          const b = tf.tensor1d(data(c.cout, k + 3));
          const w = tf.tensor(data(conv2d(x, f, c.stride, c.pad).size, k + 2), conv2d(x, f, c.stride, c.pad).shape);
          const unfused = (a: tfc.Tensor, g: tfc.Tensor, h: tfc.Tensor): tfc.Tensor => {
            const y = tf.add(conv2d(a as tfc.Tensor4D, g as tfc.Tensor4D, c.stride, c.pad), h);
            return tf.sum(tf.mul(relu ? tf.relu(y) : y, w));
          };
          const fused = (a: tfc.Tensor, g: tfc.Tensor, h: tfc.Tensor): tfc.Tensor => tf.sum(tf.mul(conv2dBias(a as tfc.Tensor4D, g as tfc.Tensor4D, h as tfc.Tensor1D, c.stride, c.pad, relu), w));
          const where = `${backend} ${c.h}×${c.w} k${c.k} s${String(c.stride)} ${c.pad} relu ${relu}`;
          const want = tf.grads(unfused)([x, f, b]);
          const got = tf.grads(fused)([x, f, b]);
          assertNear(Float32Array.of(fused(x, f, b).dataSync()[0]!), Float32Array.of(unfused(x, f, b).dataSync()[0]!), `${where} value`);
          ['x', 'filter', 'bias'].forEach((n, i) => assertNear(got[i]!.dataSync() as Float32Array, want[i]!.dataSync() as Float32Array, `${where} d${n}`));
        }
      }
    }
  });

  it('should reuse one filter across inputs of several sizes (a head over pyramid levels) with the stock gradients, and keep no tensors per update', async () => {
    const grads = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
      await setupBackend(backend);
      const tf = getTf();
      // A first layer per input, then one shared filter over all of them: its input gradient is needed.
      const f1 = tf.variable(tf.tensor4d(data(3 * 3 * 3 * 4, 1), [3, 3, 3, 4]));
      const f2 = tf.variable(tf.tensor4d(data(3 * 3 * 4 * 5, 2), [3, 3, 4, 5]));
      const xs = [8, 4, 2, 1].map((s, k) => tf.tensor4d(data(2 * s * s * 3, 10 + k), [2, s, s, 3]));
      const opt = tf.train.sgd(0.01);
      const out: Float32Array[] = [];
      const counts: number[] = [];
      for (let step = 0; step < 4; step++) {
        const loss = (): tfc.Scalar =>
          tf.addN(xs.map((x, k) => tf.sum(tf.mul(conv2d(tf.relu(conv2d(x, f1 as tfc.Tensor4D, 1, 'same')), f2 as tfc.Tensor4D, 1, 'same'), k + 1)))) as tfc.Scalar;
        const { value, grads: g } = tf.variableGrads(loss, [f1, f2]);
        out.push(g[f1.name]!.dataSync() as Float32Array, g[f2.name]!.dataSync() as Float32Array);
        opt.applyGradients(g);
        tf.dispose([value, ...Object.values(g)]);
        counts.push(tf.memory().numTensors);
      }
      assert.equal(new Set(counts.slice(1)).size, 1, `${backend}: tensors after each update ${counts.join(', ')}`);
      tf.dispose([f1, f2, ...xs]);
      opt.dispose();
      return out;
    };
    const ref = await grads('cpu');
    const got = await grads('wasm');
    got.forEach((g, k) => assertNear(g, ref[k]!, `${k % 2 ? 'shared' : 'first'} filter gradient, step ${(k >> 1) + 1}`));
  });

  it('should give one filter used at strides 1 and 2 in one graph the stock input gradients', async () => {
    const run1 = async (backend: 'wasm' | 'cpu'): Promise<Float32Array> => {
      await setupBackend(backend);
      const tf = getTf();
      const f = tf.tensor4d(data(3 * 3 * 4 * 5, 3), [3, 3, 4, 5]);
      const x = tf.tensor4d(data(2 * 8 * 8 * 4, 4), [2, 8, 8, 4]);
      const loss = (a: tfc.Tensor): tfc.Tensor => tf.add(tf.sum(tf.square(conv2d(a as tfc.Tensor4D, f, 1, 'same'))), tf.sum(tf.square(conv2d(a as tfc.Tensor4D, f, 2, 'same'))));
      return tf.grad(loss)(x).dataSync() as Float32Array;
    };
    assertNear(await run1('wasm'), await run1('cpu'), 'input gradient');
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`should train a tiny conv net on ${backend}: the loss decreases over 20 SGD steps`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      const x = tf.randomNormal([4, 16, 16, 3], 0, 1, 'float32', 7) as tfc.Tensor4D;
      // Target: a fixed random function of the input, which the net can fit.
      const target = tf.tidy(() => tf.tanh(tf.conv2d(tf.conv2d(x, tf.randomNormal([3, 3, 3, 4], 0, 0.5, 'float32', 8) as tfc.Tensor4D, 2, 'same'), tf.randomNormal([3, 3, 4, 2], 0, 0.5, 'float32', 9) as tfc.Tensor4D, 2, 'same')));
      const w1 = tf.variable(tf.randomNormal([3, 3, 3, 8], 0, 0.3, 'float32', 11));
      const w2 = tf.variable(tf.randomNormal([3, 3, 8, 2], 0, 0.3, 'float32', 12));
      const opt = tf.train.sgd(0.05);
      const losses: number[] = [];
      for (let step = 0; step < 20; step++) {
        const loss = opt.minimize(() => {
          const h = tf.relu(conv2d(x, w1 as tfc.Tensor4D, 2, 'same'));
          return tf.mean(tf.square(tf.sub(conv2d(h, w2 as tfc.Tensor4D, 2, 'same'), target))) as tfc.Scalar;
        }, true)!;
        losses.push(loss.dataSync()[0]!);
        loss.dispose();
      }
      assert.ok(losses.every(Number.isFinite), `finite losses: ${losses.join(', ')}`);
      assert.ok(losses[19]! < 0.7 * losses[0]!, `loss ${losses[0]} → ${losses[19]}`);
      tf.dispose([x, target, w1, w2]);
    });
  }
});
