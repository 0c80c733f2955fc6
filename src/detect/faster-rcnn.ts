/**
 * Faster R-CNN (Ren et al. 2015) as mmdetection's faster_rcnn_r50_fpn builds
 * it: FPN P2–P6, RPN on every level, RoIAlign 7×7 (sampling ratio 2) on the
 * level each RoI's scale maps to, a box head of fully connected layers,
 * softmax over C+1 classes and class-specific deltas (two-stage.ts).
 */
import { createTwoStage } from './two-stage.js';
import type { SeededRng as Rng } from '../util/rng.js';
import type { Detector, DetectorOptions } from './types.js';

export { rpnAnchors } from './rpn.js';

/**
 * Builds a Faster R-CNN whose weights are drawn from `rng`.
 *
 * @example const det = createFasterRcnn(5, new Rng(0));
 */
export function createFasterRcnn(numClasses: number, rng: Rng, opts: DetectorOptions = {}): Detector {
  return createTwoStage('faster-rcnn', numClasses, rng, opts);
}

/** Cascade R-CNN (Cai & Vasconcelos 2018): three box stages at IoU 0.5, 0.6, 0.7. */
export function createCascadeRcnn(numClasses: number, rng: Rng, opts: DetectorOptions = {}): Detector {
  return createTwoStage('cascade-rcnn', numClasses, rng, opts);
}

/** Mask R-CNN (He et al. 2017): Faster R-CNN with a mask head. */
export function createMaskRcnn(numClasses: number, rng: Rng, opts: DetectorOptions = {}): Detector {
  return createTwoStage('mask-rcnn', numClasses, rng, opts);
}
