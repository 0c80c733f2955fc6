/**
 * ATSS (Zhang et al. 2020): one square anchor per location, adaptive
 * positive selection (atss-assign.ts), deltas decoded to boxes for the box
 * loss, and a centerness branch. Default losses: focal + GIoU; the recipe
 * (types.ts) sets the box-loss weight (mmdetection 2, the paper 1) and the
 * centerness target.
 */
import { alignedIou, decodeDelta } from './boxes.js';
import { assignAtss, makeAnchors } from './atss-assign.js';
import { decodeDeltas, DELTA_STDS } from './delta-coder.js';
import { makePoints, type Points } from './fcos-assign.js';
import { headConvsFor, netFor, type NetConfig } from './network.js';
import { createOneStageNet } from './one-stage-head.js';
import { batchSum, centernessLoss, postprocess, zeroLoss } from './one-stage-common.js';
import type { SeededRng as Rng } from '../util/rng.js';
import { selectRows } from './select.js';
import { tf, type Scalar, type Tensor4D } from './tf.js';
import type { Detector, DetectorLosses, DetectorOptions, ImageTargets, InferenceOptions, RawDetections } from './types.js';

export interface AtssConfig {
  readonly net: NetConfig;
  readonly towerConvs: number;
  /** Anchor side in strides (the reference uses 8 on COCO; small images need smaller). */
  readonly anchorScale: number;
  readonly topK: number;
}

/** ATSS on P3–P7 (P6/P7 as FCOS), built with `opts`. */
function atssConfig(opts: DetectorOptions = {}): AtssConfig {
  return { net: netFor(opts, [3, 4, 5, 6, 7], 'conv'), towerConvs: headConvsFor(opts), anchorScale: 4, topK: 9 };
}

/**
 * Builds an ATSS detector whose weights are drawn from `rng`.
 *
 * @example const det = createAtss(5, new Rng(0));
 */
export function createAtss(numClasses: number, rng: Rng, opts: DetectorOptions = {}, cfg: AtssConfig = atssConfig(opts)): Detector {
  const { params, strides: st, forward } = createOneStageNet(cfg.net, cfg.towerConvs, numClasses, rng);
  const geometry = (sizes: [number, number][]): { points: Points; anchors: Float32Array } => {
    const points = makePoints(sizes, st);
    return { points, anchors: makeAnchors(points, st, cfg.anchorScale) };
  };

  return {
    kind: 'atss',
    params,
    numClasses,
    losses(images: Tensor4D, targets: readonly ImageTargets[], losses: DetectorLosses, _rng: Rng): Record<string, Scalar> {
      void _rng;
      const out = forward(images);
      const { points, anchors } = geometry(out.sizes);
      const n = out.perImage, b = images.shape[0];
      const labels = new Int32Array(b * n);
      const pos: number[] = [], tgt: number[] = [], ctrStd: number[] = [], anc: number[] = [];
      targets.forEach((t, i) => {
        const a = assignAtss(points, anchors, t.boxes, t.labels, { topK: cfg.topK, numClasses });
        labels.set(a.labels, i * n);
        for (const p of a.positives) {
          pos.push(i * n + p);
          tgt.push(...a.boxes.subarray(4 * p, 4 * p + 4));
          anc.push(...anchors.subarray(4 * p, 4 * p + 4));
          ctrStd.push(a.centerness[p]!);
        }
      });
      const posIdx = Int32Array.from(pos), numPos = Math.max(batchSum(losses, pos.length), 1);
      const target = Float32Array.from(tgt);
      const predPos = pos.length ? decodeDeltas(Float32Array.from(anc), selectRows(out.box, posIdx), DELTA_STDS) : undefined;
      const posIou = predPos ? alignedIou(predPos.dataSync(), target) : new Float32Array(0);
      const ious = new Float32Array(b * n);
      posIdx.forEach((g, k) => (ious[g] = posIou[k]!));
      const ctrTarget = losses.recipe.centernessTarget === 'iou' ? posIou : Float32Array.from(ctrStd);
      // Before any early return: every data-parallel shard takes part in each sum.
      const weightSum = batchSum(losses, ctrTarget.reduce((a, v) => a + v, 0));
      const cls = losses.cls({ logits: out.cls, labels: tf.tensor1d(labels, 'int32'), ious: tf.tensor1d(ious), avgFactor: numPos });
      if (!predPos) return { cls, reg: zeroLoss(out.box), ctr: zeroLoss(out.ctr) };
      const regWeight = losses.recipe.regWeight;
      const reg = tf.mul(
        losses.reg({ pred: predPos, target: tf.tensor2d(target, [pos.length, 4]), weights: tf.tensor1d(ctrTarget), avgFactor: Math.max(weightSum, 1e-6) }),
        regWeight,
      ) as Scalar;
      const ctr = centernessLoss(selectRows(out.ctr, posIdx), ctrTarget, numPos);
      return { cls, reg, ctr };
    },
    predict(images: Tensor4D, opts?: InferenceOptions): RawDetections[] {
      const [b, h, w] = images.shape;
      const { scores, quality, deltas, sizes } = tf.tidy(() => {
        const out = forward(images);
        return { scores: tf.sigmoid(out.cls).dataSync() as Float32Array, quality: tf.sigmoid(out.ctr).dataSync() as Float32Array, deltas: out.box.dataSync() as Float32Array, sizes: out.sizes };
      });
      const { anchors } = geometry(sizes);
      const n = anchors.length / 4;
      return Array.from({ length: b }, (_, i) => {
        const boxes = new Float32Array(4 * n);
        for (let p = 0; p < n; p++) decodeDelta(anchors, p, deltas, 4 * (i * n + p), DELTA_STDS, boxes, 4 * p);
        return postprocess(scores.subarray(i * n * numClasses, (i + 1) * n * numClasses), quality.subarray(i * n, (i + 1) * n), boxes, numClasses, h, w, opts);
      });
    },
  };
}
