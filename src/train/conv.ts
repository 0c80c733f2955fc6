/**
 * A 2-D convolution that trains on every backend.
 *
 * The `wasm` backend of tfjs 4.22 has no Conv2DBackpropFilter kernel, so the
 * stock gradient of Conv2D throws there, and its Conv2DBackpropInput is a
 * plain loop far slower than its XNNPACK forward convolution. We replace the
 * gradient of the Conv2D kernel (tfjs keeps one gradient per kernel name, for
 * all backends) by one that uses the backend's own kernels where it has them
 * and otherwise builds both gradients from kernels wasm runs fast:
 * - filter: the input is unfolded into patches (pad + strided slices +
 *   concat, "im2col") and multiplied with the output gradient by one matMul;
 * - input: the output gradient, dilated by the stride and padded, is
 *   convolved with the spatially flipped, channel-transposed filter, so the
 *   work runs in XNNPACK's forward convolution.
 * The gradient stays lazy per input, as tfjs's own is: an input that no
 * trainable variable depends on (the image at the first layer) costs nothing.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';
import { getTf } from './backend.js';

type T4 = tfc.Tensor4D;
type Pad = 'same' | 'valid';

const installed = new WeakSet<object>();

/** True when the active backend has its own filter-gradient kernel. */
function hasKernel(tf: Tf, name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * How the input gradient is computed on backends without a fast native
 * kernel: `conv` routes it through the forward convolution (fast on wasm),
 * `native` uses Conv2DBackpropInput. Exposed for the benchmark and tests.
 */
export type InputGradPath = 'native' | 'conv';

/** Per backend, how the input gradient is computed; backends not listed use their native kernel. */
const INPUT_GRAD_PATH = new Map<string, InputGradPath>([['wasm', 'conv']]);

/** Chooses the input-gradient path for a backend (the benchmark compares both). */
export function setInputGradPath(backend: string, path: InputGradPath): void {
  INPUT_GRAD_PATH.set(backend, path);
}

/**
 * dL/dfilter as one forward convolution: dW[kh,kw,ci,co] = Σ_{b,oh,ow}
 * xpad[b, oh·s+kh, ow·s+kw, ci]·dy[b,oh,ow,co] is a correlation of the padded
 * input, with batch and channels swapped (Cin as the batch, N as the
 * channels), by dy used as an OH×OW filter dilated by the stride. XNNPACK runs
 * it as one GEMM; the patch-matrix route (strided slices + matMul) measured
 * 7-17× slower on wasm.
 */
export function conv2dFilterGrad(tf: Tf, x: T4, dy: T4, filterShape: readonly [number, number, number, number], strides: [number, number], pad: Pad | number): T4 {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape as [number, number, number, number], strides, 1, pad);
    const [kh, kw, cin, cout] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    const xt = tf.transpose(xp, [3, 1, 2, 0]) as T4;
    const dt = tf.transpose(dy, [1, 2, 0, 3]) as T4;
    const full = tf.conv2d(xt, dt, 1, 'valid', 'NHWC', strides);
    const g = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [cin, kh, kw, cout]);
    return tf.transpose(g, [1, 2, 0, 3]) as T4;
  });
}

/**
 * dL/dx as a forward convolution: dy dilated by the stride (zeros between
 * samples), padded so that a 'valid' convolution with the flipped filter
 * lands on the input's size.
 */
export function conv2dInputGrad(tf: Tf, xShape: readonly [number, number, number, number], dy: T4, filter: T4, strides: [number, number], pad: Pad | number): T4 {
  return tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filter.shape, strides, 1, pad);
    const [n, h, w] = xShape;
    const [sh, sw] = strides;
    const [, oh, ow, cout] = dy.shape;
    let d: T4 = dy;
    if (sh > 1 || sw > 1) {
      // Interleave zeros: [n, oh, 1, ow, 1, c] padded to [n, oh, sh, ow, sw, c].
      const six = tf.reshape(dy, [n, oh, 1, ow, 1, cout]);
      const spread = tf.pad(six, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
      d = tf.slice(tf.reshape(spread, [n, oh * sh, ow * sw, cout]) as T4, [0, 0, 0, 0], [n, (oh - 1) * sh + 1, (ow - 1) * sw + 1, cout]);
    }
    const dh = (oh - 1) * sh + 1;
    const dw = (ow - 1) * sw + 1;
    const pt = kh - 1 - info.padInfo.top;
    const pl = kw - 1 - info.padInfo.left;
    const pb = h + kh - 1 - dh - pt;
    const pr = w + kw - 1 - dw - pl;
    // Negative pads (input rows the convolution never read) become a crop.
    const padded = tf.pad(d, [[0, 0], [Math.max(pt, 0), Math.max(pb, 0)], [Math.max(pl, 0), Math.max(pr, 0)], [0, 0]]);
    const cropped =
      pt < 0 || pb < 0 || pl < 0 || pr < 0
        ? tf.slice(padded, [0, Math.max(-pt, 0), Math.max(-pl, 0), 0], [n, h + kh - 1, w + kw - 1, cout])
        : padded;
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as T4;
    return tf.conv2d(cropped, flipped, 1, 'valid');
  });
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad | number;
  dilations?: number | [number, number];
  dataFormat?: string;
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/**
 * Replaces the gradient of tfjs's Conv2D kernel by one that works on every
 * backend (see the file comment). Idempotent; `setupBackend` calls it.
 */
export function installConvGradient(tf: Tf): void {
  if (installed.has(tf.registerGradient)) return;
  installed.add(tf.registerGradient);
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [T4, T4];
      const a = attrs as unknown as ConvAttrs;
      const strides = pair(a.strides);
      const dil = pair(a.dilations ?? 1);
      if (dil[0] !== 1 || dil[1] !== 1) throw new Error(`conv2d gradient: dilations ${dil.join('×')} are not supported`);
      if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error(`conv2d gradient: data format ${a.dataFormat} is not supported`);
      const d = dy as T4;
      const viaConv = INPUT_GRAD_PATH.get(tf.getBackend()) === 'conv';
      return {
        x: () =>
          viaConv
            ? conv2dInputGrad(tf, x.shape, d, filter, strides, a.pad)
            : tf.conv2dTranspose(d, filter, x.shape, strides, a.pad as Pad),
        filter: () =>
          hasKernel(tf, 'Conv2DBackpropFilter')
            ? tf.tidy(() => {
                // The op-level conv2DBackpropFilter is not exported; run the kernel as the stock gradient does.
                return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, { strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: filter.shape } as unknown as tfc.NamedAttrMap) as T4;
              })
            : conv2dFilterGrad(tf, x, d, filter.shape, strides, a.pad),
      };
    },
  });
}

/**
 * 2-D convolution, NHWC input and HWIO filter, differentiable on every backend.
 * The detectors build every convolution on this.
 *
 * @example
 * const y = conv2d(tf.zeros([1, 8, 8, 3]), tf.zeros([3, 3, 3, 16]), 2, 'same'); // 1×4×4×16
 */
export function conv2d(x: T4, filter: T4, strides: number | [number, number], pad: Pad): T4 {
  const tf = getTf();
  installConvGradient(tf);
  return tf.conv2d(x, filter, strides, pad);
}
