/**
 * The region proposal network of mmdetection's faster_rcnn_r50_fpn: one
 * 3×3 conv + objectness and delta 1×1 convs shared by every pyramid level;
 * anchors of side `scale`·stride at three aspect ratios per location;
 * max-IoU targets (0.7 / 0.3, plus each box's best anchor), a balanced
 * sample per image, BCE + L1; proposals per level by objectness, decoded,
 * NMS 0.7 within each level, the best kept per image.
 */
import { clipBoxes, decodeDelta, encodeDelta, type DeltaStds } from './boxes.js';
import { makePoints } from './fcos-assign.js';
import { batchedNms } from './nms.js';
import { zeroLoss } from './one-stage-common.js';
import type { Params } from './params.js';
import { assignMaxIou, sampleBalanced, type MaxIouConfig } from './rpn-assign.js';
import { selectRows } from './select.js';
import { tf, type Scalar, type Tensor2D, type Tensor4D } from './tf.js';
import type { ImageTargets } from './types.js';
import type { SeededRng as Rng } from '../util/rng.js';

export interface RpnConfig {
  /** Anchor side in strides on every level (mmdetection: 8 on COCO-sized images). */
  readonly anchorScale: number;
  readonly anchorRatios: readonly number[];
  /** Anchor assignment: positive at IoU ≥ posIou, negative below negIou, plus each box's best anchor. */
  readonly assign: MaxIouConfig;
  /** Anchors sampled per image, and the largest share of positives among them. */
  readonly samples: number;
  readonly posFraction: number;
  /** Candidates per level before NMS. */
  readonly preNms: number;
  /** IoU of the NMS run within each level over those candidates. */
  readonly nmsIou: number;
  readonly proposalsTrain: number;
  readonly proposalsTest: number;
}

/** The RPN regresses unnormalised deltas. */
export const RPN_STDS: DeltaStds = [1, 1, 1, 1];

/** Anchors for every location of a stride-`s` map, one size × `ratios` per location, location-major. */
export function rpnAnchors(h: number, w: number, s: number, sizes: readonly number[], ratios: readonly number[]): Float32Array {
  const pts = makePoints([[h, w]], [s]);
  const a = sizes.length * ratios.length;
  const out = new Float32Array(4 * h * w * a);
  for (let p = 0; p < h * w; p++) {
    let k = 0;
    for (const size of sizes)
      for (const r of ratios) {
        // ratio = h / w at constant area size².
        const hw = (size * Math.sqrt(1 / r)) / 2, hh = (size * Math.sqrt(r)) / 2;
        out.set([pts.xs[p]! - hw, pts.ys[p]! - hh, pts.xs[p]! + hw, pts.ys[p]! + hh], 4 * (p * a + k++));
      }
  }
  return out;
}

export function initRpn(p: Params, channels: number, cfg: RpnConfig): void {
  const a = cfg.anchorRatios.length;
  p.conv('rpn.conv', 3, channels, channels, { std: 0.01 });
  p.conv('rpn.obj', 1, channels, a, { std: 0.01 });
  p.conv('rpn.del', 1, channels, 4 * a, { std: 0.01 });
}

export interface RpnOutputs {
  /** [B·N, 1] objectness logits, image-major, levels finest first. */
  readonly obj: Tensor2D;
  /** [B·N, 4] deltas. */
  readonly del: Tensor2D;
  /** N anchors (flat N×4), the same for every image. */
  readonly anchors: Float32Array;
  /** Anchors per level. */
  readonly counts: number[];
}

export function runRpn(p: Params, cfg: RpnConfig, feats: readonly Tensor4D[], strides: readonly number[]): RpnOutputs {
  const b = feats[0]!.shape[0];
  const objs: Tensor2D[] = [], dels: Tensor2D[] = [], anchors: Float32Array[] = [], counts: number[] = [];
  feats.forEach((f, l) => {
    const r = p.applyConv('rpn.conv', f);
    objs.push(tf.reshape(p.applyConv('rpn.obj', r, 1, false), [b, -1]) as Tensor2D);
    dels.push(tf.reshape(p.applyConv('rpn.del', r, 1, false), [b, -1]) as Tensor2D);
    const a = rpnAnchors(f.shape[1], f.shape[2], strides[l]!, [cfg.anchorScale * strides[l]!], cfg.anchorRatios);
    anchors.push(a);
    counts.push(a.length / 4);
  });
  const all = new Float32Array(counts.reduce((x, c) => x + 4 * c, 0));
  let o = 0;
  for (const a of anchors) all.set(a, o), (o += a.length);
  return {
    obj: tf.reshape(objs.length === 1 ? objs[0]! : tf.concat(objs, 1), [-1, 1]) as Tensor2D,
    del: tf.reshape(dels.length === 1 ? dels[0]! : tf.concat(dels, 1), [-1, 4]) as Tensor2D,
    anchors: all,
    counts,
  };
}

function bce(logits: Tensor2D, target: Float32Array, denom: number): Scalar {
  const z = tf.tensor2d(target, [target.length, 1]);
  const l = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(l), denom) as Scalar;
}

/** The RPN's objectness BCE and delta L1 over a balanced sample of anchors per image; `sum` totals a count over data-parallel shards. */
export function rpnLosses(out: RpnOutputs, targets: readonly ImageTargets[], cfg: RpnConfig, rng: Rng, sum: (local: number) => number = (n) => n): { rpn_cls: Scalar; rpn_reg: Scalar } {
  const na = out.anchors.length / 4;
  const idx: number[] = [], lab: number[] = [], pos: number[] = [], tgt: number[] = [];
  const d = new Float32Array(4);
  targets.forEach((t, i) => {
    const a = assignMaxIou(out.anchors, t.boxes, cfg.assign);
    const s = sampleBalanced(a.gt, cfg.samples, cfg.posFraction, rng);
    for (const p of s.pos) {
      idx.push(i * na + p), lab.push(1), pos.push(i * na + p);
      encodeDelta(out.anchors, p, t.boxes, a.gt[p]!, RPN_STDS, d, 0);
      tgt.push(...d);
    }
    for (const p of s.neg) idx.push(i * na + p), lab.push(0);
  });
  // Data-parallel shards divide by the whole batch's sample count.
  const n = Math.max(sum(idx.length), 1);
  const rpn_cls = idx.length ? bce(selectRows(out.obj, Int32Array.from(idx)), Float32Array.from(lab), n) : zeroLoss(out.obj);
  const rpn_reg = pos.length
    ? (tf.div(tf.sum(tf.abs(tf.sub(selectRows(out.del, Int32Array.from(pos)), tf.tensor2d(tgt, [pos.length, 4])))), n) as Scalar)
    : zeroLoss(out.del);
  return { rpn_cls, rpn_reg };
}

/** Proposals of every image (flat k×4 each) from the RPN's (detached) outputs. */
export function proposals(out: RpnOutputs, b: number, h: number, w: number, cfg: RpnConfig, post: number): Float32Array[] {
  const obj = out.obj.dataSync() as Float32Array, del = out.del.dataSync() as Float32Array;
  const na = out.anchors.length / 4;
  return Array.from({ length: b }, (_, i) => {
    const boxes: number[] = [], scores: number[] = [], levels: number[] = [];
    const tmp = new Float32Array(4);
    let start = 0;
    out.counts.forEach((count, l) => {
      const order = Array.from({ length: count }, (_, k) => start + k)
        .sort((a, c) => obj[i * na + c]! - obj[i * na + a]! || a - c)
        .slice(0, cfg.preNms);
      for (const k of order) {
        decodeDelta(out.anchors, k, del, 4 * (i * na + k), RPN_STDS, tmp, 0);
        clipBoxes(tmp, h, w);
        if (tmp[2]! - tmp[0]! < 1 || tmp[3]! - tmp[1]! < 1) continue;
        boxes.push(...tmp);
        scores.push(obj[i * na + k]!);
        levels.push(l);
      }
      start += count;
    });
    const keep = batchedNms(boxes, scores, levels, cfg.nmsIou, post);
    const res = new Float32Array(4 * keep.length);
    keep.forEach((k, j) => res.set(boxes.slice(4 * k, 4 * k + 4), 4 * j));
    return res;
  });
}
