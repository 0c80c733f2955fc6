/**
 * A 2-D convolution that trains on every backend.
 *
 * The `wasm` backend of tfjs 4.22 has no Conv2DBackpropFilter kernel, so the
 * stock gradient of Conv2D throws there, and its Conv2DBackpropInput is a
 * plain loop far slower than its XNNPACK forward convolution. We replace the
 * gradient of the Conv2D kernel (tfjs keeps one gradient per kernel name, for
 * all backends) by one that uses the backend's own kernels where it has them
 * and otherwise builds both gradients from forward convolutions, which
 * XNNPACK runs fast:
 * - filter: on wasm a SIMD kernel of ours over x and dy in the heap;
 *   elsewhere the input, batch and channels swapped, correlated with the
 *   output gradient used as a filter dilated by the stride;
 * - input: per stride phase of the input grid, the output gradient
 *   correlated with the flipped, channel-transposed taps that reach it, the
 *   phases then interleaved.
 * A layer with a bias runs tfjs's FusedConv2D kernel (bias and ReLU applied
 * as the convolution writes its output), whose gradient we supply too. On
 * wasm both kernels, and so the forward pass and the input gradient's phase
 * convolutions, run a SIMD kernel of ours where it applies (conv-simd.ts).
 * The gradient stays lazy per input, as tfjs's own is: an input that no
 * trainable variable depends on (the image at the first layer) costs nothing.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';
import { getTf } from './backend.js';
import { onHostMemory } from './backend-names.js';
import { convInto, convKernels, pair, windowsReachInput } from './conv-simd.js';
import { filterGradInto, filterGradKernels, simdFilterGradFits } from './filter-grad-simd.js';
import { backendMemory, channelSums, heapKernel, hostKernel } from './host-kernel.js';

type T4 = tfc.Tensor4D;
type Pad = 'same' | 'valid';

const installed = new WeakSet<object>();

/** True when the active backend has its own filter-gradient kernel. */
function hasKernel(tf: Tf, name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * How the input gradient is computed: `phases` as one forward convolution
 * per stride phase, `conv` as one forward convolution over all phases
 * (sub-pixel, for equal strides; else per phase), `native` with the
 * backend's Conv2DBackpropInput. Exposed for the benchmark and tests.
 */
export type InputGradPath = 'native' | 'conv' | 'phases';

/** Per backend, how the input gradient is computed; backends not listed use their native kernel. */
const INPUT_GRAD_PATH = new Map<string, InputGradPath>([['wasm', 'phases']]);

/** Chooses the input-gradient path for a backend (the benchmark compares both). */
export function setInputGradPath(backend: string, path: InputGradPath): void {
  INPUT_GRAD_PATH.set(backend, path);
}

/**
 * Input channels up to which the filter gradient is a patch matrix times dy
 * (`patchFilterGrad`) rather than a convolution. With few input channels
 * (the image's three) the convolution form is a GEMM of only 9·Cin rows,
 * whose every tap reads just the batch's few values; measured at the first
 * layers of bench:conv and the detectors (Cin 3) the patch matrix took
 * 0.84-0.90× the time (paired runs), and from Cin 16 on 1.3-3×
 * (docs/tensor.md).
 */
const PATCH_MAX_CIN = 4;

/**
 * dL/dfilter: dW[kh,kw,ci,co] = Σ_{b,oh,ow} xpad[b, oh·s+kh, ow·s+kw, ci]·dy[b,oh,ow,co].
 * On a backend that keeps tensors in one WebAssembly memory (wasm), with
 * output channels a multiple of 4: one SIMD pass over x and dy where they
 * lie (filter-grad-simd.ts), 3–5× faster than the forms below at the
 * detectors' shapes. Otherwise as one forward convolution: a correlation of
 * the padded input, with batch and channels swapped (Cin as the batch, N as the channels), by dy used as
 * an OH×OW filter dilated by the stride, which XNNPACK runs as one GEMM. For
 * few input channels, a patch matrix built in one host pass times dy
 * (`patchFilterGrad`).
 */
export function conv2dFilterGrad(tf: Tf, x: T4, dy: T4, filterShape: readonly [number, number, number, number], strides: [number, number], pad: Pad | number): T4 {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape as [number, number, number, number], strides, 1, pad);
    const [kh, kw, cin, cout] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const geo = { n: x.shape[0], h: x.shape[1], w: x.shape[2], cin, oh: dy.shape[1], ow: dy.shape[2], cout, kh, kw, sh: strides[0], sw: strides[1], top, left };
    const memory = backendMemory(tf);
    const kernels = memory && simdFilterGradFits(geo) ? filterGradKernels(memory) : undefined;
    if (kernels) return heapKernel(tf, [x, dy], [filterShape], ([xp, dp], [op]) => filterGradInto(kernels, geo, xp!, dp!, op!))![0] as T4;
    if (cin <= PATCH_MAX_CIN) return patchFilterGrad(tf, x, dy, filterShape, strides, top, left);
    // The padding goes to the convolution itself (explicit padding): a separate Pad would copy the whole activation.
    const xt = tf.transpose(x, [3, 1, 2, 0]) as T4;
    const dt = tf.transpose(dy, [1, 2, 0, 3]) as T4;
    const full = tf.conv2d(xt, dt, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', strides);
    const g = full.shape[1] === kh && full.shape[2] === kw ? full : tf.slice(full, [0, 0, 0, 0], [cin, kh, kw, cout]);
    return tf.transpose(g, [1, 2, 0, 3]) as T4;
  });
}

/**
 * The patch matrix P[(kh, kw, ci), (b, oh, ow)] = xpad[b, oh·s+kh, ow·s'+kw, ci]
 * (zero in the padding), written row by row in one pass over x.
 */
function patches(x: Float32Array, p: Float32Array, xShape: readonly number[], kh: number, kw: number, oh: number, ow: number, sh: number, sw: number, top: number, left: number): void {
  const [n, h, w, cin] = xShape as [number, number, number, number];
  const step = sw * cin;
  let o = 0;
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      // Output columns whose input column q·sw + j − left lies inside the image.
      const q0 = Math.max(0, Math.ceil((left - j) / sw)), q1 = Math.min(ow, Math.floor((w - 1 + left - j) / sw) + 1);
      for (let ci = 0; ci < cin; ci++)
        for (let b = 0; b < n; b++)
          for (let r = 0; r < oh; r++, o += ow) {
            const hh = r * sh + i - top;
            if (hh < 0 || hh >= h) continue;
            let xi = ((b * h + hh) * w + q0 * sw + j - left) * cin + ci;
            for (let q = q0; q < q1; q++, xi += step) p[o + q] = x[xi]!;
          }
    }
}

/** dW = P·dy with P the patch matrix (`patches`) and dy read as its (N·OH·OW)×Cout matrix: one XNNPACK matMul. */
function patchFilterGrad(tf: Tf, x: T4, dy: T4, filterShape: readonly [number, number, number, number], strides: [number, number], top: number, left: number): T4 {
  const [kh, kw, cin, cout] = filterShape;
  const [n, oh, ow] = dy.shape;
  const k = n * oh * ow;
  const [p] = hostKernel(tf, [x], [[kh * kw * cin, k]], ([xv], [out]) => patches(xv as Float32Array, out!, x.shape, kh, kw, oh, ow, strides[0], strides[1], top, left));
  return tf.reshape(tf.matMul(p as tfc.Tensor2D, tf.reshape(dy, [k, cout]) as tfc.Tensor2D), [kh, kw, cin, cout]) as T4;
}

/**
 * On wasm, every phase's correlation written by the SIMD convolution
 * (conv-simd.ts) straight into its rows s·p + r and columns s'·q + c of dx:
 * dx[r + s·p] = Σ_t dy[p + t − before]·F[t], so `before` is the
 * convolution's padding, and no phase output or interleaving pass exists.
 * Undefined where the kernels do not apply (input channels not a multiple
 * of 4, a phase window that misses dy).
 */
function simdPhases(tf: Tf, dy: T4, fs: readonly T4[], active: readonly { r: number; c: number; pr: Phase; pc: Phase }[], strides: [number, number], xShape: [number, number, number, number]): T4 | undefined {
  const [n, h, w, cin] = xShape;
  const [, oh, ow, cout] = dy.shape;
  const memory = cin % 4 === 0 ? backendMemory(tf) : undefined;
  const kernels = memory && convKernels(memory);
  if (!kernels) return undefined;
  const [sh, sw] = strides;
  const geos = active.map(({ r, c, pr, pc }) => ({ n, h: oh, w: ow, cin: cout, oh: Math.ceil((h - r) / sh), ow: Math.ceil((w - c) / sw), cout: cin, kh: pr.taps, kw: pc.taps, sh: 1, sw: 1, top: pr.before, left: pc.before }));
  if (!geos.every(windowsReachInput)) return undefined;
  const layout = { image: h * w * cin * 4, row: sh * w * cin * 4, pixel: sw * cin * 4 };
  const zero = tf.zeros([cin]);
  const [dx] = heapKernel(tf, [dy, zero, ...fs], [xShape], ([dp, zp, ...fps], [out]) =>
    active.forEach(({ r, c }, k) => convInto(kernels, geos[k]!, dp!, fps[k]!, zp!, out! + (r * w + c) * cin * 4, false, layout)),
  )!;
  return dx as T4;
}

/** One output phase of a strided convolution's input gradient, along one axis. */
interface Phase {
  /** First filter tap that reaches positions of this phase. */
  readonly k0: number;
  /** Number of taps (k0, k0+s, …) that do. */
  readonly taps: number;
  /** Padding of dy before/after (negative: crop) so that a 'valid' correlation gives `len` positions. */
  readonly before: number;
  readonly after: number;
}

/**
 * Positions h = s·p + r of the input receive dy[p + c − m]·W[k0 + s·m] with
 * k0 = (r + padTop) mod s and c = ⌊(r + padTop)/s⌋: a correlation of dy with
 * the taps k0, k0+s, … in reverse order. Every phase is computed at the
 * length of phase 0 so the phases interleave; the excess is cropped.
 */
function phases(size: number, out: number, k: number, s: number, padTop: number): { len: number; list: Phase[] } {
  const len = Math.ceil(size / s);
  const list: Phase[] = [];
  for (let r = 0; r < s; r++) {
    const k0 = (r + padTop) % s;
    const c = Math.floor((r + padTop) / s);
    const taps = k0 < k ? Math.ceil((k - k0) / s) : 0;
    const before = taps - 1 - c;
    list.push({ k0, taps, before, after: len + taps - 1 - out - before });
  }
  return { len, list };
}

function padOrCrop(tf: Tf, t: T4, top: number, bottom: number, left: number, right: number): T4 {
  const padded = top > 0 || bottom > 0 || left > 0 || right > 0 ? tf.pad(t, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]) : t;
  if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return padded;
  const [n, h, w, c] = padded.shape;
  const t0 = Math.max(-top, 0);
  const l0 = Math.max(-left, 0);
  return tf.slice(padded, [0, t0, l0, 0], [n, h - t0 - Math.max(-bottom, 0), w - l0 - Math.max(-right, 0), c]);
}

/**
 * dL/dx as forward convolutions, so the work runs in XNNPACK. `subPixel`
 * (equal strides only) takes one convolution (`subPixelInputGrad`); the
 * default is one correlation of dy with the flipped, channel-transposed
 * filter per stride phase (`phaseInputGrad`: s² of them, each with only the
 * taps that reach that phase), interleaved back into the input's grid. At
 * stride 1 both are the one correlation with the flipped filter. Dilating dy
 * with zeros instead would spend s² times the arithmetic on zeros; the native
 * Conv2DBackpropInput of wasm is a plain loop.
 */
export function conv2dInputGrad(tf: Tf, xShape: readonly [number, number, number, number], dy: T4, filter: T4, strides: [number, number], pad: Pad | number, subPixel = false): T4 {
  return tf.tidy(() => {
    const [kh, kw, cin] = filter.shape;
    const info = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filter.shape, strides, 1, pad);
    const [n, h, w] = xShape;
    const [sh, sw] = strides;
    const [, oh, ow] = dy.shape;
    const rows = phases(h, oh, kh, sh, info.padInfo.top);
    const cols = phases(w, ow, kw, sw, info.padInfo.left);
    if (subPixel && sh === sw) return subPixelInputGrad(tf, dy, filter, sh, rows, cols, [n, h, w, cin]);
    return phaseInputGrad(tf, dy, filter, strides, rows, cols, [n, h, w, cin]);
  });
}

/** The phases of both axes that some tap reaches, with their filter's shape [taps, taps, cout, cin]. */
function activePhases(rows: { list: Phase[] }, cols: { list: Phase[] }): { r: number; c: number; pr: Phase; pc: Phase }[] {
  const out: { r: number; c: number; pr: Phase; pc: Phase }[] = [];
  rows.list.forEach((pr, r) => cols.list.forEach((pc, c) => pr.taps > 0 && pc.taps > 0 && out.push({ r, c, pr, pc })));
  return out;
}

/**
 * Each phase's filter F[ta, tb, co, ci] = W[k0 + s·(taps − 1 − ta), k0' + s'·(taps' − 1 − tb), ci, co]:
 * its taps in reverse order, channels transposed, read from the filter's
 * values in one pass per phase (on the tensor side: two gathers, a reverse
 * and a transpose per phase, each a generic wasm loop).
 */
function phaseFilter(wv: Float32Array, out: Float32Array, shape: readonly [number, number, number, number], pr: Phase, pc: Phase, sh: number, sw: number): void {
  const [, kw, cin, cout] = shape;
  let o = 0;
  for (let ta = 0; ta < pr.taps; ta++)
    for (let tb = 0; tb < pc.taps; tb++) {
      const i = pr.k0 + sh * (pr.taps - 1 - ta), j = pc.k0 + sw * (pc.taps - 1 - tb);
      const base = (i * kw + j) * cin * cout;
      for (let co = 0; co < cout; co++) for (let ci = 0; ci < cin; ci++) out[o++] = wv[base + ci * cout + co]!;
    }
}

/**
 * Writes phase (r, c)'s correlation `src` ([n, lr, lc, cin], read from row
 * `or` and column `oc` on) into the input grid at rows s·p + r and columns
 * s'·q + c: a run of cin values per position.
 */
function interleave(src: Float32Array, dx: Float32Array, dxShape: readonly number[], srcShape: readonly number[], r: number, c: number, or: number, oc: number, sh: number, sw: number): void {
  const [n, h, w, cin] = dxShape as [number, number, number, number];
  const [, lr, lc] = srcShape as [number, number, number, number];
  const cols = Math.ceil((w - c) / sw), skip = (sw - 1) * cin;
  for (let b = 0; b < n; b++)
    for (let p = 0, hp = r; hp < h; p++, hp += sh) {
      let si = ((b * lr + p + or) * lc + oc) * cin, di = ((b * h + hp) * w + c) * cin;
      for (let q = 0; q < cols; q++, di += skip) {
        const end = si + cin;
        while (si < end) dx[di++] = src[si++]!;
      }
    }
}

/** Phase filters built from a filter's values, by the filter's buffer (see `memoPhaseFilters`). */
const phaseFilterMemo = new Map<object, { spec: string; filters: T4[] }>();

interface RefCounts {
  refCount(dataId: object): number;
}

/**
 * The phase filters of `filter` for the phase layout `spec`, built once per
 * filter buffer: a detector's head applies one filter to every pyramid
 * level, and with the same filter tensor for all of them the backend's
 * convolution also keeps its packed copy (XNNPACK packs a new filter
 * tensor's values again, about as costly as building it). Kept outside any
 * scope; an entry goes once the backend holds no reference to its filter's
 * buffer (the optimizer has replaced the weights), checked whenever a
 * filter is built.
 */
function memoPhaseFilters(tf: Tf, filter: T4, spec: string, build: () => T4[]): T4[] {
  const id = filter.dataId as object;
  const hit = phaseFilterMemo.get(id);
  if (hit && hit.spec === spec && hit.filters.every((f) => !f.isDisposed)) return hit.filters;
  const backend = tf.backend() as unknown as Partial<RefCounts>;
  if (typeof backend.refCount !== 'function') return build();
  for (const [key, e] of phaseFilterMemo)
    if (key === id || backend.refCount(key) === 0) {
      tf.dispose(e.filters);
      phaseFilterMemo.delete(key);
    }
  const filters = build().map((f) => tf.keep(f));
  phaseFilterMemo.set(id, { spec, filters });
  return filters;
}

/**
 * The input gradient as one correlation per stride phase: phase (r, c) of
 * the input grid (rows s·p + r, columns s'·q + c) receives dy correlated with
 * the taps that reach it, so the s² convolutions together do the arithmetic
 * of one forward convolution (the sub-pixel form does (⌈k/s⌉·s)²/k² of it:
 * 16/9 for 3×3 at stride 2). The phase filters are built in one host
 * kernel, dy's padding is each convolution's own (a negative one becomes an
 * offset where the result is read), and the phases land in the grid in one
 * host pass; positions no tap reaches stay zero.
 */
function phaseInputGrad(tf: Tf, dy: T4, filter: T4, strides: [number, number], rows: { len: number; list: Phase[] }, cols: { len: number; list: Phase[] }, xShape: [number, number, number, number]): T4 {
  const [sh, sw] = strides;
  const [, , cin, cout] = filter.shape;
  const active = activePhases(rows, cols);
  if (active.length === 0) return tf.zeros(xShape) as T4;
  const spec = `${sh},${sw}:${active.map(({ pr, pc }) => `${pr.k0},${pr.taps},${pc.k0},${pc.taps}`).join(';')}`;
  const fs = memoPhaseFilters(tf, filter, spec, () =>
    hostKernel(
      tf,
      [filter],
      active.map(({ pr, pc }) => [pr.taps, pc.taps, cout, cin]),
      ([wv], outs) => active.forEach(({ pr, pc }, k) => phaseFilter(wv as Float32Array, outs[k]!, filter.shape, pr, pc, sh, sw)),
    ) as T4[],
  );
  const direct = simdPhases(tf, dy, fs, active, strides, xShape);
  if (direct) return direct;
  const parts = active.map(({ pr, pc }, k) => tf.conv2d(dy, fs[k]!, 1, [[0, 0], [Math.max(pr.before, 0), Math.max(pr.after, 0)], [Math.max(pc.before, 0), Math.max(pc.after, 0)], [0, 0]]));
  const only = active[0]!;
  if (sh === 1 && sw === 1 && only.pr.before >= 0 && only.pc.before >= 0 && parts[0]!.shape[1] === xShape[1] && parts[0]!.shape[2] === xShape[2]) return parts[0]!;
  const [dx] = hostKernel(tf, parts, [xShape], (srcs, [out]) =>
    active.forEach(({ r, c, pr, pc }, k) => interleave(srcs[k] as Float32Array, out!, xShape, parts[k]!.shape, r, c, Math.max(-pr.before, 0), Math.max(-pc.before, 0), sh, sw)),
  );
  return dx as T4;
}

/** One axis of the common window of all phases (`subPixelInputGrad`). */
function windowAxis(ph: { len: number; list: Phase[] }, k: number, s: number, out: number): { idx: number[]; t: number; before: number; after: number } {
  // Phase r reads dy at offsets d = c − m (m < taps) from its output position, c = taps − 1 − before.
  const dmin = Math.min(...ph.list.map((p) => -p.before));
  const dmax = Math.max(...ph.list.map((p) => p.taps - 1 - p.before));
  const t = dmax - dmin + 1;
  const idx: number[] = [];
  for (let i = 0; i < t; i++) {
    for (const p of ph.list) {
      const m = p.taps - 1 - p.before - (dmin + i);
      idx.push(m >= 0 && m < p.taps ? p.k0 + s * m : k); // k: no tap (a zero)
    }
  }
  return { idx, t, before: -dmin, after: ph.len + t - 1 - out + dmin };
}

/**
 * The sub-pixel filter f[th, tw, co, (r·s + c)·cin + ci] = W[ia[th·s + r], ib[tw·s + c], ci, co]
 * (zero where a phase has no tap), rearranged from the filter's values in one
 * pass (zeros stay from the output's initial fill). On the tensor side this was two gathers, a pad, three transposes and
 * reshapes per convolution, each a separate generic wasm loop.
 */
function subPixelFilter(wv: Float32Array, out: Float32Array, shape: readonly [number, number, number, number], ia: readonly number[], ib: readonly number[], s: number): void {
  const [kh, kw, cin, cout] = shape;
  const ta = ia.length / s, tb = ib.length / s;
  let o = 0;
  for (let th = 0; th < ta; th++)
    for (let tw = 0; tw < tb; tw++)
      for (let co = 0; co < cout; co++)
        for (let r = 0; r < s; r++)
          for (let c = 0; c < s; c++) {
            const i = ia[th * s + r]!, j = ib[tw * s + c]!;
            if (i >= kh || j >= kw) {
              o += cin;
              continue;
            }
            const base = (i * kw + j) * cin * cout + co;
            for (let ci = 0; ci < cin; ci++) out[o++] = wv[base + ci * cout]!;
          }
}

/**
 * The input gradient as one convolution ("sub-pixel"): every phase's taps
 * placed in a common window (zeros where a phase has no tap), the phases
 * stacked as output channels, then depth-to-space interleaves them. One
 * well-shaped GEMM instead of s² small ones, each with its own operator
 * set-up, padding and copies. At stride 1 it is the plain correlation of dy
 * with the flipped, channel-transposed filter. dy's padding is the
 * convolution's own (explicit padding), not a separate Pad.
 */
function subPixelInputGrad(tf: Tf, dy: T4, filter: T4, s: number, rows: { len: number; list: Phase[] }, cols: { len: number; list: Phase[] }, xShape: [number, number, number, number]): T4 {
  const [, , cin, cout] = filter.shape;
  const [n, h, w] = xShape;
  const a = windowAxis(rows, filter.shape[0], s, dy.shape[1]);
  const b = windowAxis(cols, filter.shape[1], s, dy.shape[2]);
  const [f] = hostKernel(tf, [filter], [[a.t, b.t, cout, s * s * cin]], ([w], [out]) => subPixelFilter(w as Float32Array, out!, filter.shape, a.idx, b.idx, s)) as [T4];
  const out =
    a.before >= 0 && a.after >= 0 && b.before >= 0 && b.after >= 0
      ? tf.conv2d(dy, f, 1, [[0, 0], [a.before, a.after], [b.before, b.after], [0, 0]])
      : tf.conv2d(padOrCrop(tf, dy, a.before, a.after, b.before, b.after), f, 1, 'valid'); // [n, lh, lw, (r, c, cin)]
  const [, lh, lw] = out.shape;
  // Depth to space: (n·lh, lw, r, (c, cin)) → (n·lh, r, lw, (c, cin)) is the interleaved grid (rank-4 transposes only: wasm's higher-rank Transpose and its DepthToSpace are slow generic loops).
  const dx = s === 1 ? out : (tf.reshape(tf.transpose(tf.reshape(out, [n * lh, lw, s, s * cin]), [0, 2, 1, 3]), [n, lh * s, lw * s, cin]) as T4);
  return dx.shape[1] === h && dx.shape[2] === w ? dx : tf.slice(dx, [0, 0, 0, 0], [n, h, w, cin]);
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad | number;
  dilations?: number | [number, number];
  dataFormat?: string;
}

/**
 * The gradients of a convolution into its input and filter for the output
 * gradient `dz`, each computed only when asked (the input of the first layer
 * needs none): the backend's own kernels where it has them, else the forward
 * convolutions above.
 */
function convGrads(tf: Tf, x: T4, filter: T4, dz: T4, a: ConvAttrs): { x: () => T4; filter: () => T4 } {
  const strides = pair(a.strides);
  const dil = pair(a.dilations ?? 1);
  if (dil[0] !== 1 || dil[1] !== 1) throw new Error(`conv2d gradient: dilations ${dil.join('×')} are not supported`);
  if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error(`conv2d gradient: data format ${a.dataFormat} is not supported`);
  const path = INPUT_GRAD_PATH.get(tf.getBackend()) ?? 'native';
  return {
    x: () => (path === 'native' ? tf.conv2dTranspose(dz, filter, x.shape, strides, a.pad as Pad) : conv2dInputGrad(tf, x.shape, dz, filter, strides, a.pad, path === 'conv')),
    filter: () =>
      hasKernel(tf, 'Conv2DBackpropFilter')
        ? tf.tidy(() => {
            // The op-level conv2DBackpropFilter is not exported; run the kernel as the stock gradient does.
            return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { strides, pad: a.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: filter.shape } as unknown as tfc.NamedAttrMap) as T4;
          })
        : conv2dFilterGrad(tf, x, dz, filter.shape, strides, a.pad),
  };
}

/** The bias gradient: Σ dz over batch and pixels, per channel (tfjs's Sum over axes 0-2 transposes first and took longer). */
function biasSum(dz: Float32Array, db: Float32Array, c: number): void {
  const acc = new Float64Array(c);
  channelSums(dz, 0, dz.length, c, acc);
  db.set(acc);
}

interface FusedAttrs extends ConvAttrs {
  activation?: string;
}

/**
 * Replaces the gradient of tfjs's Conv2D kernel by one that works on every
 * backend (see the file comment), and gives its FusedConv2D kernel (bias and
 * ReLU in the convolution) one. Idempotent; `setupBackend` calls it.
 */
export function installConvGradient(tf: Tf): void {
  if (installed.has(tf.registerGradient)) return;
  installed.add(tf.registerGradient);
  tf.registerGradient({
    kernelName: 'Conv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved as [T4, T4];
      return convGrads(tf, x, filter, dy as T4, attrs as unknown as ConvAttrs);
    },
  });
  tf.registerGradient({
    kernelName: 'FusedConv2D',
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [T4, T4, T4];
      const a = attrs as unknown as FusedAttrs;
      const relu = a.activation === 'relu';
      if (!relu && a.activation !== 'linear') throw new Error(`conv2d gradient: activation ${a.activation} is not supported`);
      const d = dy as T4;
      const c = d.shape[3];
      // Computed once here, not per input: tfjs runs each input's gradient in its own scope.
      // Through the ReLU: dy·step(y), two vectorised kernels (tfjs's own ReLU gradient, less its Cast); NaN stays NaN.
      const dz = relu ? (tf.mul(d, tf.step(y)) as T4) : d;
      const db = onHostMemory(tf.getBackend()) ? (hostKernel(tf, [dz], [[c]], ([g], [b]) => biasSum(g as Float32Array, b!, c))[0] as tfc.Tensor1D) : (tf.sum(dz, [0, 1, 2]) as tfc.Tensor1D);
      return { ...convGrads(tf, x, filter, dz, a), bias: () => db };
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
export function conv2d(x: T4, filter: T4, strides: number | [number, number], pad: Pad | number): T4 {
  const tf = getTf();
  installConvGradient(tf);
  return tf.conv2d(x, filter, strides, pad);
}

/**
 * `conv2d` with a bias and, when asked, a ReLU in the same kernel (tfjs's
 * FusedConv2D: XNNPACK adds the bias and clamps as it writes the output on
 * wasm), so neither is a separate pass over the activation; its gradient
 * takes both in one pass (`biasReluGrad`) before the convolution's own.
 *
 * @example
 * const y = conv2dBias(tf.zeros([1, 8, 8, 3]), tf.zeros([3, 3, 3, 16]), tf.ones([16]), 1, 'same', true); // all ones
 */
export function conv2dBias(x: T4, filter: T4, bias: tfc.Tensor1D, strides: number | [number, number], pad: Pad | number, relu: boolean): T4 {
  const tf = getTf();
  installConvGradient(tf);
  const attrs = { strides: pair(strides), pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation: relu ? 'relu' : 'linear', leakyreluAlpha: 0 };
  return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs as unknown as tfc.NamedAttrMap) as T4;
}
