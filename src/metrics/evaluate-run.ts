/**
 * The numbers a trained model's evaluation reports: box AP always, mask AP
 * when the model predicts masks. Masks are scored as mmdetection scores them:
 * as results that carry only their masks, so that a result's area (for the
 * small / medium / large ranges) is its mask's pixel count rather than its
 * box's w·h, which pycocotools would use if the results had boxes.
 */
import type { CocoDetection, CocoJson } from '../data/coco-format.js';
import { rleArea, rleToBbox, segmentationToRle, type CocoSegmentation } from '../data/mask.js';
import { cocoEvaluate } from './coco-eval.js';
import { COCO_PARAMS } from './coco-params.js';

/** One entry of a mask results file: what `coco-eval --iou-type segm` reads. */
export interface CocoMaskResult {
  image_id: number;
  category_id: number;
  segmentation: CocoSegmentation;
  score: number;
}

export interface RunEvaluation {
  /** COCO box AP/AR, the 12 numbers. */
  stats: number[];
  /** COCO mask AP/AR, the 12 numbers; only when masks were evaluated. */
  segm_stats?: number[];
}

/**
 * The mask results of detections that carry masks (`segmentation`), without
 * their boxes. Throws when a detection has no mask.
 */
export function maskResults(dets: readonly CocoDetection[]): CocoMaskResult[] {
  return dets.map((d, n) => {
    if (!d.segmentation) throw new Error(`detection ${n} (image ${d.image_id}) has no mask`);
    return { image_id: d.image_id, category_id: d.category_id, segmentation: d.segmentation, score: d.score };
  });
}

/**
 * Box AP of `dets` and, with `masks`, mask AP of their masks (every detection
 * must then carry a `segmentation`, and every ground-truth annotation too).
 * `segm_stats` equals `autoloss coco-eval --iou-type segm` on the
 * `maskResults(dets)` file.
 *
 * @example
 * const { stats, segm_stats } = evaluateRun(ds.val, dets, { masks: true });
 */
export function evaluateRun(gt: CocoJson, dets: readonly CocoDetection[], opts: { masks: boolean }): RunEvaluation {
  const boxes = dets.map(({ segmentation: _s, area: _a, ...box }) => box);
  const out: RunEvaluation = { stats: cocoEvaluate(gt, boxes).stats };
  if (!opts.masks) return out;
  const size = new Map(gt.images.map((im) => [im.id, im]));
  // What loadRes makes of mask-only results: the mask's box and the mask's area.
  const asMasks: CocoDetection[] = maskResults(dets).map((r) => {
    const im = size.get(r.image_id);
    const rle = segmentationToRle(r.segmentation, im?.height ?? 0, im?.width ?? 0);
    return { image_id: r.image_id, category_id: r.category_id, bbox: rleToBbox(rle), score: r.score, segmentation: r.segmentation, area: rleArea(rle) };
  });
  out.segm_stats = cocoEvaluate(gt, asMasks, { ...COCO_PARAMS, iouType: 'segm' }).stats;
  return out;
}
