/**
 * COCO bbox evaluation, reproducing pycocotools' COCOeval (evaluate,
 * accumulate, summarize) with default parameters: the same matching order,
 * the same stable sorts, the same float64 arithmetic, the same -1 rules.
 */
import type { CocoDetection, CocoJson } from '../data/coco-format.js';
import { DataError } from '../data/data-error.js';
import { accumulateCategory, emptyAccumulated } from './accumulate.js';
import { boxIou } from './box-iou.js';
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
}

interface Gt extends EvalGt {
  bbox: readonly number[];
}

/**
 * Evaluates detections against ground truth as pycocotools does for iouType 'bbox'.
 * Detections of categories absent from `gt.categories` are ignored, as COCOeval
 * does; detections on images absent from `gt.images` are an error, as in loadRes.
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
  // [k * I + i]: ground truth and detections of image i, category k, in list order.
  const gts: Gt[][] = Array.from({ length: K * I }, () => []);
  const dts: Dt[][] = Array.from({ length: K * I }, () => []);
  for (const a of gt.annotations) {
    const i = imgIndex.get(a.image_id);
    const k = catIndex.get(a.category_id);
    if (i === undefined || k === undefined) continue;
    gts[k * I + i]!.push({ id: a.id, area: a.area, crowd: Boolean(a.iscrowd), bbox: a.bbox });
  }
  dets.forEach((d, n) => {
    const i = imgIndex.get(d.image_id);
    if (i === undefined) throw new DataError(`detection [${n}]: image_id ${d.image_id} is not an image of the ground truth`);
    const k = catIndex.get(d.category_id);
    if (k === undefined) return;
    dts[k * I + i]!.push({ bbox: d.bbox, area: d.bbox[2] * d.bbox[3], score: d.score });
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
      const ious = boxIou(
        d.map((x) => x.bbox),
        g.map((x) => x.bbox),
        g.map((x) => x.crowd),
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
