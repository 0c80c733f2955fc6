/** Detections in COCO results format, mapped back to the original image. */
import type { CocoCategory, CocoDetection } from '../data/coco-format.js';
import { compressRle, encodeMask } from '../data/mask.js';
import type { RawDetections } from './types.js';

/** A mask at input size (row-major, `h`×`w`) resampled to the original image by nearest pixel centre. */
function toOriginal(mask: Uint8Array, h: number, w: number, [sy, sx]: readonly [number, number], oh: number, ow: number): Uint8Array {
  const out = new Uint8Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    const iy = Math.min(h - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < ow; x++) out[y * ow + x] = mask[iy * w + Math.min(w - 1, Math.floor((x + 0.5) * sx))]!;
  }
  return out;
}

/**
 * Converts one image's detections (boxes in resized input pixels, 0-based
 * labels) to COCO results: boxes divided by the resize scale, [x, y, w, h],
 * category ids from the dataset's categories; with `geometry` (input and
 * original [H, W]), a detection's mask becomes a compressed-RLE segmentation
 * of the original image.
 *
 * @example toCocoDetections(dets, 7, [0.5, 0.5], categories)[0] // { image_id: 7, category_id: 1, bbox: [...], score: 0.9 }
 */
export function toCocoDetections(
  d: RawDetections,
  imageId: number,
  [sy, sx]: readonly [number, number],
  categories: readonly CocoCategory[],
  geometry?: { readonly input: readonly [number, number]; readonly original: readonly [number, number] },
): CocoDetection[] {
  const out: CocoDetection[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    const x1 = d.boxes[4 * i]! / sx, y1 = d.boxes[4 * i + 1]! / sy, x2 = d.boxes[4 * i + 2]! / sx, y2 = d.boxes[4 * i + 3]! / sy;
    const round = (v: number): number => Math.round(v * 100) / 100;
    const det: CocoDetection = { image_id: imageId, category_id: categories[d.labels[i]!]!.id, bbox: [round(x1), round(y1), round(x2 - x1), round(y2 - y1)], score: Math.round(d.scores[i]! * 1e5) / 1e5 };
    const m = d.masks?.[i];
    if (m && geometry) {
      const [oh, ow] = geometry.original;
      det.segmentation = compressRle(encodeMask(toOriginal(m, geometry.input[0], geometry.input[1], [sy, sx], oh, ow), oh, ow));
    }
    out.push(det);
  }
  return out;
}
