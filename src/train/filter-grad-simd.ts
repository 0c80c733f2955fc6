/**
 * The filter gradient of a 2-D convolution as one SIMD pass over x and dy
 * where they lie in tfjs-wasm's heap:
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh+kh−top, ow·sw+kw−left, ci]·dy[n,oh,ow,co]
 *
 * Both operands are read in their own NHWC layout: for a tap (kh, kw) a run
 * of output pixels along a row reads x at a fixed stride and dy
 * contiguously, and a register tile of 4 input × 8 output channels sums
 * their outer products. Through XNNPACK the same sum is a convolution with
 * batch and channels swapped, which costs two transposes, an indirection
 * buffer over every tap, and the packing of dy as a new filter on every
 * call (about 10 ns per value), and whose GEMM reduces over N·OH·OW with a
 * packed operand too large for the cache (docs/tensor.md).
 *
 * The pixels are taken in blocks of output rows so that the rows of x and
 * dy a block reads stay in the first-level cache while every tile of
 * channels and every tap passes over them.
 */
import type { ConvShape } from './conv-simd.js';
import { Code, I32, kernelsPerMemory, V128, type ExportedFunction } from './wasm-emit.js';

/** Parameters of every tile function, in order. */
const PARAMS = ['xp', 'xRow', 'dp', 'dRow', 'rows', 'cnt', 'xCol', 'dCol', 'outp', 'outRow', 'cb0', 'cb1', 'ob0', 'ob1'] as const;
const P = Object.fromEntries(PARAMS.map((n, i) => [n, i])) as Record<(typeof PARAMS)[number], number>;

/**
 * out[ci, co] += Σ_{r<rows, q<cnt} x[xp + r·xRow + q·xCol + 4ci]·dy[dp + r·dRow + q·dCol + 4co]
 * for ci in [cb0, cb1) by `ciB` and co in [ob0, ob1) by `coB` (byte
 * addresses; out rows `outRow` bytes apart).
 */
function tileFunction(ciB: 1 | 4, coB: 4 | 8): ExportedFunction {
  const c = new Code(PARAMS.length);
  const [cb, ob, r, q, xr, dr, xq, dq, o] = Array.from({ length: 9 }, () => c.local(I32)) as [number, number, number, number, number, number, number, number, number];
  const vecs = coB / 4;
  const acc = Array.from({ length: ciB }, () => Array.from({ length: vecs }, () => c.local(V128)));
  const d = Array.from({ length: vecs }, () => c.local(V128));
  const s = c.local(V128);
  const eachAcc = (f: (a: number, h: number) => void): void => {
    for (let j = 0; j < ciB; j++) {
      for (let h = 0; h < vecs; h++) f(acc[j]![h]!, h);
      c.incBy(o, P.outRow);
    }
  };
  const tileStart = (): void => {
    c.get(P.outp).get(cb).get(P.outRow).mul().add().get(ob).i32(4).mul().add().set(o);
  };
  c.get(P.cb0).set(cb);
  c.loop();
  c.get(P.ob0).set(ob);
  c.loop();
  tileStart();
  eachAcc((a, h) => c.get(o).v128Load(16 * h).set(a));
  c.get(P.xp).get(cb).i32(4).mul().add().set(xr);
  c.get(P.dp).get(ob).i32(4).mul().add().set(dr);
  c.get(P.rows).set(r);
  c.loop();
  c.get(xr).set(xq).get(dr).set(dq).get(P.cnt).set(q);
  c.loop();
  for (let h = 0; h < vecs; h++) c.get(dq).v128Load(16 * h).set(d[h]!);
  for (let j = 0; j < ciB; j++) {
    c.get(xq).load32Splat(4 * j).set(s);
    for (let h = 0; h < vecs; h++) c.get(acc[j]![h]!).get(s).get(d[h]!).f32x4Mul().f32x4Add().set(acc[j]![h]!);
  }
  c.incBy(xq, P.xCol).incBy(dq, P.dCol);
  c.get(q).i32(1).sub().tee(q).brIf(0);
  c.end();
  c.incBy(xr, P.xRow).incBy(dr, P.dRow);
  c.get(r).i32(1).sub().tee(r).brIf(0);
  c.end();
  tileStart();
  eachAcc((a, h) => c.get(o).get(a).v128Store(16 * h));
  c.inc(ob, coB).get(ob).get(P.ob1).ltS().brIf(0);
  c.end();
  c.inc(cb, ciB).get(cb).get(P.cb1).ltS().brIf(0);
  c.end();
  return { name: `t${ciB}x${coB}`, params: PARAMS.length, code: c };
}

type Tile = (...args: number[]) => void;

interface Kernels {
  readonly t4x8: Tile;
  readonly t4x4: Tile;
  readonly t1x8: Tile;
  readonly t1x4: Tile;
}

/** The kernels bound to a memory, or undefined where the engine has no wasm SIMD. */
export const filterGradKernels = kernelsPerMemory<Kernels>(() => [tileFunction(4, 8), tileFunction(4, 4), tileFunction(1, 8), tileFunction(1, 4)]);

/** Shapes and geometry of one filter gradient: the input unpadded (h×w) and its padding before the first row and column. */
export interface FilterGradGeometry extends ConvShape {
  readonly h: number;
  readonly w: number;
  readonly top: number;
  readonly left: number;
}

/** Whether `filterGradInto` handles the geometry: output channels a multiple of 4. */
export function simdFilterGradFits(g: FilterGradGeometry): boolean {
  return g.cout % 4 === 0;
}

/** Output pixels per block: the rows of x and dy a block reads fit the first-level cache. */
const BLOCK_PIXELS = 128;

/**
 * Writes dW (KH×KW×Cin×Cout, zeros on entry) at byte address `out` from x
 * at `x` and dy at `dy` (NHWC float32), all in the kernels' memory.
 */
export function filterGradInto(k: Kernels, g: FilterGradGeometry, x: number, dy: number, out: number): void {
  const { n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, top, left } = g;
  const ci4 = cin - (cin % 4), co8 = cout - (cout % 8);
  const xRow = sh * w * cin * 4, dRow = ow * cout * 4, xCol = sw * cin * 4, dCol = cout * 4, outRow = cout * 4;
  const rb = Math.max(1, Math.floor(BLOCK_PIXELS / ow));
  for (let b = 0; b < n; b++)
    for (let r0 = 0; r0 < oh; r0 += rb) {
      const r1 = Math.min(oh, r0 + rb);
      for (let i = 0; i < kh; i++) {
        // Output rows whose input row r·sh + i − top lies inside the image.
        const ra = Math.max(r0, Math.ceil((top - i) / sh)), rz = Math.min(r1, Math.floor((h - 1 + top - i) / sh) + 1);
        if (ra >= rz) continue;
        for (let j = 0; j < kw; j++) {
          const q0 = Math.max(0, Math.ceil((left - j) / sw)), q1 = Math.min(ow, Math.floor((w - 1 + left - j) / sw) + 1);
          if (q0 >= q1) continue;
          const xp = x + (((b * h + ra * sh + i - top) * w + q0 * sw + j - left) * cin) * 4;
          const dp = dy + (((b * oh + ra) * ow + q0) * cout) * 4;
          const op = out + (i * kw + j) * cin * cout * 4;
          const rows = rz - ra, cnt = q1 - q0;
          if (ci4 > 0) {
            if (co8 > 0) k.t4x8(xp, xRow, dp, dRow, rows, cnt, xCol, dCol, op, outRow, 0, ci4, 0, co8);
            if (co8 < cout) k.t4x4(xp, xRow, dp, dRow, rows, cnt, xCol, dCol, op, outRow, 0, ci4, co8, cout);
          }
          if (ci4 < cin) {
            if (co8 > 0) k.t1x8(xp, xRow, dp, dRow, rows, cnt, xCol, dCol, op, outRow, ci4, cin, 0, co8);
            if (co8 < cout) k.t1x4(xp, xRow, dp, dRow, rows, cnt, xCol, dCol, op, outRow, ci4, cin, co8, cout);
          }
        }
      }
    }
}
