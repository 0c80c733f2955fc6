/**
 * The forward 2-D convolution (NHWC input, HWIO filter, optional bias and
 * ReLU) as a SIMD kernel of ours over tfjs-wasm's heap.
 *
 * A register tile of 4 output pixels along a row × 8 output channels
 * accumulates, for every tap and input channel, 4 broadcast inputs times 8
 * filter values read straight from the HWIO filter. Padding costs no copy:
 * pixels whose window the border cuts go one at a time over the taps that
 * land inside the input, the rest in tiles over every tap. XNNPACK's convolution reached about 7.4 GMAC/s at the
 * detectors' shapes with a filter it had packed before; every step's filters
 * are new to it (docs/tensor.md).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';
import type { WasmHeapBackend } from './host-kernel.js';
import { Code, I32, kernelsPerMemory, V128, type ExportedFunction } from './wasm-emit.js';

const PARAMS = ['xp', 'xRowStep', 'xPix', 'xTapRow', 'rows', 'tiles', 'wp', 'outp', 'outRowStep', 'bp', 'ci', 'co', 'kh', 'kw', 'ob0', 'ob1', 'wSkip', 'outPix'] as const;
const P = Object.fromEntries(PARAMS.map((n, i) => [n, i])) as Record<(typeof PARAMS)[number], number>;

/**
 * For `rows` rows of `tiles` tiles of `px` output pixels and the output
 * channels [ob0, ob1) by `coB`: out = bias + Σ_{taps, ci} x·w, then ReLU if
 * `relu`, over `kh`×`kw` taps from the one `xp` and `wp` point at (the
 * filter skips `wSkip` bytes after each row of taps, for a window cut by the
 * border). Byte addresses; output pixels `outPix` bytes apart along a row.
 */
function tileFunction(px: 1 | 4, coB: 4 | 8, relu: boolean): ExportedFunction {
  const c = new Code(PARAMS.length);
  const [ob, r, t, xr, orow, xt, ot, xi, xj, wi, i, j, k, coBytes] = Array.from({ length: 14 }, () => c.local(I32)) as number[] as [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  const xk = Array.from({ length: px }, () => c.local(I32));
  const vecs = coB / 4;
  const acc = Array.from({ length: px }, () => Array.from({ length: vecs }, () => c.local(V128)));
  const w = Array.from({ length: vecs }, () => c.local(V128));
  const s = c.local(V128);
  const zero = c.local(V128);
  c.get(P.co).i32(4).mul().set(coBytes);
  c.get(P.ob0).set(ob);
  c.loop(); // output-channel blocks
  c.get(P.xp).set(xr);
  c.get(P.outp).get(ob).i32(4).mul().add().set(orow);
  c.get(P.rows).set(r);
  c.loop(); // rows
  c.get(xr).set(xt).get(orow).set(ot).get(P.tiles).set(t);
  c.loop(); // tiles along the row
  for (let p = 0; p < px; p++) for (let h = 0; h < vecs; h++) c.get(P.bp).get(ob).i32(4).mul().add().v128Load(16 * h).set(acc[p]![h]!);
  c.get(xt).set(xi);
  c.get(P.wp).get(ob).i32(4).mul().add().set(wi);
  c.get(P.kh).set(i);
  c.loop(); // filter rows
  c.get(xi).set(xj);
  c.get(P.kw).set(j);
  c.loop(); // filter columns
  c.get(xj).set(xk[0]!);
  for (let p = 1; p < px; p++) c.get(xk[p - 1]!).get(P.xPix).add().set(xk[p]!);
  c.get(P.ci).set(k);
  c.loop(); // input channels
  for (let h = 0; h < vecs; h++) c.get(wi).v128Load(16 * h).set(w[h]!);
  for (let p = 0; p < px; p++) {
    c.get(xk[p]!).load32Splat(0).set(s);
    for (let h = 0; h < vecs; h++) c.get(acc[p]![h]!).get(s).get(w[h]!).f32x4Mul().f32x4Add().set(acc[p]![h]!);
    c.inc(xk[p]!, 4);
  }
  c.incBy(wi, coBytes);
  c.get(k).i32(1).sub().tee(k).brIf(0);
  c.end();
  c.get(xj).get(P.ci).i32(4).mul().add().set(xj);
  c.get(j).i32(1).sub().tee(j).brIf(0);
  c.end();
  c.incBy(wi, P.wSkip);
  c.incBy(xi, P.xTapRow);
  c.get(i).i32(1).sub().tee(i).brIf(0);
  c.end();
  if (relu) c.v128Zero().set(zero);
  for (let p = 0; p < px; p++)
    for (let h = 0; h < vecs; h++) {
      c.get(ot);
      c.get(acc[p]![h]!);
      if (relu) c.get(zero).f32x4Pmax();
      c.v128Store(16 * h);
      if (h === vecs - 1) c.incBy(ot, P.outPix);
    }
  c.get(xt).get(P.xPix).i32(px).mul().add().set(xt);
  c.get(t).i32(1).sub().tee(t).brIf(0);
  c.end();
  c.incBy(xr, P.xRowStep).incBy(orow, P.outRowStep);
  c.get(r).i32(1).sub().tee(r).brIf(0);
  c.end();
  c.inc(ob, coB).get(ob).get(P.ob1).ltS().brIf(0);
  c.end();
  return { name: `c${px}x${coB}${relu ? 'r' : ''}`, params: PARAMS.length, code: c };
}

type Tile = (...args: number[]) => void;
type Kernels = Record<string, Tile>;

/** The kernels bound to a memory, or undefined where the engine has no wasm SIMD. */
export const convKernels = kernelsPerMemory<Kernels>(() => {
  const fns: ExportedFunction[] = [];
  for (const px of [4, 1] as const) for (const coB of [8, 4] as const) for (const relu of [false, true]) fns.push(tileFunction(px, coB, relu));
  return fns;
});

/** Sizes of one convolution that the forward kernel and the filter gradient's share. */
export interface ConvShape {
  readonly n: number;
  readonly cin: number;
  readonly oh: number;
  readonly ow: number;
  readonly cout: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
}

/** One convolution: the input unpadded (h×w), its padding before the first row and column, the output oh×ow. */
export interface ConvGeometry extends ConvShape {
  readonly h: number;
  readonly w: number;
  readonly top: number;
  readonly left: number;
}

/** Runs of output positions along one axis, each with the taps that land inside the input. */
interface AxisRun {
  /** First output position, and how many. */
  readonly at: number;
  readonly count: number;
  /** First tap inside the input, and how many. */
  readonly k0: number;
  readonly taps: number;
}

/**
 * The output positions [0, out) of an axis of input size `size`, filter
 * size `k`, stride `s` and padding `pad` before it: each border position
 * alone with its cut window, the interior as one run with every tap.
 */
function axisRuns(size: number, out: number, k: number, s: number, pad: number): AxisRun[] {
  const clamp = (v: number, lo: number): number => Math.min(out, Math.max(lo, v));
  const a = clamp(Math.ceil(pad / s), 0), b = clamp(Math.floor((size - k + pad) / s) + 1, a);
  const edge = (p: number): AxisRun => {
    const k0 = Math.max(0, pad - p * s);
    return { at: p, count: 1, k0, taps: Math.min(k, size + pad - p * s) - k0 };
  };
  const runs: AxisRun[] = [];
  for (let p = 0; p < a; p++) runs.push(edge(p));
  if (b > a) runs.push({ at: a, count: b - a, k0: 0, taps: k });
  for (let p = Math.max(a, b); p < out; p++) runs.push(edge(p));
  return runs;
}

/** Whether every output position's window reaches the input: the first and last along each axis do. */
export function windowsReachInput(g: ConvGeometry): boolean {
  const reach = (size: number, out: number, k: number, s: number, pad: number): boolean => out > 0 && k - 1 - pad >= 0 && (out - 1) * s - pad <= size - 1;
  return reach(g.h, g.oh, g.kh, g.sh, g.top) && reach(g.w, g.ow, g.kw, g.sw, g.left);
}

/** Where output pixel (image, row, column) goes, in bytes from the output's address. */
export interface OutputLayout {
  readonly image: number;
  readonly row: number;
  readonly pixel: number;
}

/**
 * Writes y (N×OH×OW×Cout) at `out` from x at `x` (NHWC, zero outside the
 * h×w input), the HWIO filter at `w` and Cout biases at `b`; by default y is
 * contiguous NHWC, `layout` places it otherwise (a stride phase of a larger
 * grid). Every window must reach the input (`windowsReachInput`).
 */
export function convInto(k: Kernels, g: ConvGeometry, x: number, w: number, b: number, out: number, relu: boolean, layout?: OutputLayout): void {
  const o = layout ?? { image: g.oh * g.ow * g.cout * 4, row: g.ow * g.cout * 4, pixel: g.cout * 4 };
  const xImage = g.h * g.w * g.cin * 4;
  const calls = plan(k, g, o, relu);
  for (let i = 0; i < g.n; i++)
    for (const c of calls) c.f(x + i * xImage + c.x, c.xRowStep, c.xPix, c.xTapRow, c.rows, c.tiles, w + c.w, out + i * o.image + c.out, o.row, b, g.cin, g.cout, c.kh, c.kw, c.ob0, c.ob1, c.wSkip, o.pixel);
}

/** One kernel call of a convolution's image, its addresses relative to the image's input, the filter and the image's output. */
interface Call {
  readonly f: Tile;
  readonly x: number;
  readonly w: number;
  readonly out: number;
  readonly xRowStep: number;
  readonly xPix: number;
  readonly xTapRow: number;
  readonly rows: number;
  readonly tiles: number;
  readonly kh: number;
  readonly kw: number;
  readonly ob0: number;
  readonly ob1: number;
  readonly wSkip: number;
}

/** The calls of one image, by kernels, geometry, layout and activation: a training step repeats the same convolutions. */
const plans = new WeakMap<Kernels, Map<string, Call[]>>();

function plan(k: Kernels, g: ConvGeometry, o: OutputLayout, relu: boolean): Call[] {
  const key = `${g.h},${g.w},${g.cin},${g.oh},${g.ow},${g.cout},${g.kh},${g.kw},${g.sh},${g.sw},${g.top},${g.left},${o.row},${o.pixel},${relu}`;
  let byKey = plans.get(k);
  if (!byKey) plans.set(k, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const { h, w: wd, cin, oh, ow, cout, kh, kw, sh, sw, top, left } = g;
  const co8 = cout - (cout % 8);
  const xRowStep = sh * wd * cin * 4, xPix = sw * cin * 4, xTapRow = wd * cin * 4, tapBytes = cin * cout * 4;
  const r = relu ? 'r' : '';
  const rows = axisRuns(h, oh, kh, sh, top);
  // Interior runs go in tiles of 4 pixels and single pixels after them; border pixels alone.
  const cols = axisRuns(wd, ow, kw, sw, left).flatMap((c) => {
    const quads = c.taps === kw ? Math.floor(c.count / 4) : 0;
    const parts: (AxisRun & { px: 1 | 4; tiles: number })[] = [];
    if (quads > 0) parts.push({ ...c, px: 4, tiles: quads });
    if (c.count > quads * 4) parts.push({ ...c, at: c.at + quads * 4, count: c.count - quads * 4, px: 1, tiles: c.count - quads * 4 });
    return parts;
  });
  const calls: Call[] = [];
  for (const rr of rows)
    for (const cc of cols) {
      const common = {
        x: ((rr.at * sh + rr.k0 - top) * wd + cc.at * sw + cc.k0 - left) * cin * 4,
        w: (rr.k0 * kw + cc.k0) * tapBytes,
        out: rr.at * o.row + cc.at * o.pixel,
        xRowStep,
        xPix,
        xTapRow,
        rows: rr.count,
        tiles: cc.tiles,
        kh: rr.taps,
        kw: cc.taps,
        wSkip: (kw - cc.taps) * tapBytes,
      };
      if (co8 > 0) calls.push({ ...common, f: k[`c${cc.px}x8${r}`]!, ob0: 0, ob1: co8 });
      if (co8 < cout) calls.push({ ...common, f: k[`c${cc.px}x4${r}`]!, ob0: co8, ob1: cout });
    }
  byKey.set(key, calls);
  return calls;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
}

/** A per-axis attribute (strides, dilations) as [height, width]; absent means 1. */
export const pair = (v: number | [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);

/**
 * Runs Conv2D or FusedConv2D through `convInto` when it applies (NHWC,
 * float32, no dilation, output channels a multiple of 4, no activation or
 * ReLU, a bias per channel or none); undefined otherwise.
 */
function simdConv(tf: Tf, args: { inputs: Record<string, tfc.TensorInfo | undefined>; backend: unknown; attrs?: unknown }): tfc.TensorInfo | undefined {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const a = args.attrs as ConvAttrs;
  const activation = a.activation ?? 'linear';
  if (!x || !filter || preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return undefined;
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC' || x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const dil = pair(a.dilations);
  if (dil[0] !== 1 || dil[1] !== 1) return undefined;
  const [n, h, w, cin] = x.shape as [number, number, number, number];
  const [kh, kw, , cout] = filter.shape as [number, number, number, number];
  if (cout % 4 !== 0 || (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== cout))) return undefined;
  const b = args.backend as WasmHeapBackend;
  const k = convKernels(b.wasm.asm.memory);
  if (!k) return undefined;
  const strides = pair(a.strides);
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, 1, a.pad, a.dimRoundingMode);
  const geo = { n, h, w, cin, oh: info.outHeight, ow: info.outWidth, cout, kh, kw, sh: strides[0], sw: strides[1], top: info.padInfo.top, left: info.padInfo.left };
  // tfjs sizes a numeric pad with unequal strides by the height's stride on both axes; its own kernels then read zeros past the input.
  if (!windowsReachInput(geo)) return undefined;
  const out = b.makeOutput([n, info.outHeight, info.outWidth, cout], 'float32');
  const zeroBias = bias ? undefined : b.makeOutput([cout], 'float32');
  if (zeroBias) b.typedArrayFromHeap(zeroBias).fill(0);
  const at = (t: tfc.TensorInfo): number => b.dataIdMap.get(t.dataId)!.memoryOffset;
  convInto(k, geo, at(x), at(filter), at(bias ?? zeroBias!), at(out), activation === 'relu');
  if (zeroBias) b.disposeData(zeroBias.dataId);
  return out;
}

const installed = new WeakSet<object>();

/**
 * Puts `simdConv` in front of wasm's Conv2D and FusedConv2D kernels; the
 * stock kernels run whatever it does not take. Idempotent; `setupBackend`
 * calls it.
 */
export function installSimdConv(tf: Tf): void {
  if (installed.has(tf.registerKernel)) return;
  for (const name of ['Conv2D', 'FusedConv2D']) {
    const stock = tf.getKernel(name, 'wasm');
    if (!stock) return;
    installed.add(tf.registerKernel);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      setupFunc: stock.setupFunc,
      disposeFunc: stock.disposeFunc,
      kernelFunc: (args) => simdConv(tf, args as Parameters<typeof simdConv>[1]) ?? stock.kernelFunc(args),
    });
  }
}
