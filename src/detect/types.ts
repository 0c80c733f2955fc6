/** The types shared by every detector, its losses and the trainer. */
import type { BackboneKind } from './backbone.js';
import type { NormKind } from './norm.js';
import type { Params } from './params.js';
import type { SeededRng as Rng } from '../util/rng.js';
import type { Scalar, Tensor1D, Tensor2D, Tensor4D } from './tf.js';

/** Every detector's name; `create-detector.ts` holds one typed table entry per name. */
export const DETECTORS = ['fcos', 'atss', 'faster-rcnn', 'cascade-rcnn', 'mask-rcnn'] as const;
export type DetectorKind = (typeof DETECTORS)[number];

/** What a one-stage detector's centerness branch learns: FCOS's centerness, or the IoU of the prediction with its target. */
export const CENTERNESS_TARGETS = ['centerness', 'iou'] as const;
export type CenternessTarget = (typeof CENTERNESS_TARGETS)[number];

/** Named recipes: mmdetection's configurations, and the paper's setting for its searched losses. */
export const RECIPES = ['mmdet', 'cse-autoloss'] as const;
export type RecipeName = (typeof RECIPES)[number];

/**
 * The training settings around the losses that a comparison keeps fixed and
 * a run records (run.json): never chosen from a loss's name.
 */
export interface Recipe {
  /** Target (and box-loss weight) of the centerness branch; one-stage detectors only. */
  readonly centernessTarget: CenternessTarget;
  /** Weight of the box-regression loss term. */
  readonly regWeight: number;
}

/** How a detector is built (all optional: the defaults are the `tiny` backbone and its head). */
export interface DetectorOptions {
  readonly backbone?: BackboneKind;
  /** ResNet normalisation: frozen BatchNorm (with converted weights) or GroupNorm. */
  readonly norm?: NormKind;
  /** FPN channels (default: the backbone's). */
  readonly fpnChannels?: number;
  /** Convolutions per head tower (default: the backbone's; mmdetection uses 4). */
  readonly headConvs?: number;
  /** Width of the two-stage box head's two fully connected layers (default: 1024 with ResNets as mmdetection, 128 with tiny). */
  readonly boxFc?: number;
}

/** Ground truth of one image: k boxes (x1,y1,x2,y2 in input pixels) and 0-based labels. */
export interface ImageTargets {
  readonly boxes: Float32Array;
  readonly labels: Int32Array;
  /** k×H×W binary instance masks at input size (the loader's `masks` option), for detectors that predict masks. */
  readonly masks?: Uint8Array;
}

/** A classification loss with the training semantics of SEMANTICS.md. */
export type ClsLossFn = (args: { logits: Tensor2D; labels: Tensor1D; ious: Tensor1D; weights?: Tensor1D; avgFactor?: number }) => Scalar;
/** A box loss on (x1,y1,x2,y2) boxes. */
export type RegLossFn = (args: { pred: Tensor2D; target: Tensor2D; weights?: Tensor1D; avgFactor?: number }) => Scalar;
/** A loss on box deltas (L1 / smooth L1), Faster R-CNN's default. */
export type DeltaLossFn = (pred: Tensor2D, target: Tensor2D, weights?: Tensor1D, avgFactor?: number) => Scalar;

export interface DetectorLosses {
  readonly cls: ClsLossFn;
  /** Box loss on decoded boxes; when `deltas` is set, the second stage uses that instead. */
  readonly reg: RegLossFn;
  readonly deltas?: DeltaLossFn;
  /** The recipe the losses are trained under. */
  readonly recipe: Recipe;
  /**
   * Data-parallel training: sums a count or weight over every shard of the
   * global batch, so each shard divides by the global batch's normalisers
   * (as mmdetection's reduce_mean does) and the shards' gradients add up to
   * the whole batch's. Every shard calls it equally often, in the same
   * order. Absent on one worker.
   */
  readonly batchSum?: (local: number) => number;
}

/** Detections of one image: boxes in input pixels, scores, 0-based labels (and masks, for Mask R-CNN). */
export interface RawDetections {
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly labels: Int32Array;
  /** Mask R-CNN: per detection an S×S map of mask probabilities (its class's sigmoid) over its box, n×S×S. */
  readonly masks?: Float32Array;
}

export interface InferenceOptions {
  readonly scoreThreshold?: number;
  readonly nmsIou?: number;
  readonly maxPerImage?: number;
}

export const DEFAULT_INFERENCE: Required<InferenceOptions> = { scoreThreshold: 0.05, nmsIou: 0.6, maxPerImage: 100 };

export interface Detector {
  readonly kind: DetectorKind;
  readonly params: Params;
  readonly numClasses: number;
  /**
   * The named loss terms of one batch (their sum is trained). Called inside
   * tf.variableGrads; `rng` drives any sampling (Faster R-CNN's RoIs).
   */
  losses(images: Tensor4D, targets: readonly ImageTargets[], losses: DetectorLosses, rng: Rng): Record<string, Scalar>;
  /** Detections per image after score threshold and NMS. */
  predict(images: Tensor4D, opts?: InferenceOptions): RawDetections[];
}
