import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { convInto, convKernels, windowsReachInput } from '../../src/train/conv-simd.js';
import { backendMemory, heapKernel } from '../../src/train/host-kernel.js';
import { data, type ConvCase } from './_helpers/data.js';

type Case = ConvCase;

// Widths leave 1–3 pixels past the last tile of 4; cout ≡ 4 mod 8 takes the 4-wide output tile.
const CASES: Case[] = [
  { n: 2, h: 9, w: 9, k: 3, cin: 4, cout: 8, stride: [1, 1], pad: 'same' },
  { n: 2, h: 10, w: 11, k: 3, cin: 5, cout: 12, stride: [2, 2], pad: 'same' },
  { n: 1, h: 11, w: 7, k: 5, cin: 9, cout: 4, stride: [2, 1], pad: 'valid' },
  { n: 3, h: 7, w: 14, k: 3, cin: 3, cout: 16, stride: [1, 3], pad: 'same' },
  { n: 2, h: 7, w: 10, k: 3, cin: 4, cout: 8, stride: [2, 2], pad: 1 },
  { n: 2, h: 6, w: 6, k: 1, cin: 32, cout: 24, stride: [2, 2], pad: 'same' },
  // Windows cut on both sides of one small input, and several border pixels per side.
  { n: 1, h: 3, w: 4, k: 5, cin: 4, cout: 8, stride: [1, 1], pad: 'same' },
  { n: 2, h: 9, w: 13, k: 5, cin: 8, cout: 8, stride: [2, 2], pad: 3 },
];

/** Padded input at (r, q), zero outside. */
function reference(c: Case, x: Float32Array, f: Float32Array, bias: Float32Array, relu: boolean, oh: number, ow: number, top: number, left: number): Float64Array {
  const y = new Float64Array(c.n * oh * ow * c.cout);
  for (let b = 0; b < c.n; b++)
    for (let r = 0; r < oh; r++)
      for (let q = 0; q < ow; q++)
        for (let co = 0; co < c.cout; co++) {
          let s = bias[co]!;
          for (let i = 0; i < c.k; i++)
            for (let j = 0; j < c.k; j++) {
              const hh = r * c.stride[0] + i - top, ww = q * c.stride[1] + j - left;
              if (hh < 0 || hh >= c.h || ww < 0 || ww >= c.w) continue;
              for (let ci = 0; ci < c.cin; ci++) s += x[((b * c.h + hh) * c.w + ww) * c.cin + ci]! * f[((i * c.k + j) * c.cin + ci) * c.cout + co]!;
            }
          y[((b * oh + r) * ow + q) * c.cout + co] = relu ? Math.max(0, s) : s;
        }
  return y;
}

function assertNear(got: ArrayLike<number>, want: ArrayLike<number>, where: string): void {
  assert.equal(got.length, want.length, where);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `${where}[${i}]: ${got[i]} vs ${want[i]}`);
}

describe('convolution in wasm SIMD', () => {
  it('should compute the convolution as its definition does, on the SIMD kernels', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const kernels = convKernels(backendMemory(tf)!);
    assert.ok(kernels, 'the engine runs wasm SIMD');
    for (const c of CASES)
      for (const relu of [false, true]) {
        const fs: [number, number, number, number] = [c.k, c.k, c.cin, c.cout];
        const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], fs, c.stride, 1, c.pad);
        const { top, left } = info.padInfo;
        const xv = data(c.n * c.h * c.w * c.cin, 1), fv = data(fs.reduce((a, b) => a * b), 2), bv = data(c.cout, 3);
        const geo = { n: c.n, h: c.h, w: c.w, cin: c.cin, oh: info.outHeight, ow: info.outWidth, cout: c.cout, kh: c.k, kw: c.k, sh: c.stride[0], sw: c.stride[1], top, left };
        assert.ok(windowsReachInput(geo));
        const got = tf.tidy(() => {
          const ins = [tf.tensor4d(xv, [c.n, c.h, c.w, c.cin]), tf.tensor4d(fv, fs), tf.tensor1d(bv)];
          return heapKernel(tf, ins, [[c.n, info.outHeight, info.outWidth, c.cout]], ([x, f, b], [o]) => convInto(kernels, geo, x!, f!, b!, o!, relu))![0]!.dataSync();
        });
        assertNear(got, reference(c, xv, fv, bv, relu, info.outHeight, info.outWidth, top, left), `${JSON.stringify(c)} relu ${relu}`);
      }
  });

  it('should take a window wholly in the padding as not reaching the input', () => {
    assert.equal(windowsReachInput({ n: 1, h: 4, w: 4, cin: 4, oh: 8, ow: 8, cout: 8, kh: 3, kw: 3, sh: 1, sw: 1, top: 3, left: 3 }), false);
    // tfjs's output size for a numeric pad with strides 1×3 takes the height's stride on both axes.
    assert.equal(windowsReachInput({ n: 1, h: 3, w: 14, cin: 4, oh: 3, ow: 14, cout: 8, kh: 3, kw: 3, sh: 1, sw: 3, top: 1, left: 1 }), false);
  });

  it("should give wasm's Conv2D and FusedConv2D the values of cpu's, including the cases it leaves to the stock kernels", async () => {
    const cases: { c: Case; dilation: number; bias: boolean; act: 'linear' | 'relu' }[] = [
      ...CASES.map((c, i) => ({ c, dilation: 1, bias: i % 2 === 0, act: i % 3 === 0 ? ('relu' as const) : ('linear' as const) })),
      // Taken by the stock kernels: output channels not a multiple of 4, a dilation, a window wholly in the padding.
      { c: { n: 1, h: 4, w: 4, k: 3, cin: 4, cout: 8, stride: [1, 1], pad: 3 }, dilation: 1, bias: true, act: 'relu' },
      { c: { n: 2, h: 8, w: 8, k: 3, cin: 4, cout: 5, stride: [1, 1], pad: 'same' }, dilation: 1, bias: true, act: 'relu' },
      { c: { n: 1, h: 9, w: 9, k: 3, cin: 4, cout: 8, stride: [1, 1], pad: 'same' }, dilation: 2, bias: false, act: 'linear' },
    ];
    const run = async (backend: 'wasm' | 'cpu'): Promise<Float32Array[]> => {
      await setupBackend(backend);
      const tf = getTf();
      return cases.map(({ c, dilation, bias, act }) =>
        tf.tidy(() => {
          const x = tf.tensor4d(data(c.n * c.h * c.w * c.cin, 4), [c.n, c.h, c.w, c.cin]);
          const f = tf.tensor4d(data(c.k * c.k * c.cin * c.cout, 5), [c.k, c.k, c.cin, c.cout]);
          const pad = c.pad as 'same' | 'valid' | number;
          const y = bias || act === 'relu' ? tf.fused.conv2d({ x, filter: f, strides: c.stride, pad, dilations: dilation, bias: bias ? tf.tensor1d(data(c.cout, 6)) : undefined, activation: act }) : tf.conv2d(x, f, c.stride, pad, 'NHWC', dilation);
          return (y as tfc.Tensor).dataSync() as Float32Array;
        }),
      );
    };
    const wasm = await run('wasm');
    const cpu = await run('cpu');
    await setupBackend('wasm');
    cases.forEach(({ c }, i) => assertNear(wasm[i]!, cpu[i]!, JSON.stringify(c)));
  });
});
