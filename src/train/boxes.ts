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

function columns(tf: Tf, b: tfc.Tensor2D): [tfc.Tensor1D, tfc.Tensor1D, tfc.Tensor1D, tfc.Tensor1D] {
  return tf.unstack(b, 1) as [tfc.Tensor1D, tfc.Tensor1D, tfc.Tensor1D, tfc.Tensor1D];
}

/**
 * I, U, E for each pair of rows of `pred` and `target` (both N×4), differentiable in both.
 *
 * @example
 * boxTerms(tf, tf.tensor2d([[0, 0, 2, 2]]), tf.tensor2d([[1, 1, 3, 3]]))
 * // I [1], U [7 + 1e-7], E [9 + 1e-7]
 */
export function boxTerms(tf: Tf, pred: tfc.Tensor2D, target: tfc.Tensor2D): BoxTerms {
  if (pred.rank !== 2 || pred.shape[1] !== 4 || target.rank !== 2 || target.shape[1] !== 4 || pred.shape[0] !== target.shape[0]) {
    throw new RangeError(`boxes must both be N×4 (x1, y1, x2, y2); got ${pred.shape.join('×')} and ${target.shape.join('×')}`);
  }
  const [I, U, E] = tf.tidy(() => {
    const [px1, py1, px2, py2] = columns(tf, pred);
    const [tx1, ty1, tx2, ty2] = columns(tf, target);
    const iw = tf.relu(tf.sub(tf.minimum(px2, tx2), tf.maximum(px1, tx1)));
    const ih = tf.relu(tf.sub(tf.minimum(py2, ty2), tf.maximum(py1, ty1)));
    const inter = tf.mul(iw, ih);
    const areaP = tf.mul(tf.sub(px2, px1), tf.sub(py2, py1));
    const areaT = tf.mul(tf.sub(tx2, tx1), tf.sub(ty2, ty1));
    const union = tf.add(tf.sub(tf.add(areaP, areaT), inter), BOX_EPS);
    const ew = tf.relu(tf.sub(tf.maximum(px2, tx2), tf.minimum(px1, tx1)));
    const eh = tf.relu(tf.sub(tf.maximum(py2, ty2), tf.minimum(py1, ty1)));
    const enclose = tf.add(tf.mul(ew, eh), BOX_EPS);
    return [inter, union, enclose] as tfc.Tensor1D[];
  });
  return { I: I!, U: U!, E: E! };
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
