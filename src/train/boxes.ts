/**
 * The regression domain's inputs from boxes, as the reference computes them
 * (SEMANTICS.md, "How the reference trains"): for predicted and target boxes
 * (x1, y1, x2, y2), I is the clipped overlap area, U = area_p + area_t − I +
 * 1e-7 and E = area of the smallest enclosing box + 1e-7. The 1e-7 terms keep
 * U and E positive for degenerate boxes and are part of the semantics.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { BOX_EPS } from '../symbolic/constants.js';
import type { Tf } from '../symbolic/op-spec.js';

export interface BoxTerms {
  readonly I: tfc.Tensor1D;
  readonly U: tfc.Tensor1D;
  readonly E: tfc.Tensor1D;
}

/**
 * I, U, E for each pair of rows of `pred` and `target` (both N×4), differentiable in both.
 *
 * One tfjs op (`tf.customGrad`) whose forward pass is one JavaScript loop over
 * the boxes and whose backward pass is the vector-Jacobian product into both
 * box tensors in one more loop: the same computation as the twenty-odd tfjs
 * ops it replaces (and their forty-odd gradient ops), whose per-op overhead
 * dominated at detector sizes. Values are rounded to float32 after every
 * operation (`Math.fround`), so I, U, E are bit for bit what float32 tfjs ops
 * give; gradients follow tfjs's tie rules (relu′(0) = 0, min passes to its
 * first argument on ties, max likewise) and are accumulated in float64.
 *
 * @example
 * boxTerms(tf, tf.tensor2d([[0, 0, 2, 2]]), tf.tensor2d([[1, 1, 3, 3]]))
 * // I [1], U [7 + 1e-7], E [9 + 1e-7]
 */
export function boxTerms(tf: Tf, pred: tfc.Tensor2D, target: tfc.Tensor2D): BoxTerms {
  if (pred.rank !== 2 || pred.shape[1] !== 4 || target.rank !== 2 || target.shape[1] !== 4 || pred.shape[0] !== target.shape[0]) {
    throw new RangeError(`boxes must both be N×4 (x1, y1, x2, y2); got ${pred.shape.join('×')} and ${target.shape.join('×')}`);
  }
  const n = pred.shape[0];
  const op = tf.customGrad((...args: unknown[]) => {
    const p = (args[0] as tfc.Tensor).dataSync() as Float32Array;
    const t = (args[1] as tfc.Tensor).dataSync() as Float32Array;
    const iue = boxTermsForward(p, t, n);
    return {
      value: tf.tensor2d(iue, [3, n], 'float32'),
      // The host copies above, not the tensors: a tidy scope may have disposed those by the backward pass.
      gradFunc: (dy: tfc.Tensor) => {
        const [gp, gt] = boxTermsBackward(p, t, dy.dataSync() as Float32Array, n);
        return [tf.tensor2d(gp, [n, 4], 'float32'), tf.tensor2d(gt, [n, 4], 'float32')];
      },
    };
  });
  const [I, U, E] = tf.tidy(() => tf.unstack(op(pred, target) as tfc.Tensor2D, 0) as tfc.Tensor1D[]);
  return { I: I!, U: U!, E: E! };
}

const f32 = Math.fround;
const BOX_EPS32 = f32(BOX_EPS);

/** Rows I, U, E (3×N, row-major) of boxes `p`, `t` (N×4), each operation rounded to float32. */
function boxTermsForward(p: Float32Array, t: Float32Array, n: number): Float32Array {
  const out = new Float32Array(3 * n);
  for (let k = 0; k < n; k++) {
    const o = 4 * k;
    const px1 = p[o]!, py1 = p[o + 1]!, px2 = p[o + 2]!, py2 = p[o + 3]!;
    const tx1 = t[o]!, ty1 = t[o + 1]!, tx2 = t[o + 2]!, ty2 = t[o + 3]!;
    const iw = Math.max(0, f32(Math.min(px2, tx2) - Math.max(px1, tx1)));
    const ih = Math.max(0, f32(Math.min(py2, ty2) - Math.max(py1, ty1)));
    const inter = f32(iw * ih);
    const areaP = f32(f32(px2 - px1) * f32(py2 - py1));
    const areaT = f32(f32(tx2 - tx1) * f32(ty2 - ty1));
    const ew = Math.max(0, f32(Math.max(px2, tx2) - Math.min(px1, tx1)));
    const eh = Math.max(0, f32(Math.max(py2, ty2) - Math.min(py1, ty1)));
    out[k] = inter;
    out[n + k] = f32(f32(f32(areaP + areaT) - inter) + BOX_EPS32);
    out[2 * n + k] = f32(f32(ew * eh) + BOX_EPS32);
  }
  return out;
}

/**
 * The gradients of Σ dI·I + dU·U + dE·E with respect to `p` and `t` (each N×4),
 * for cotangent rows `dy` (3×N) and the forward values; tfjs's subgradient at
 * ties and at zero width.
 */
function boxTermsBackward(p: Float32Array, t: Float32Array, dy: Float32Array, n: number): [Float32Array, Float32Array] {
  const gp = new Float32Array(4 * n);
  const gt = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    const o = 4 * k;
    const px1 = p[o]!, py1 = p[o + 1]!, px2 = p[o + 2]!, py2 = p[o + 3]!;
    const tx1 = t[o]!, ty1 = t[o + 1]!, tx2 = t[o + 2]!, ty2 = t[o + 3]!;
    const dU = dy[n + k]!;
    const dE = dy[2 * n + k]!;
    // U = areaP + areaT − I + ε, so I's cotangent is dI − dU.
    const dInter = dy[k]! - dU;
    let gpx1 = 0, gpy1 = 0, gpx2 = 0, gpy2 = 0, gtx1 = 0, gty1 = 0, gtx2 = 0, gty2 = 0;
    // The areas: (x2 − x1)(y2 − y1), each times dU.
    const pw = f32(px2 - px1), ph = f32(py2 - py1), tw = f32(tx2 - tx1), th = f32(ty2 - ty1);
    gpx2 += dU * ph; gpx1 -= dU * ph; gpy2 += dU * pw; gpy1 -= dU * pw;
    gtx2 += dU * th; gtx1 -= dU * th; gty2 += dU * tw; gty1 -= dU * tw;
    // The overlap: relu(min(x2) − max(x1)) · relu(min(y2) − max(y1)).
    const iwPre = f32(Math.min(px2, tx2) - Math.max(px1, tx1));
    const ihPre = f32(Math.min(py2, ty2) - Math.max(py1, ty1));
    const iw = Math.max(0, iwPre), ih = Math.max(0, ihPre);
    const dIw = iwPre > 0 ? dInter * ih : 0;
    const dIh = ihPre > 0 ? dInter * iw : 0;
    if (px2 <= tx2) gpx2 += dIw; else gtx2 += dIw;
    if (px1 >= tx1) gpx1 -= dIw; else gtx1 -= dIw;
    if (py2 <= ty2) gpy2 += dIh; else gty2 += dIh;
    if (py1 >= ty1) gpy1 -= dIh; else gty1 -= dIh;
    // The enclosing box: relu(max(x2) − min(x1)) · relu(max(y2) − min(y1)).
    const ewPre = f32(Math.max(px2, tx2) - Math.min(px1, tx1));
    const ehPre = f32(Math.max(py2, ty2) - Math.min(py1, ty1));
    const dEw = ewPre > 0 ? dE * Math.max(0, ehPre) : 0;
    const dEh = ehPre > 0 ? dE * Math.max(0, ewPre) : 0;
    if (px2 >= tx2) gpx2 += dEw; else gtx2 += dEw;
    if (px1 <= tx1) gpx1 -= dEw; else gtx1 -= dEw;
    if (py2 >= ty2) gpy2 += dEh; else gty2 += dEh;
    if (py1 <= ty1) gpy1 -= dEh; else gty1 -= dEh;
    gp[o] = gpx1; gp[o + 1] = gpy1; gp[o + 2] = gpx2; gp[o + 3] = gpy2;
    gt[o] = gtx1; gt[o + 1] = gty1; gt[o + 2] = gtx2; gt[o + 3] = gty2;
  }
  return [gp, gt];
}

/**
 * `t` with no gradient flowing back through it (tfjs has no stop-gradient op).
 *
 * @example
 * tf.grad((x) => tf.mul(x, detach(tf, x)))(tf.scalar(3)) // 3, not 6
 */
export function detach<T extends tfc.Tensor>(tf: Tf, t: T): T {
  const f = tf.customGrad((...args: unknown[]) => ({ value: tf.clone(args[0] as tfc.Tensor), gradFunc: (dy: tfc.Tensor) => tf.zerosLike(dy) }));
  return f(t) as T;
}

/**
 * IoU = I/U of each pair, detached (no gradient flows): the Z / Q input of the
 * classification losses and the centerness target of one-stage detectors.
 *
 * @example
 * iouOf(tf, tf.tensor2d([[0, 0, 2, 2]]), tf.tensor2d([[0, 0, 2, 2]])) // [1]
 */
export function iouOf(tf: Tf, pred: tfc.Tensor2D, target: tfc.Tensor2D): tfc.Tensor1D {
  return tf.tidy(() => {
    const { I, U } = boxTerms(tf, detach(tf, pred), detach(tf, target));
    return tf.div(I, U) as tfc.Tensor1D;
  });
}
