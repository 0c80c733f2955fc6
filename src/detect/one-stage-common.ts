/** Pieces FCOS and ATSS share: centerness loss and one-stage post-processing. */
import { clipBoxes } from './boxes.js';
import { batchedNms } from './nms.js';
import { tf, type Scalar, type Tensor2D } from './tf.js';
import { DEFAULT_INFERENCE, type DetectorLosses, type InferenceOptions, type RawDetections } from './types.js';

/** A per-batch count or weight summed over the data-parallel shards (itself on one worker); see `DetectorLosses.batchSum`. */
export function batchSum(losses: DetectorLosses, local: number): number {
  return losses.batchSum ? losses.batchSum(local) : local;
}

/** Binary cross-entropy of centerness logits [P,1] against targets [P], summed and divided by `count` (default P). */
export function centernessLoss(logits: Tensor2D, target: Float32Array, count = target.length): Scalar {
  const z = tf.tensor2d(target, [target.length, 1]);
  // max(x,0) − x·z + log(1 + e^{−|x|}): the stable form of BCE with logits.
  const l = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(l), Math.max(count, 1)) as Scalar;
}

/** A loss of 0 that still touches `t`, so every parameter gets a (zero) gradient. */
export function zeroLoss(t: Tensor2D): Scalar {
  return tf.mul(tf.sum(t), 0) as Scalar;
}

/**
 * mmdetection's one-stage post-processing of one image: candidates are the
 * (location, class) pairs whose class score [N·C] exceeds the threshold;
 * their score is then multiplied by the location's quality (centerness or
 * IoU, [N]); the best `preNms` by that product go through per-class NMS and
 * at most `maxPerImage` are kept.
 */
export function postprocess(
  clsScores: Float32Array,
  quality: Float32Array,
  boxes: Float32Array,
  numClasses: number,
  h: number,
  w: number,
  opts: InferenceOptions = {},
  preNms = 1000,
): RawDetections {
  const o = { ...DEFAULT_INFERENCE, ...opts };
  const cand: number[] = [];
  const score = new Map<number, number>();
  for (let k = 0; k < clsScores.length; k++)
    if (clsScores[k]! > o.scoreThreshold) {
      cand.push(k);
      score.set(k, clsScores[k]! * quality[Math.floor(k / numClasses)]!);
    }
  cand.sort((a, b) => score.get(b)! - score.get(a)! || a - b);
  const top = cand.slice(0, preNms);
  const cb = new Float32Array(4 * top.length), cs = new Float32Array(top.length), cl = new Int32Array(top.length);
  top.forEach((k, i) => {
    const loc = Math.floor(k / numClasses);
    for (let c = 0; c < 4; c++) cb[4 * i + c] = boxes[4 * loc + c]!;
    cs[i] = score.get(k)!;
    cl[i] = k % numClasses;
  });
  clipBoxes(cb, h, w);
  const keep = batchedNms(cb, cs, cl, o.nmsIou, o.maxPerImage);
  const ob = new Float32Array(4 * keep.length);
  keep.forEach((i, j) => ob.set(cb.subarray(4 * i, 4 * i + 4), 4 * j));
  return { boxes: ob, scores: Float32Array.from(keep, (i) => cs[i]!), labels: Int32Array.from(keep, (i) => cl[i]!) };
}
