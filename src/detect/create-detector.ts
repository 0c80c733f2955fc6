/**
 * The detectors' constructors, one per name of the detector table
 * (`detector-table.ts`).
 */
import { createAtss } from './atss.js';
import { createCascadeRcnn, createFasterRcnn, createMaskRcnn } from './faster-rcnn.js';
import { createFcos } from './fcos.js';
import type { SeededRng as Rng } from '../util/rng.js';
import type { Detector, DetectorKind, DetectorOptions } from './types.js';

const CREATE: Record<DetectorKind, (numClasses: number, rng: Rng, opts?: DetectorOptions) => Detector> = {
  fcos: createFcos,
  atss: createAtss,
  'faster-rcnn': createFasterRcnn,
  'cascade-rcnn': createCascadeRcnn,
  'mask-rcnn': createMaskRcnn,
};

/**
 * A freshly initialised detector (weights drawn from `rng`).
 *
 * @example const det = createDetector('fcos', 5, new Rng(0));
 */
export function createDetector(kind: DetectorKind, numClasses: number, rng: Rng, opts: DetectorOptions = {}): Detector {
  return CREATE[kind](numClasses, rng, opts);
}
