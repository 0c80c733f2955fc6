import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { conv2dFilterGrad } from '../../src/train/conv.js';
import { filterGradKernels, simdFilterGradFits } from '../../src/train/filter-grad-simd.js';
import { backendMemory } from '../../src/train/host-kernel.js';
import { data, type ConvCase } from './_helpers/data.js';

type Case = ConvCase;

// Channel counts cover the 4×8 tile, the 4-wide output tail (cout ≡ 4 mod 8) and the one-channel input tail (cin mod 4).
const CASES: Case[] = [
  { n: 2, h: 9, w: 9, k: 3, cin: 4, cout: 8, stride: [1, 1], pad: 'same' },
  { n: 2, h: 10, w: 10, k: 3, cin: 5, cout: 12, stride: [2, 2], pad: 'same' },
  { n: 1, h: 11, w: 7, k: 5, cin: 9, cout: 4, stride: [2, 1], pad: 'valid' },
  { n: 3, h: 7, w: 12, k: 3, cin: 3, cout: 16, stride: [1, 3], pad: 'same' },
  { n: 2, h: 6, w: 6, k: 1, cin: 32, cout: 24, stride: [2, 2], pad: 'same' },
  // Rows of more than one block's pixels, and blocks of several rows.
  { n: 1, h: 3, w: 300, k: 3, cin: 4, cout: 8, stride: [1, 1], pad: 'same' },
  { n: 2, h: 40, w: 5, k: 3, cin: 8, cout: 4, stride: [1, 1], pad: 'same' },
];

/** dW by its definition, in float64: the oracle. */
function reference(c: Case, x: Float32Array, dy: Float32Array, oh: number, ow: number, top: number, left: number): Float64Array {
  const out = new Float64Array(c.k * c.k * c.cin * c.cout);
  for (let i = 0; i < c.k; i++)
    for (let j = 0; j < c.k; j++)
      for (let b = 0; b < c.n; b++)
        for (let r = 0; r < oh; r++)
          for (let q = 0; q < ow; q++) {
            const hh = r * c.stride[0] + i - top, ww = q * c.stride[1] + j - left;
            if (hh < 0 || hh >= c.h || ww < 0 || ww >= c.w) continue;
            for (let ci = 0; ci < c.cin; ci++) {
              const xv = x[((b * c.h + hh) * c.w + ww) * c.cin + ci]!;
              for (let co = 0; co < c.cout; co++) out[((i * c.k + j) * c.cin + ci) * c.cout + co]! += xv * dy[((b * oh + r) * ow + q) * c.cout + co]!;
            }
          }
  return out;
}

describe('filter gradient in wasm SIMD', () => {
  it('should write dW as its definition does, on the SIMD path', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    const memory = backendMemory(tf);
    assert.ok(memory, 'the wasm backend exposes its memory');
    assert.ok(filterGradKernels(memory), 'the engine runs wasm SIMD');
    for (const c of CASES) {
      const fs: [number, number, number, number] = [c.k, c.k, c.cin, c.cout];
      const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.cin], fs, c.stride, 1, c.pad);
      const geo = { n: c.n, h: c.h, w: c.w, cin: c.cin, oh: info.outHeight, ow: info.outWidth, cout: c.cout, kh: c.k, kw: c.k, sh: c.stride[0], sw: c.stride[1], top: info.padInfo.top, left: info.padInfo.left };
      assert.ok(simdFilterGradFits(geo));
      const xv = data(c.n * c.h * c.w * c.cin, 1), dyv = data(c.n * info.outHeight * info.outWidth * c.cout, 2);
      const got = tf.tidy(() => conv2dFilterGrad(tf, tf.tensor4d(xv, [c.n, c.h, c.w, c.cin]), tf.tensor4d(dyv, [c.n, info.outHeight, info.outWidth, c.cout]), fs, c.stride, c.pad).dataSync());
      const want = reference(c, xv, dyv, info.outHeight, info.outWidth, info.padInfo.top, info.padInfo.left);
      const where = JSON.stringify(c);
      assert.equal(got.length, want.length, where);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `${where}[${i}]: ${got[i]} vs ${want[i]}`);
    }
  });

  it('should leave output channels that are not a multiple of 4 to the other paths', () => {
    assert.equal(simdFilterGradFits({ n: 1, h: 4, w: 4, cin: 4, oh: 4, ow: 4, cout: 5, kh: 3, kw: 3, sh: 1, sw: 1, top: 1, left: 1 }), false);
  });
});
