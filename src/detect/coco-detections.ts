/** Detections in COCO results format, mapped back to the original image. */
import type { CocoCategory, CocoDetection } from '../data/coco-format.js';
import { pasteMaskRle } from './mask-target.js';
import type { RawDetections } from './types.js';

/**
 * Converts one image's detections (boxes in resized input pixels, 0-based
 * labels) to COCO results: boxes divided by the resize scale, [x, y, w, h],
 * category ids from the dataset's categories. Detections with masks get a
 * `segmentation`: each S×S map pasted into its box on the original
 * `imageSize` ([h, w]) image, thresholded at 0.5, as a compressed RLE.
 *
 * @example toCocoDetections(dets, 7, [0.5, 0.5], categories)[0] // { image_id: 7, category_id: 1, bbox: [...], score: 0.9 }
 */
export function toCocoDetections(d: RawDetections, imageId: number, [sy, sx]: readonly [number, number], categories: readonly CocoCategory[], imageSize?: readonly [number, number]): CocoDetection[] {
  const n = d.scores.length;
  const S = d.masks && n > 0 ? Math.round(Math.sqrt(d.masks.length / n)) : 0;
  if (d.masks && (S * S * n !== d.masks.length || !imageSize)) throw new Error(`toCocoDetections: masks need n×S×S values and the image size (got ${d.masks.length} values for ${n} detections)`);
  const out: CocoDetection[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    const x1 = d.boxes[4 * i]! / sx, y1 = d.boxes[4 * i + 1]! / sy, x2 = d.boxes[4 * i + 2]! / sx, y2 = d.boxes[4 * i + 3]! / sy;
    const round = (v: number): number => Math.round(v * 100) / 100;
    const det: CocoDetection = { image_id: imageId, category_id: categories[d.labels[i]!]!.id, bbox: [round(x1), round(y1), round(x2 - x1), round(y2 - y1)], score: Math.round(d.scores[i]! * 1e5) / 1e5 };
    if (d.masks) det.segmentation = pasteMaskRle(d.masks.subarray(i * S * S, (i + 1) * S * S), S, S, [x1, y1, x2, y2], imageSize![0], imageSize![1]);
    out.push(det);
  }
  return out;
}
