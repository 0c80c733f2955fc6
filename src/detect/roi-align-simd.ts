/**
 * RoIAlign's bilinear sum and its scatter-add gradient as SIMD kernels over
 * tfjs-wasm's heap (see src/train/wasm-emit.ts). Each output row (one bin
 * of one RoI) is a weighted sum of feature rows: `start[r]..start[r+1]`
 * index the bin's taps, `cell[t]` is the byte offset of a tap's feature row
 * and `weight[t]` its weight (taps of weight zero are left out, so a
 * non-finite feature a bin does not read stays out of it). Channels go 16
 * at a time, four f32x4 accumulators per tap.
 */
import { Code, I32, kernelsPerMemory, V128, type ExportedFunction } from '../train/wasm-emit.js';

/** Channels per step of the kernels' inner loop. */
export const ROI_CHANNEL_BLOCK = 16;

const VECS = ROI_CHANNEL_BLOCK / 4;

/** y[r] = Σ_t weight[t]·x[cell[t]] for `rows` rows of `cBytes` bytes: (xp, yp, startp, cellp, weightp, rows, cBytes). */
function forward(): ExportedFunction {
  const c = new Code(7);
  const [xp, yp, sp, cp, wp, rows, cBytes] = [0, 1, 2, 3, 4, 5, 6];
  const [t, t1, ch, base] = [c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  const acc = Array.from({ length: VECS }, () => c.local(V128));
  const ws = c.local(V128);
  c.loop(); // rows
  c.get(sp).i32Load(4).set(t1);
  c.i32(0).set(ch);
  c.loop(); // channel blocks
  for (const a of acc) c.v128Zero().set(a);
  c.get(sp).i32Load(0).set(t);
  c.block();
  c.loop(); // taps
  c.get(t).get(t1).geS().brIf(1);
  c.get(wp).get(t).i32(4).mul().add().load32Splat(0).set(ws);
  c.get(cp).get(t).i32(4).mul().add().i32Load(0).get(xp).add().get(ch).add().set(base);
  acc.forEach((a, v) => c.get(a).get(ws).get(base).v128Load(16 * v).f32x4Mul().f32x4Add().set(a));
  c.inc(t, 1).br(0);
  c.end();
  c.end();
  acc.forEach((a, v) => c.get(yp).get(ch).add().get(a).v128Store(16 * v));
  c.inc(ch, 16 * VECS).get(ch).get(cBytes).ltS().brIf(0);
  c.end();
  c.incBy(yp, cBytes).inc(sp, 4);
  c.get(rows).i32(1).sub().tee(rows).brIf(0);
  c.end();
  return { name: 'forward', params: 7, code: c };
}

/** gx[cell[t]] += weight[t]·dy[r] for every tap of `rows` rows: (dyp, gxp, startp, cellp, weightp, rows, cBytes). */
function backward(): ExportedFunction {
  const c = new Code(7);
  const [dyp, gxp, sp, cp, wp, rows, cBytes] = [0, 1, 2, 3, 4, 5, 6];
  const [t, t1, ch, base] = [c.local(I32), c.local(I32), c.local(I32), c.local(I32)];
  const ws = c.local(V128);
  c.loop(); // rows
  c.get(sp).i32Load(0).set(t);
  c.get(sp).i32Load(4).set(t1);
  c.block();
  c.loop(); // taps
  c.get(t).get(t1).geS().brIf(1);
  c.get(wp).get(t).i32(4).mul().add().load32Splat(0).set(ws);
  c.get(cp).get(t).i32(4).mul().add().i32Load(0).get(gxp).add().set(base);
  c.i32(0).set(ch);
  c.loop(); // channel blocks
  for (let v = 0; v < VECS; v++) {
    c.get(base).get(ch).add();
    c.get(base).get(ch).add().v128Load(16 * v);
    c.get(ws).get(dyp).get(ch).add().v128Load(16 * v).f32x4Mul().f32x4Add();
    c.v128Store(16 * v);
  }
  c.inc(ch, 16 * VECS).get(ch).get(cBytes).ltS().brIf(0);
  c.end();
  c.inc(t, 1).br(0);
  c.end();
  c.end();
  c.incBy(dyp, cBytes).inc(sp, 4);
  c.get(rows).i32(1).sub().tee(rows).brIf(0);
  c.end();
  return { name: 'backward', params: 7, code: c };
}

type Kernel = (...args: number[]) => void;

/** The two kernels bound to a memory, or undefined where the engine has no wasm SIMD. */
export const roiAlignKernels = kernelsPerMemory<{ forward: Kernel; backward: Kernel }>(() => [forward(), backward()]);

/** A bin-by-bin tap table without the taps of weight zero. */
export interface TapTable {
  readonly start: Int32Array;
  readonly cell: Int32Array;
  readonly weight: Float32Array;
}

/** Compacts `per` taps per bin (cell indices and weights) into a `TapTable` with byte offsets of rows of `c` channels. */
export function tapTable(taps: readonly { idx: Int32Array; weights: Float32Array }[], per: number, c: number): TapTable {
  let bins = 0, kept = 0;
  for (const { weights } of taps) {
    bins += weights.length / per;
    for (let i = 0; i < weights.length; i++) if (weights[i] !== 0) kept++;
  }
  const start = new Int32Array(bins + 1), cell = new Int32Array(kept), weight = new Float32Array(kept);
  let bin = 0, k = 0;
  for (const { idx, weights } of taps)
    for (let s = 0; s < weights.length; s += per) {
      start[bin++] = k;
      for (let t = s; t < s + per; t++)
        if (weights[t] !== 0) {
          cell[k] = idx[t]! * c * 4;
          weight[k++] = weights[t]!;
        }
    }
  start[bin] = k;
  return { start, cell, weight };
}
