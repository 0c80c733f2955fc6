/**
 * Decoding (dx, dy, dw, dh) box deltas relative to fixed anchors inside
 * autograd, so a box loss on decoded boxes back-propagates into the deltas.
 */
import { MAX_LOG_RATIO, type DeltaStds } from './boxes.js';
import { tf, type Tensor2D } from './tf.js';

export const DELTA_STDS: DeltaStds = [0.1, 0.1, 0.2, 0.2];

/**
 * Boxes [P,4] from anchors (flat P×4, x1y1x2y2, constant) and deltas [P,4].
 *
 * @example decodeDeltas(Float32Array.of(0, 0, 10, 10), tf.zeros([1, 4]), DELTA_STDS) // [[0, 0, 10, 10]]
 */
export function decodeDeltas(anchors: Float32Array, deltas: Tensor2D, stds: DeltaStds): Tensor2D {
  const p = anchors.length / 4;
  const geo = new Float32Array(4 * p);
  for (let i = 0; i < p; i++) {
    const w = anchors[4 * i + 2]! - anchors[4 * i]!, h = anchors[4 * i + 3]! - anchors[4 * i + 1]!;
    geo.set([anchors[4 * i]! + 0.5 * w, anchors[4 * i + 1]! + 0.5 * h, w, h], 4 * i);
  }
  const g = tf.tensor2d(geo, [p, 4]);
  const [acx, acy, aw, ah] = tf.split(g, 4, 1) as Tensor2D[];
  const [dx, dy, dw, dh] = tf.split(deltas, 4, 1) as Tensor2D[];
  const cx = tf.add(acx!, tf.mul(tf.mul(dx!, stds[0]), aw!));
  const cy = tf.add(acy!, tf.mul(tf.mul(dy!, stds[1]), ah!));
  const w = tf.mul(aw!, tf.exp(tf.clipByValue(tf.mul(dw!, stds[2]), -MAX_LOG_RATIO, MAX_LOG_RATIO)));
  const h = tf.mul(ah!, tf.exp(tf.clipByValue(tf.mul(dh!, stds[3]), -MAX_LOG_RATIO, MAX_LOG_RATIO)));
  return tf.concat([tf.sub(cx, tf.mul(w, 0.5)), tf.sub(cy, tf.mul(h, 0.5)), tf.add(cx, tf.mul(w, 0.5)), tf.add(cy, tf.mul(h, 0.5))], 1) as Tensor2D;
}
