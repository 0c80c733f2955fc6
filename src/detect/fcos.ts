/**
 * FCOS (Tian et al. 2019): one-stage, anchor-free. Every pyramid location
 * predicts class scores (binary domain), its distances to the box sides
 * (l, t, r, b) and a centerness. Default losses: focal + GIoU.
 */
import { alignedIou } from './boxes.js';
import { assignFcos, defaultRanges, makePoints, type Points } from './fcos-assign.js';
import { headConvsFor, netFor, type NetConfig } from './network.js';
import { createOneStageNet, type HeadOutputs } from './one-stage-head.js';
import { batchSum, centernessLoss, postprocess, zeroLoss } from './one-stage-common.js';
import { selectRows } from './select.js';
import type { SeededRng as Rng } from '../util/rng.js';
import { tf, type Scalar, type Tensor2D, type Tensor4D } from './tf.js';
import type { Detector, DetectorLosses, DetectorOptions, ImageTargets, InferenceOptions, RawDetections } from './types.js';

export interface FcosConfig {
  readonly net: NetConfig;
  readonly towerConvs: number;
  readonly centerSampling: boolean;
  /** Centre-sampling radius in strides. */
  readonly radius: number;
}

/** mmdetection's FCOS test-time NMS IoU (ATSS uses 0.6). */
const FCOS_NMS_IOU = 0.5;

/** FCOS on P3–P7 with centre sampling, built with `opts`. */
export function fcosConfig(opts: DetectorOptions = {}): FcosConfig {
  return { net: netFor(opts, [3, 4, 5, 6, 7], 'conv'), towerConvs: headConvsFor(opts), centerSampling: true, radius: 1.5 };
}

/**
 * Builds an FCOS detector whose weights are drawn from `rng`.
 *
 * @example
 * const det = createFcos(3, new Rng(0));
 * const terms = det.losses(images, targets, losses, rng); // { cls, reg, ctr }
 */
export function createFcos(numClasses: number, rng: Rng, opts: DetectorOptions = {}, cfg: FcosConfig = fcosConfig(opts)): Detector {
  const net = createOneStageNet(cfg.net, cfg.towerConvs, numClasses, rng);
  const { params, strides: st } = net;
  const ranges = defaultRanges(st);

  function forward(images: Tensor4D): { out: HeadOutputs; ltrb: Tensor2D; points: Points } {
    const out = net.forward(images);
    const points = makePoints(out.sizes, st);
    const b = images.shape[0];
    const strideCol = new Float32Array(b * out.perImage);
    for (let i = 0; i < b; i++) for (let p = 0; p < out.perImage; p++) strideCol[i * out.perImage + p] = st[points.level[p]!]!;
    // Softplus keeps distances positive without ReLU's dead zone; multiplied by the stride so each level regresses in its own units.
    const ltrb = tf.mul(tf.softplus(out.box), tf.tensor2d(strideCol, [strideCol.length, 1])) as Tensor2D;
    return { out, ltrb, points };
  }

  function decodeAt(ltrb: Tensor2D, points: Points, idx: Int32Array, perImage: number): Tensor2D {
    const centres = new Float32Array(4 * idx.length);
    idx.forEach((g, k) => {
      const p = g % perImage;
      centres.set([points.xs[p]!, points.ys[p]!, points.xs[p]!, points.ys[p]!], 4 * k);
    });
    const d = selectRows(ltrb, idx);
    return tf.add(tf.tensor2d(centres, [idx.length, 4]), tf.mul(d, tf.tensor1d([-1, -1, 1, 1]))) as Tensor2D;
  }

  return {
    kind: 'fcos',
    params,
    numClasses,
    losses(images: Tensor4D, targets: readonly ImageTargets[], losses: DetectorLosses, _rng: Rng): Record<string, Scalar> {
      void _rng;
      const { out, ltrb, points } = forward(images);
      const n = out.perImage, b = images.shape[0];
      const labels = new Int32Array(b * n), tboxes = new Float32Array(4 * b * n), ctrStd = new Float32Array(b * n);
      const pos: number[] = [];
      targets.forEach((t, i) => {
        const a = assignFcos(points, t.boxes, t.labels, { strides: st, ranges, centerSampling: cfg.centerSampling, radius: cfg.radius, numClasses });
        labels.set(a.labels, i * n);
        tboxes.set(a.boxes, 4 * i * n);
        ctrStd.set(a.centerness, i * n);
        for (const p of a.positives) pos.push(i * n + p);
      });
      const posIdx = Int32Array.from(pos);
      const numPos = Math.max(batchSum(losses, posIdx.length), 1);
      const target = new Float32Array(4 * posIdx.length);
      posIdx.forEach((g, k) => target.set(tboxes.subarray(4 * g, 4 * g + 4), 4 * k));
      const predPos = posIdx.length ? decodeAt(ltrb, points, posIdx, n) : undefined;
      // IoU of each positive's (detached) prediction with its target feeds Q and, under the `iou` recipe, the centerness target.
      const posIou = predPos ? alignedIou(predPos.dataSync(), target) : new Float32Array(0);
      const ious = new Float32Array(b * n);
      posIdx.forEach((g, k) => (ious[g] = posIou[k]!));
      const ctrTarget = losses.recipe.centernessTarget === 'iou' ? posIou : Float32Array.from(posIdx, (g) => ctrStd[g]!);
      // Before any early return: every data-parallel shard takes part in each sum.
      const weightSum = batchSum(losses, ctrTarget.reduce((a, v) => a + v, 0));
      const cls = losses.cls({ logits: out.cls, labels: tf.tensor1d(labels, 'int32'), ious: tf.tensor1d(ious), avgFactor: numPos });
      if (!predPos) return { cls, reg: zeroLoss(ltrb), ctr: zeroLoss(out.ctr) };
      const regTerm = losses.reg({
        pred: predPos,
        target: tf.tensor2d(target, [posIdx.length, 4]),
        weights: tf.tensor1d(ctrTarget),
        avgFactor: Math.max(weightSum, 1e-6),
      });
      const reg = losses.recipe.regWeight === 1 ? regTerm : (tf.mul(regTerm, losses.recipe.regWeight) as Scalar);
      const ctr = centernessLoss(selectRows(out.ctr, posIdx), ctrTarget, numPos);
      return { cls, reg, ctr };
    },
    predict(images: Tensor4D, opts?: InferenceOptions): RawDetections[] {
      const [b, h, w] = images.shape;
      const { scores, quality, boxes, n } = tf.tidy(() => {
        const { out, ltrb, points } = forward(images);
        const d = ltrb.dataSync() as Float32Array;
        const n = out.perImage;
        // Decoding every location is plain arithmetic; no gradient is needed here.
        for (let i = 0; i < b; i++)
          for (let p = 0; p < n; p++) {
            const k = 4 * (i * n + p), x = points.xs[p]!, y = points.ys[p]!;
            d[k] = x - d[k]!;
            d[k + 1] = y - d[k + 1]!;
            d[k + 2] = x + d[k + 2]!;
            d[k + 3] = y + d[k + 3]!;
          }
        return { scores: tf.sigmoid(out.cls).dataSync() as Float32Array, quality: tf.sigmoid(out.ctr).dataSync() as Float32Array, boxes: d, n };
      });
      return Array.from({ length: b }, (_, i) =>
        postprocess(scores.subarray(i * n * numClasses, (i + 1) * n * numClasses), quality.subarray(i * n, (i + 1) * n), boxes.subarray(4 * i * n, 4 * (i + 1) * n), numClasses, h, w, { nmsIou: FCOS_NMS_IOU, ...opts }),
      );
    },
  };
}
