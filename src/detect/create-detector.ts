/** One place that maps a detector name to its constructor. */
import { createAtss } from './atss.js';
import { createFasterRcnn } from './faster-rcnn.js';
import { createFcos } from './fcos.js';
import type { SeededRng as Rng } from '../util/rng.js';
import type { Detector, DetectorKind } from './types.js';

const CONSTRUCTORS: Record<DetectorKind, (numClasses: number, rng: Rng) => Detector> = {
  fcos: createFcos,
  atss: createAtss,
  'faster-rcnn': createFasterRcnn,
};

/**
 * A freshly initialised detector (weights drawn from `rng`).
 *
 * @example const det = createDetector('fcos', 5, new Rng(0));
 */
export function createDetector(kind: DetectorKind, numClasses: number, rng: Rng): Detector {
  return CONSTRUCTORS[kind](numClasses, rng);
}
