/**
 * Two-stage detectors as mmdetection builds them, in one implementation:
 * a trunk with FPN P2–P6 (P6 = P5 subsampled), the RPN on every level
 * (rpn.ts), RoIs pooled from the level their scale maps to by RoIAlign
 * 7×7 with sampling ratio 2, and one or more box-head stages:
 *
 * - Faster R-CNN: one stage (IoU 0.5, target stds 0.1/0.2), class-specific deltas;
 * - Cascade R-CNN: three stages at IoU 0.5/0.6/0.7 with loss weights 1/0.5/0.25
 *   and target stds 0.1/0.05/0.033 (centre) and 0.2/0.1/0.067 (size), class-agnostic
 *   deltas; each stage trains on the previous stage's refined boxes, and at test
 *   time the class scores of the stages are averaged;
 * - Mask R-CNN: Faster R-CNN plus a mask head on the positive RoIs (RoIAlign
 *   14×14, four 3×3 convolutions, a 2×2 stride-2 deconvolution, 28×28 masks per
 *   class, BCE against mask-target.ts's targets); it predicts each detection's
 *   28×28 probabilities, which coco-detections.ts pastes into the image.
 *
 * Classification runs in the `multi` domain (softmax over C+1, background
 * last, Z = IoU of the sample's predicted box with its target); box
 * regression takes a loss on deltas (l1, smooth-l1) or a `reg`-domain loss
 * on the decoded boxes, either multiplied by the recipe's weight, in every stage.
 */
import { alignedIou, clipBoxes, decodeDelta, encodeDelta, type DeltaStds } from './boxes.js';
import { decodeDeltas } from './delta-coder.js';
import { headConvsFor, initTrunk, netFor, runTrunk, strides as levelStrides, type NetConfig } from './network.js';
import { maskTargets } from './mask-target.js';
import { batchSum, zeroLoss } from './one-stage-common.js';
import { batchedNms } from './nms.js';
import { Params } from './params.js';
import { multiLevelRoiAlign } from './roi-align.js';
import { initRpn, proposals, rpnLosses, runRpn, type RpnConfig } from './rpn.js';
import { assignMaxIou, sampleBalanced } from './rpn-assign.js';
import { selectRows } from './select.js';
import { tf, type Scalar, type Tensor2D, type Tensor4D } from './tf.js';
import { DEFAULT_INFERENCE, type Detector, type DetectorKind, type DetectorLosses, type DetectorOptions, type ImageTargets, type InferenceOptions, type RawDetections } from './types.js';
import type { SeededRng as Rng } from '../util/rng.js';

export interface StageConfig {
  /** Foreground IoU of the stage's RoI assignment. */
  readonly iou: number;
  readonly stds: DeltaStds;
  /** Weight of the stage's losses. */
  readonly weight: number;
}

export interface MaskHeadConfig {
  readonly convs: number;
  /** RoIAlign output side; the masks are twice that. */
  readonly roiOut: number;
}

export interface TwoStageConfig {
  readonly net: NetConfig;
  readonly rpn: RpnConfig;
  readonly roiSamples: number;
  readonly roiPosFraction: number;
  readonly roiOut: number;
  readonly samplingRatio: number;
  /** RoIs of side < 2·finestScale pool from P2 (mmdetection: 56 on COCO-sized images). */
  readonly finestScale: number;
  /** Widths of the box head's fully connected layers (mmdetection: 1024, 1024). */
  readonly fcs: readonly number[];
  readonly stages: readonly StageConfig[];
  readonly classAgnostic: boolean;
  readonly mask?: MaskHeadConfig;
}

const FASTER_STAGE: StageConfig = { iou: 0.5, stds: [0.1, 0.1, 0.2, 0.2], weight: 1 };
const CASCADE_STAGES: StageConfig[] = [
  FASTER_STAGE,
  { iou: 0.6, stds: [0.05, 0.05, 0.1, 0.1], weight: 0.5 },
  { iou: 0.7, stds: [0.033, 0.033, 0.067, 0.067], weight: 0.25 },
];

/**
 * The configuration of each two-stage detector for `opts`. Sizes are
 * mmdetection's scaled to small images: anchors of 4 strides (8 on COCO),
 * finest scale 28 (56), fewer samples and proposals.
 */
export function twoStageConfig(kind: 'faster-rcnn' | 'cascade-rcnn' | 'mask-rcnn', opts: DetectorOptions = {}): TwoStageConfig {
  const wide = (opts.backbone ?? 'tiny') !== 'tiny';
  return {
    net: netFor(opts, [2, 3, 4, 5, 6], 'pool'),
    rpn: {
      anchorScale: 4,
      anchorRatios: [0.5, 1, 2],
      assign: { posIou: 0.7, negIou: 0.3, minPosIou: 0.3, matchLowQuality: true },
      samples: 128,
      posFraction: 0.5,
      preNms: 300,
      nmsIou: 0.7,
      proposalsTrain: 200,
      proposalsTest: 100,
    },
    roiSamples: 64,
    roiPosFraction: 0.25,
    roiOut: 7,
    samplingRatio: 2,
    finestScale: 28,
    fcs: opts.boxFc ? [opts.boxFc, opts.boxFc] : wide ? [1024, 1024] : [128, 128],
    stages: kind === 'cascade-rcnn' ? CASCADE_STAGES : [FASTER_STAGE],
    classAgnostic: kind === 'cascade-rcnn',
    ...(kind === 'mask-rcnn' ? { mask: { convs: headConvsFor(opts) >= 4 ? 4 : Math.max(2, headConvsFor(opts)), roiOut: 14 } } : {}),
  };
}

interface StageSample {
  /** Sampled RoIs per image (flat k×4). */
  readonly rois: Float32Array[];
  readonly labels: Int32Array;
  /** Row indices (over all images) of the positives, their target boxes, gt index and image. */
  readonly pos: number[];
  readonly posTarget: Float32Array;
  readonly posGt: number[];
  readonly posImage: number[];
  /** Whether each row is a ground-truth box added to the candidates. */
  readonly isGt: Uint8Array;
}

function sampleStage(cands: Float32Array[], targets: readonly ImageTargets[], stage: StageConfig, cfg: TwoStageConfig, numClasses: number, rng: Rng): StageSample {
  const rois: Float32Array[] = [], labels: number[] = [], pos: number[] = [], posTarget: number[] = [], posGt: number[] = [], posImage: number[] = [], isGt: number[] = [];
  let row = 0;
  targets.forEach((t, i) => {
    const c0 = cands[i]!;
    // The ground-truth boxes join the candidates, as mmdetection's sampler adds them.
    const c = new Float32Array(c0.length + t.boxes.length);
    c.set(c0);
    c.set(t.boxes, c0.length);
    const a = assignMaxIou(c, t.boxes, { posIou: stage.iou, negIou: stage.iou, minPosIou: stage.iou, matchLowQuality: false });
    const s = sampleBalanced(a.gt, cfg.roiSamples, cfg.roiPosFraction, rng);
    const picked = [...s.pos, ...s.neg];
    const rb = new Float32Array(4 * picked.length);
    picked.forEach((k, j) => {
      rb.set(c.subarray(4 * k, 4 * k + 4), 4 * j);
      isGt.push(k >= c0.length / 4 ? 1 : 0);
      const g = a.gt[k]!;
      if (g >= 0) {
        labels.push(t.labels[g]!);
        pos.push(row + j);
        posTarget.push(...t.boxes.subarray(4 * g, 4 * g + 4));
        posGt.push(g);
        posImage.push(i);
      } else labels.push(numClasses);
    });
    rois.push(rb);
    row += picked.length;
  });
  return { rois, labels: Int32Array.from(labels), pos, posTarget: Float32Array.from(posTarget), posGt, posImage, isGt: Uint8Array.from(isGt) };
}

const concatRois = (rois: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(rois.reduce((a, r) => a + r.length, 0));
  let o = 0;
  for (const r of rois) out.set(r, o), (o += r.length);
  return out;
};

/**
 * Builds a two-stage detector (`kind` picks Faster, Cascade or Mask R-CNN)
 * whose weights are drawn from `rng`.
 *
 * @example const det = createTwoStage('cascade-rcnn', 5, new Rng(0));
 */
export function createTwoStage(kind: 'faster-rcnn' | 'cascade-rcnn' | 'mask-rcnn', numClasses: number, rng: Rng, opts: DetectorOptions = {}, cfg: TwoStageConfig = twoStageConfig(kind, opts)): Detector {
  const params = new Params(rng);
  const F = cfg.net.fpn, C = numClasses;
  const st = levelStrides(cfg.net);
  const roiLevels = st.length - 1; // P2–P5 pool RoIs; P6 only proposes.
  const regOut = cfg.classAgnostic ? 4 : 4 * C;
  initTrunk(params, cfg.net);
  initRpn(params, F, cfg.rpn);
  const prefix = (s: number): string => (cfg.stages.length === 1 ? 'roi' : `roi${s}`);
  cfg.stages.forEach((_, s) => {
    let cin = cfg.roiOut * cfg.roiOut * F;
    cfg.fcs.forEach((d, k) => {
      params.dense(`${prefix(s)}.fc${k + 1}`, cin, d);
      cin = d;
    });
    params.dense(`${prefix(s)}.cls`, cin, C + 1, { std: 0.01 });
    params.dense(`${prefix(s)}.reg`, cin, regOut, { std: 0.001 });
  });
  if (cfg.mask) {
    for (let k = 0; k < cfg.mask.convs; k++) params.conv(`mask.conv${k}`, 3, F, F);
    params.conv('mask.deconv', 1, F, 4 * F);
    params.conv('mask.logits', 1, F, C, { std: 0.001 });
  }

  function boxHead(s: number, feats: readonly Tensor4D[], rois: readonly Float32Array[]): { cls: Tensor2D; reg: Tensor2D } {
    let x = multiLevelRoiAlign(feats.slice(0, roiLevels), st, rois, cfg.roiOut, cfg.samplingRatio, cfg.finestScale);
    cfg.fcs.forEach((_, k) => (x = params.applyDense(`${prefix(s)}.fc${k + 1}`, x)));
    return { cls: params.applyDense(`${prefix(s)}.cls`, x, false), reg: params.applyDense(`${prefix(s)}.reg`, x, false) };
  }

  /** Mask logits [P, 2r, 2r] of each RoI at its class. */
  function maskHead(feats: readonly Tensor4D[], rois: readonly Float32Array[], labels: Int32Array): Tensor4D {
    const m = cfg.mask!, r = m.roiOut, p = labels.length;
    let x = tf.reshape(multiLevelRoiAlign(feats.slice(0, roiLevels), st, rois, r, cfg.samplingRatio, cfg.finestScale), [p, r, r, F]) as Tensor4D;
    for (let k = 0; k < m.convs; k++) x = params.applyConv(`mask.conv${k}`, x);
    // A 2×2 stride-2 deconvolution has no overlapping taps: a 1×1 convolution to 4F channels, then each pixel's four outputs laid out as a 2×2 block.
    const y = params.applyConv('mask.deconv', x);
    x = tf.reshape(tf.transpose(tf.reshape(y, [p, r, r, 2, 2, F]), [0, 1, 3, 2, 4, 5]), [p, 2 * r, 2 * r, F]) as Tensor4D;
    const logits = params.applyConv('mask.logits', x, 1, false);
    const onehot = tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), C), [p, 1, 1, C]);
    return tf.sum(tf.mul(logits, onehot), -1, true) as Tensor4D;
  }

  /** Row r's deltas at class `c` (or its only four). */
  const deltaCols = (r: number, c: number): number => (cfg.classAgnostic ? 4 * r : 4 * (r * C + c));

  return {
    kind: kind as DetectorKind,
    params,
    numClasses,
    losses(images: Tensor4D, targets: readonly ImageTargets[], losses: DetectorLosses, rng: Rng): Record<string, Scalar> {
      const [b, h, w] = images.shape;
      const feats = runTrunk(params, cfg.net, images);
      const rpnOut = runRpn(params, cfg.rpn, feats, st);
      const terms: Record<string, Scalar> = rpnLosses(rpnOut, targets, cfg.rpn, rng, (n) => batchSum(losses, n));
      let cands = proposals(rpnOut, b, h, w, cfg.rpn, cfg.rpn.proposalsTrain);
      cfg.stages.forEach((stage, s) => {
        const smp = sampleStage(cands, targets, stage, cfg, C, rng);
        const head = boxHead(s, feats, smp.rois);
        const all = concatRois(smp.rois);
        const R = Math.max(batchSum(losses, smp.labels.length), 1), P = smp.pos.length;
        const sel = Int32Array.from(smp.pos, (r) => (cfg.classAgnostic ? r : r * C + smp.labels[r]!));
        const predDelta = P ? selectRows(tf.reshape(head.reg, [-1, 4]) as Tensor2D, sel) : undefined;
        const posRois = Float32Array.from(smp.pos.flatMap((r) => Array.from(all.subarray(4 * r, 4 * r + 4))));
        const predBox = predDelta ? decodeDeltas(posRois, predDelta, stage.stds) : undefined;
        const posIou = predBox ? alignedIou(predBox.dataSync(), smp.posTarget) : new Float32Array(0);
        const ious = new Float32Array(smp.labels.length);
        smp.pos.forEach((r, k) => (ious[r] = posIou[k]!));
        let cls = losses.cls({ logits: head.cls, labels: tf.tensor1d(smp.labels, 'int32'), ious: tf.tensor1d(ious), avgFactor: R });
        let reg: Scalar;
        if (!predDelta || !predBox) reg = zeroLoss(head.reg);
        else if (losses.deltas) {
          const tgt = new Float32Array(4 * P);
          for (let k = 0; k < P; k++) encodeDelta(posRois, k, smp.posTarget, k, stage.stds, tgt, 4 * k);
          reg = tf.mul(losses.deltas(predDelta, tf.tensor2d(tgt, [P, 4]), undefined, R), losses.recipe.regWeight) as Scalar;
        } else reg = tf.mul(losses.reg({ pred: predBox, target: tf.tensor2d(smp.posTarget, [P, 4]), avgFactor: R }), losses.recipe.regWeight) as Scalar;
        if (stage.weight !== 1) {
          cls = tf.mul(cls, stage.weight) as Scalar;
          reg = tf.mul(reg, stage.weight) as Scalar;
        }
        const name = cfg.stages.length === 1 ? '' : `s${s + 1}_`;
        terms[`${name}cls`] = cls;
        terms[`${name}reg`] = reg;
        if (cfg.mask && s === 0) terms['mask'] = maskLoss(feats, smp, targets, h, w, losses);
        if (s + 1 < cfg.stages.length) {
          // The next stage trains on this stage's refined boxes (detached), the ground-truth rows dropped.
          const reg = head.reg.dataSync() as Float32Array;
          const prob = tf.tidy(() => tf.argMax(tf.slice(head.cls, [0, 0], [-1, C]), 1).dataSync() as Int32Array);
          let row = 0;
          cands = smp.rois.map((r) => {
            const out: number[] = [], tmp = new Float32Array(4);
            for (let k = 0; k < r.length / 4; k++, row++) {
              if (smp.isGt[row]) continue;
              const c = smp.labels[row]! < C ? smp.labels[row]! : prob[row]!;
              decodeDelta(r, k, reg, deltaCols(row, c), stage.stds, tmp, 0);
              out.push(...clipBoxes(tmp, h, w));
            }
            return Float32Array.from(out);
          });
        }
      });
      return terms;
    },
    predict(images: Tensor4D, opts?: InferenceOptions): RawDetections[] {
      const o = { ...DEFAULT_INFERENCE, nmsIou: 0.5, ...opts };
      const [b, h, w] = images.shape;
      const results: RawDetections[] = Array.from({ length: b }, () => ({ boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) }));
      tf.tidy(() => {
        const feats = runTrunk(params, cfg.net, images);
        let rois = proposals(runRpn(params, cfg.rpn, feats, st), b, h, w, cfg.rpn, cfg.rpn.proposalsTest);
        const n = rois.map((r) => r.length / 4), total = n.reduce((a, x) => a + x, 0);
        if (!total) return;
        const probSum = new Float32Array(total * (C + 1));
        let reg: Float32Array = new Float32Array(0);
        cfg.stages.forEach((stage, s) => {
          const head = boxHead(s, feats, rois);
          const prob = tf.softmax(head.cls).dataSync() as Float32Array;
          for (let k = 0; k < prob.length; k++) probSum[k] += prob[k]! / cfg.stages.length;
          reg = head.reg.dataSync() as Float32Array;
          if (s + 1 < cfg.stages.length) {
            let row = 0;
            rois = rois.map((r) => {
              const out = new Float32Array(r.length), tmp = new Float32Array(4);
              for (let k = 0; k < r.length / 4; k++, row++) {
                let best = 0;
                for (let c = 1; c < C; c++) if (prob[row * (C + 1) + c]! > prob[row * (C + 1) + best]!) best = c;
                decodeDelta(r, k, reg, deltaCols(row, best), stage.stds, tmp, 0);
                out.set(clipBoxes(tmp, h, w), 4 * k);
              }
              return out;
            });
          }
        });
        const last = cfg.stages[cfg.stages.length - 1]!;
        let row = 0;
        rois.forEach((r, i) => {
          const boxes: number[] = [], scores: number[] = [], labels: number[] = [];
          const tmp = new Float32Array(4);
          for (let k = 0; k < r.length / 4; k++, row++)
            for (let c = 0; c < C; c++) {
              const sc = probSum[row * (C + 1) + c]!;
              if (sc <= o.scoreThreshold) continue;
              decodeDelta(r, k, reg, deltaCols(row, c), last.stds, tmp, 0);
              boxes.push(...clipBoxes(tmp, h, w));
              scores.push(sc);
              labels.push(c);
            }
          const keep = batchedNms(boxes, scores, labels, o.nmsIou, o.maxPerImage);
          const ob = new Float32Array(4 * keep.length);
          keep.forEach((k, j) => ob.set(boxes.slice(4 * k, 4 * k + 4), 4 * j));
          results[i] = { boxes: ob, scores: Float32Array.from(keep, (k) => scores[k]!), labels: Int32Array.from(keep, (k) => labels[k]!) };
        });
        if (cfg.mask) {
          const withDets = results.map((r, i) => [r, i] as const).filter(([r]) => r.scores.length > 0);
          if (!withDets.length) return;
          const labels = Int32Array.from(withDets.flatMap(([r]) => Array.from(r.labels)));
          const dets = results.map((r) => r.boxes);
          const probs = tf.sigmoid(maskHead(feats, dets, labels)).dataSync() as Float32Array;
          const s = 2 * cfg.mask.roiOut;
          let m = 0;
          results.forEach((r, i) => {
            const n = r.scores.length;
            results[i] = { ...r, masks: probs.slice(m * s * s, (m + n) * s * s) };
            m += n;
          });
        }
      });
      return results;
    },
  };

  function maskLoss(feats: readonly Tensor4D[], smp: StageSample, targets: readonly ImageTargets[], h: number, w: number, losses: DetectorLosses): Scalar {
    const s = 2 * cfg.mask!.roiOut;
    const withMask = smp.pos.map((_, k) => k).filter((k) => targets[smp.posImage[k]!]!.masks !== undefined);
    // mmdetection averages the mask BCE over every pixel of every positive RoI of the batch.
    const count = batchSum(losses, withMask.length * s * s);
    if (!withMask.length) return tf.mul(tf.sum(params.get('mask.logits.w')), 0) as Scalar;
    const all = concatRois(smp.rois);
    const roisPerImage = targets.map((_, i) => Float32Array.from(withMask.filter((k) => smp.posImage[k] === i).flatMap((k) => Array.from(all.subarray(4 * smp.pos[k]!, 4 * smp.pos[k]! + 4)))));
    // Rows in image order, as multiLevelRoiAlign returns them.
    const order = targets.flatMap((_, i) => withMask.filter((k) => smp.posImage[k] === i));
    const labels = Int32Array.from(order, (k) => smp.labels[smp.pos[k]!]!);
    const tgt = new Float32Array(order.length * s * s);
    let o = 0;
    targets.forEach((t, i) => {
      const mine = order.filter((k) => smp.posImage[k] === i);
      if (!mine.length) return;
      const boxes = Float32Array.from(mine.flatMap((k) => Array.from(all.subarray(4 * smp.pos[k]!, 4 * smp.pos[k]! + 4))));
      tgt.set(maskTargets(boxes, Int32Array.from(mine, (k) => smp.posGt[k]!), t.masks!, h, w, s), o);
      o += mine.length * s * s;
    });
    const logits = tf.reshape(maskHead(feats, roisPerImage, labels), [-1]);
    const z = tf.tensor1d(tgt);
    const l = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.div(tf.sum(l), Math.max(count, 1)) as Scalar;
  }
}
