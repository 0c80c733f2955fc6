/**
 * Faster R-CNN (Ren et al. 2015), small: the shared trunk's finest pyramid
 * level feeds a region proposal network and RoIAlign; a two-layer box head
 * classifies each RoI with a softmax over C+1 classes (the `multi` domain,
 * Z = IoU of the RoI's predicted box with its target) and regresses
 * class-specific deltas. Default losses: cross-entropy + L1 on deltas; a
 * `reg`-domain loss is applied to the decoded boxes instead. The recipe's
 * weight multiplies either.
 */
import { alignedIou, clipBoxes, decodeDelta, encodeDelta, type DeltaStds } from './boxes.js';
import { decodeDeltas, DELTA_STDS } from './delta-coder.js';
import { makePoints } from './fcos-assign.js';
import { DEFAULT_NET, initTrunk, runTrunk, type NetConfig } from './network.js';
import { batchSum, zeroLoss } from './one-stage-common.js';
import { batchedNms, nms } from './nms.js';
import { Params } from './params.js';
import type { SeededRng as Rng } from '../util/rng.js';
import { roiAlignBatch } from './roi-align.js';
import { assignMaxIou, sampleBalanced } from './rpn-assign.js';
import { selectRows } from './select.js';
import { tf, type Scalar, type Tensor2D, type Tensor4D } from './tf.js';
import { DEFAULT_INFERENCE, type Detector, type DetectorLosses, type ImageTargets, type InferenceOptions, type RawDetections } from './types.js';

export interface FasterRcnnConfig {
  readonly net: NetConfig;
  readonly anchorSizes: readonly number[];
  readonly anchorRatios: readonly number[];
  readonly rpnSamples: number;
  readonly proposalsTrain: number;
  readonly proposalsTest: number;
  readonly roiSamples: number;
  readonly roiPosFraction: number;
  readonly roiOut: number;
  readonly fc: number;
}

export const DEFAULT_FASTER_RCNN: FasterRcnnConfig = {
  net: DEFAULT_NET,
  anchorSizes: [16, 32, 64, 128],
  anchorRatios: [0.5, 1, 2],
  rpnSamples: 64,
  proposalsTrain: 100,
  proposalsTest: 50,
  roiSamples: 32,
  roiPosFraction: 0.25,
  roiOut: 5,
  fc: 128,
};

const RPN_STDS: DeltaStds = [1, 1, 1, 1];

/** Anchors for every location of a stride-`s` map, `sizes`×`ratios` per location, location-major. */
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

/** Proposals of one image: top `pre` anchors by objectness, decoded, clipped, NMS 0.7, best `post`. */
export function proposals(obj: Float32Array, del: Float32Array, anchors: Float32Array, h: number, w: number, pre: number, post: number): Float32Array {
  const n = anchors.length / 4;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => obj[b]! - obj[a]! || a - b).slice(0, pre);
  const boxes = new Float32Array(4 * order.length);
  order.forEach((i, k) => decodeDelta(anchors, i, del, 4 * i, RPN_STDS, boxes, 4 * k));
  clipBoxes(boxes, h, w);
  const keepSize = order.map((_, k) => boxes[4 * k + 2]! - boxes[4 * k]! >= 1 && boxes[4 * k + 3]! - boxes[4 * k + 1]! >= 1);
  const idx = order.map((_, k) => k).filter((k) => keepSize[k]);
  const b = new Float32Array(4 * idx.length), s = new Float32Array(idx.length);
  idx.forEach((k, j) => {
    b.set(boxes.subarray(4 * k, 4 * k + 4), 4 * j);
    s[j] = obj[order[k]!]!;
  });
  const keep = nms(b, s, 0.7, post);
  const out = new Float32Array(4 * keep.length);
  keep.forEach((k, j) => out.set(b.subarray(4 * k, 4 * k + 4), 4 * j));
  return out;
}

function bce(logits: Tensor2D, target: Float32Array, denom: number): Scalar {
  const z = tf.tensor2d(target, [target.length, 1]);
  const l = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, z)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.div(tf.sum(l), denom) as Scalar;
}

/**
 * Builds a Faster R-CNN whose weights are drawn from `rng`.
 *
 * @example const det = createFasterRcnn(5, new Rng(0));
 */
export function createFasterRcnn(numClasses: number, rng: Rng, cfg: FasterRcnnConfig = DEFAULT_FASTER_RCNN): Detector {
  const params = new Params(rng);
  const stride = 2 ** cfg.net.levels[0]!;
  const A = cfg.anchorSizes.length * cfg.anchorRatios.length;
  const F = cfg.net.fpn;
  const C = numClasses;
  initTrunk(params, cfg.net);
  params.conv('rpn.conv', 3, F, F);
  params.conv('rpn.obj', 1, F, A, { std: 0.01 });
  params.conv('rpn.del', 1, F, 4 * A, { std: 0.01 });
  params.dense('roi.fc1', cfg.roiOut * cfg.roiOut * F, cfg.fc);
  params.dense('roi.fc2', cfg.fc, cfg.fc);
  params.dense('roi.cls', cfg.fc, C + 1, { std: 0.01 });
  params.dense('roi.reg', cfg.fc, 4 * C, { std: 0.001 });

  function trunk(images: Tensor4D): { feat: Tensor4D; obj: Tensor2D; del: Tensor2D; anchors: Float32Array } {
    const feat = runTrunk(params, cfg.net, images)[0]!;
    const r = params.applyConv('rpn.conv', feat);
    const obj = tf.reshape(params.applyConv('rpn.obj', r, 1, false), [-1, 1]) as Tensor2D;
    const del = tf.reshape(params.applyConv('rpn.del', r, 1, false), [-1, 4]) as Tensor2D;
    return { feat, obj, del, anchors: rpnAnchors(feat.shape[1], feat.shape[2], stride, cfg.anchorSizes, cfg.anchorRatios) };
  }

  function boxHead(feat: Tensor4D, rois: Float32Array[]): { cls: Tensor2D; reg: Tensor2D } {
    const x = roiAlignBatch(feat, rois, stride, cfg.roiOut);
    const h = params.applyDense('roi.fc2', params.applyDense('roi.fc1', x));
    return { cls: params.applyDense('roi.cls', h, false), reg: params.applyDense('roi.reg', h, false) };
  }

  return {
    kind: 'faster-rcnn',
    params,
    numClasses,
    losses(images: Tensor4D, targets: readonly ImageTargets[], losses: DetectorLosses, rng: Rng): Record<string, Scalar> {
      const [b, h, w] = images.shape;
      const { feat, obj, del, anchors } = trunk(images);
      const na = anchors.length / 4;
      const objData = obj.dataSync() as Float32Array, delData = del.dataSync() as Float32Array;
      const rpnIdx: number[] = [], rpnLab: number[] = [], rpnPos: number[] = [], rpnTgt: number[] = [];
      const rois: Float32Array[] = [];
      const roiLabels: number[] = [], roiPos: number[] = [], roiTgtDelta: number[] = [], roiTgtBox: number[] = [], roiPosBox: number[] = [];
      let roiCount = 0;
      targets.forEach((t, i) => {
        const a = assignMaxIou(anchors, t.boxes, { posIou: 0.7, negIou: 0.3, minPosIou: 0.3, matchLowQuality: true });
        const s = sampleBalanced(a.gt, cfg.rpnSamples, 0.5, rng);
        const d = new Float32Array(4);
        for (const p of s.pos) {
          rpnIdx.push(i * na + p), rpnLab.push(1), rpnPos.push(i * na + p);
          encodeDelta(anchors, p, t.boxes, a.gt[p]!, RPN_STDS, d, 0);
          rpnTgt.push(...d);
        }
        for (const p of s.neg) rpnIdx.push(i * na + p), rpnLab.push(0);
        // Second stage: proposals plus the ground-truth boxes themselves, as the reference samples them.
        const props = proposals(objData.subarray(i * na, (i + 1) * na), delData.subarray(4 * i * na, 4 * (i + 1) * na), anchors, h, w, 300, cfg.proposalsTrain);
        const cands = new Float32Array(props.length + t.boxes.length);
        cands.set(props);
        cands.set(t.boxes, props.length);
        const ra = assignMaxIou(cands, t.boxes, { posIou: 0.5, negIou: 0.5, minPosIou: 0.5, matchLowQuality: false });
        const rs = sampleBalanced(ra.gt, cfg.roiSamples, cfg.roiPosFraction, rng);
        const picked = [...rs.pos, ...rs.neg];
        const rb = new Float32Array(4 * picked.length);
        picked.forEach((c, k) => {
          rb.set(cands.subarray(4 * c, 4 * c + 4), 4 * k);
          const g = ra.gt[c]!;
          if (g >= 0) {
            roiLabels.push(t.labels[g]!);
            roiPos.push(roiCount + k);
            encodeDelta(cands, c, t.boxes, g, DELTA_STDS, d, 0);
            roiTgtDelta.push(...d);
            roiTgtBox.push(...t.boxes.subarray(4 * g, 4 * g + 4));
            roiPosBox.push(...cands.subarray(4 * c, 4 * c + 4));
          } else roiLabels.push(C);
        });
        roiCount += picked.length;
        rois.push(rb);
      });
      const nRpn = Math.max(batchSum(losses, rpnIdx.length), 1);
      const rpnCls = rpnIdx.length ? bce(selectRows(obj, Int32Array.from(rpnIdx)), Float32Array.from(rpnLab), nRpn) : zeroLoss(obj);
      const rpnReg = rpnPos.length
        ? (tf.div(tf.sum(tf.abs(tf.sub(selectRows(del, Int32Array.from(rpnPos)), tf.tensor2d(rpnTgt, [rpnPos.length, 4])))), nRpn) as Scalar)
        : zeroLoss(del);
      const head = boxHead(feat, rois);
      const R = Math.max(batchSum(losses, roiCount), 1), P = roiPos.length;
      const labels = Int32Array.from(roiLabels);
      // Class-specific regression: row r, columns of its target class.
      const sel = Int32Array.from(roiPos, (r) => r * C + labels[r]!);
      const predDelta = P ? selectRows(tf.reshape(head.reg, [-1, 4]) as Tensor2D, sel) : undefined;
      const predBox = predDelta ? decodeDeltas(Float32Array.from(roiPosBox), predDelta, DELTA_STDS) : undefined;
      const posIou = predBox ? alignedIou(predBox.dataSync(), Float32Array.from(roiTgtBox)) : new Float32Array(0);
      const ious = new Float32Array(roiCount);
      roiPos.forEach((r, k) => (ious[r] = posIou[k]!));
      const cls = losses.cls({ logits: head.cls, labels: tf.tensor1d(labels, 'int32'), ious: tf.tensor1d(ious), avgFactor: R });
      let reg: Scalar;
      if (!predDelta || !predBox) reg = zeroLoss(head.reg);
      else if (losses.deltas) reg = tf.mul(losses.deltas(predDelta, tf.tensor2d(roiTgtDelta, [P, 4]), undefined, R), losses.recipe.regWeight) as Scalar;
      else reg = tf.mul(losses.reg({ pred: predBox, target: tf.tensor2d(roiTgtBox, [P, 4]), avgFactor: R }), losses.recipe.regWeight) as Scalar;
      return { rpn_cls: rpnCls, rpn_reg: rpnReg, cls, reg };
    },
    predict(images: Tensor4D, opts?: InferenceOptions): RawDetections[] {
      const o = { ...DEFAULT_INFERENCE, nmsIou: 0.5, ...opts };
      const [b, h, w] = images.shape;
      const results: RawDetections[] = Array.from({ length: b }, () => ({ boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) }));
      tf.tidy(() => {
        const { feat, obj, del, anchors } = trunk(images);
        const na = anchors.length / 4;
        const objData = obj.dataSync() as Float32Array, delData = del.dataSync() as Float32Array;
        const rois = Array.from({ length: b }, (_, i) =>
          proposals(objData.subarray(i * na, (i + 1) * na), delData.subarray(4 * i * na, 4 * (i + 1) * na), anchors, h, w, 300, cfg.proposalsTest),
        );
        const nonEmpty = rois.map((r, i) => [r, i] as const).filter(([r]) => r.length > 0);
        if (!nonEmpty.length) return;
        const f = tf.gather(feat, nonEmpty.map(([, i]) => i)) as Tensor4D;
        const head = boxHead(f, nonEmpty.map(([r]) => r));
        const prob = tf.softmax(head.cls).dataSync() as Float32Array;
        const reg = head.reg.dataSync() as Float32Array;
        let row = 0;
        for (const [r, i] of nonEmpty) {
          const n = r.length / 4;
          const boxes: number[] = [], scores: number[] = [], labels: number[] = [];
          const tmp = new Float32Array(4);
          for (let k = 0; k < n; k++, row++)
            for (let c = 0; c < C; c++) {
              const s = prob[row * (C + 1) + c]!;
              if (s <= o.scoreThreshold) continue;
              decodeDelta(r, k, reg, 4 * (row * C + c), DELTA_STDS, tmp, 0);
              boxes.push(...clipBoxes(tmp, h, w));
              scores.push(s);
              labels.push(c);
            }
          const bx = Float32Array.from(boxes), sc = Float32Array.from(scores), lb = Int32Array.from(labels);
          const keep = batchedNms(bx, sc, lb, o.nmsIou, o.maxPerImage);
          const ob = new Float32Array(4 * keep.length);
          keep.forEach((k, j) => ob.set(bx.subarray(4 * k, 4 * k + 4), 4 * j));
          results[i] = { boxes: ob, scores: Float32Array.from(keep, (k) => sc[k]!), labels: Int32Array.from(keep, (k) => lb[k]!) };
        }
      });
      return results;
    },
  };
}
