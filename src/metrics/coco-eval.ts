/**
 * COCO bbox and segm evaluation, reproducing pycocotools' COCOeval
 * (evaluate, accumulate, summarize) with default parameters: the same
 * matching order, the same stable sorts, the same float64 arithmetic, the
 * same -1 rules. For segm, ground truth and detections become RLEs as
 * COCO.annToRLE makes them and are matched by mask IoU; the area ranges still
 * use the ground truth's `area` field and the detections' loadRes area.
 */
import type { CocoDetection, CocoJson } from '../data/coco-format.js';
import { DataError } from '../data/data-error.js';
import { accumulateCategory, emptyAccumulated } from './accumulate.js';
import { polygonToRle, segmentationToRle, type Rle } from '../data/mask.js';
import { boxIou } from './box-iou.js';
import { maskIou } from './mask-iou.js';
import { COCO_PARAMS, type CocoEvalParams } from './coco-params.js';
import { evaluateImage, type EvalGt, type ImageEval } from './evaluate-image.js';
import { perCategory, summarize } from './summarize.js';

export interface CocoEvalResult {
  /** AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl. */
  stats: number[];
  /** Keyed by category id: AP and AR100 at area all, maxDets 100 (-1 without ground truth). */
  perCategory: Record<number, { AP: number; AR100: number }>;
}

interface Dt {
  bbox: readonly number[];
  area: number;
  score: number;
  mask?: Rle;
}

interface Gt extends EvalGt {
  bbox: readonly number[];
  mask?: Rle;
}

/**
 * Evaluates detections against ground truth as pycocotools does for
 * `params.iouType` ('bbox' by default, or 'segm', which needs a segmentation
 * on every ground-truth annotation; a detection without one is matched as its
 * box, as loadRes makes it). Detections of categories absent from
 * `gt.categories` are ignored, as COCOeval does; detections on images absent
 * from `gt.images` are an error, as in loadRes.
 *
 * @example
 * const { stats } = cocoEvaluate(gt, dets);
 * stats[0]; // AP at IoU .50:.95
 */
export function cocoEvaluate(gt: CocoJson, dets: readonly CocoDetection[], params: CocoEvalParams = COCO_PARAMS): CocoEvalResult {
  const imgIds = [...new Set(gt.images.map((im) => im.id))].sort((a, b) => a - b);
  const catIds = [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const imgIndex = new Map(imgIds.map((id, i) => [id, i]));
  const catIndex = new Map(catIds.map((id, k) => [id, k]));
  const I = imgIds.length;
  const K = catIds.length;
  const segm = params.iouType === 'segm';
  const sizeOf = new Map(gt.images.map((im) => [im.id, [im.height, im.width] as const]));
  // [k * I + i]: ground truth and detections of image i, category k, in list order.
  const gts: Gt[][] = Array.from({ length: K * I }, () => []);
  const dts: Dt[][] = Array.from({ length: K * I }, () => []);
  for (const [n, a] of gt.annotations.entries()) {
    const i = imgIndex.get(a.image_id);
    const k = catIndex.get(a.category_id);
    if (i === undefined || k === undefined) continue;
    const g: Gt = { id: a.id, area: a.area, crowd: Boolean(a.iscrowd), bbox: a.bbox };
    if (segm) {
      if (!a.segmentation) throw new DataError(`annotations[${n}] (id ${a.id}): missing field "segmentation" (segm evaluation needs a mask for every ground-truth object)`);
      const [h, w] = sizeOf.get(a.image_id)!;
      try {
        g.mask = segmentationToRle(a.segmentation, h, w);
      } catch (e) {
        throw new DataError(`annotations[${n}] (id ${a.id}): field "segmentation": ${(e as Error).message}`);
      }
    }
    gts[k * I + i]!.push(g);
  }
  dets.forEach((d, n) => {
    const i = imgIndex.get(d.image_id);
    if (i === undefined) throw new DataError(`detection [${n}]: image_id ${d.image_id} is not an image of the ground truth`);
    const k = catIndex.get(d.category_id);
    if (k === undefined) return;
    const dt: Dt = { bbox: d.bbox, area: d.area ?? d.bbox[2] * d.bbox[3], score: d.score };
    if (segm) {
      const [h, w] = sizeOf.get(d.image_id)!;
      const [x1, y1, bw, bh] = d.bbox;
      // loadRes gives a result without a mask its box as a polygon, corners in this order.
      dt.mask = d.segmentation ? segmentationToRle(d.segmentation, h, w) : polygonToRle([x1, y1, x1, y1 + bh, x1 + bw, y1 + bh, x1 + bw, y1], h, w);
    }
    dts[k * I + i]!.push(dt);
  });

  const maxDet = params.maxDets[params.maxDets.length - 1]!;
  const acc = emptyAccumulated(params, K);
  // One category at a time, so only its per-image results are alive at once.
  for (let k = 0; k < K; k++) {
    const perArea: (ImageEval | null)[][] = params.areaRng.map(() => []);
    for (let i = 0; i < I; i++) {
      const g = gts[k * I + i]!;
      const all = dts[k * I + i]!;
      if (g.length === 0 && all.length === 0) {
        for (const list of perArea) list.push(null);
        continue;
      }
      // Best score first, ties in list order (np.argsort kind='mergesort'), then cut.
      const d = all
        .map((x, j) => [x, j] as const)
        .sort((x, y) => y[0].score - x[0].score || x[1] - y[1])
        .slice(0, maxDet)
        .map(([x]) => x);
      const crowd = g.map((x) => x.crowd);
      const ious = segm
        ? maskIou(
            d.map((x) => x.mask!),
            g.map((x) => x.mask!),
            crowd,
          )
        : boxIou(
            d.map((x) => x.bbox),
            g.map((x) => x.bbox),
            crowd,
          );
      const areas = d.map((x) => x.area);
      const scores = d.map((x) => x.score);
      params.areaRng.forEach((rng, a) => perArea[a]!.push(evaluateImage(g, areas, scores, ious, rng, params.iouThrs, maxDet)));
    }
    accumulateCategory(perArea, params, k, acc);
  }
  const perCat: Record<number, { AP: number; AR100: number }> = {};
  catIds.forEach((id, k) => (perCat[id] = perCategory(acc, params, k)));
  return { stats: summarize(acc, params), perCategory: perCat };
}
