/**
 * Greedy matching of one image's detections of one category to its ground
 * truth at every IoU threshold: COCOeval.evaluateImg, step for step.
 */

/** What matching needs of a ground-truth annotation. */
export interface EvalGt {
  id: number;
  area: number;
  crowd: boolean;
}

/** One (image, category, area range) result; D ≤ the largest maxDets. */
export interface ImageEval {
  /** Scores of the kept detections, best first. */
  dtScores: number[];
  /** T×D: 1 where the detection matched a ground truth whose id is non-zero (pycocotools stores the id, so id 0 reads as unmatched). */
  dtMatched: Uint8Array;
  /** T×D: matched to an ignored ground truth, or unmatched and outside the area range. */
  dtIgnore: Uint8Array;
  /** G: crowd, or area outside the range. */
  gtIgnore: Uint8Array;
}

/**
 * @param gts ground truth in annotation-list order
 * @param dtAreas areas (w·h) of the detections, already sorted best-first and cut to the largest maxDets
 * @param dtScores their scores
 * @param ious D×G IoUs of those detections with `gts` (in `gts` order)
 */
export function evaluateImage(gts: readonly EvalGt[], dtAreas: readonly number[], dtScores: readonly number[], ious: Float64Array, areaRng: readonly [number, number], iouThrs: readonly number[], maxDet: number): ImageEval | null {
  const G0 = gts.length;
  if (G0 === 0 && dtAreas.length === 0) return null;
  const outside = (a: number) => a < areaRng[0] || a > areaRng[1];
  const ignoreOf = gts.map((g) => (g.crowd || outside(g.area) ? 1 : 0));
  // Stable sort putting ignored ground truth last (np.argsort kind='mergesort').
  const gtind = Array.from({ length: G0 }, (_, i) => i).sort((a, b) => ignoreOf[a]! - ignoreOf[b]!);
  const gt = gtind.map((i) => gts[i]!);
  const gtIgnore = Uint8Array.from(gtind, (i) => ignoreOf[i]!);
  const D = Math.min(maxDet, dtAreas.length);
  const T = iouThrs.length;
  const G = gt.length;
  const gtMatched = new Uint8Array(T * G);
  const dtMatched = new Uint8Array(T * D);
  const dtIgnore = new Uint8Array(T * D);
  if (G > 0 && D > 0) {
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        let iou = Math.min(iouThrs[t]!, 1 - 1e-10);
        let m = -1;
        for (let gi = 0; gi < G; gi++) {
          // A matched object is taken, but a crowd region can absorb any number of detections.
          if (gtMatched[t * G + gi] && !gt[gi]!.crowd) continue;
          // Once matched to a counted object, never trade it for an ignored one (they come last).
          if (m > -1 && gtIgnore[m] === 0 && gtIgnore[gi] === 1) break;
          const v = ious[d * G0 + gtind[gi]!]!;
          if (v < iou) continue;
          // Ties go to the later object: >= keeps replacing.
          iou = v;
          m = gi;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m]!;
        dtMatched[t * D + d] = gt[m]!.id !== 0 ? 1 : 0;
        gtMatched[t * G + m] = 1;
      }
    }
  }
  // Unmatched detections outside the area range are neither right nor wrong there.
  for (let d = 0; d < D; d++) {
    if (!outside(dtAreas[d]!)) continue;
    for (let t = 0; t < T; t++) if (!dtMatched[t * D + d]) dtIgnore[t * D + d] = 1;
  }
  return { dtScores: dtScores.slice(0, D), dtMatched, dtIgnore, gtIgnore };
}
