/** Detections in COCO results format, mapped back to the original image. */
import type { CocoCategory, CocoDetection } from '../data/coco-format.js';
import type { RawDetections } from './types.js';

/**
 * Converts one image's detections (boxes in resized input pixels, 0-based
 * labels) to COCO results: boxes divided by the resize scale, [x, y, w, h],
 * category ids from the dataset's categories.
 *
 * @example toCocoDetections(dets, 7, [0.5, 0.5], categories)[0] // { image_id: 7, category_id: 1, bbox: [...], score: 0.9 }
 */
export function toCocoDetections(d: RawDetections, imageId: number, [sy, sx]: readonly [number, number], categories: readonly CocoCategory[]): CocoDetection[] {
  const out: CocoDetection[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    const x1 = d.boxes[4 * i]! / sx, y1 = d.boxes[4 * i + 1]! / sy, x2 = d.boxes[4 * i + 2]! / sx, y2 = d.boxes[4 * i + 3]! / sy;
    const round = (v: number): number => Math.round(v * 100) / 100;
    out.push({ image_id: imageId, category_id: categories[d.labels[i]!]!.id, bbox: [round(x1), round(y1), round(x2 - x1), round(y2 - y1)], score: Math.round(d.scores[i]! * 1e5) / 1e5 });
  }
  return out;
}
