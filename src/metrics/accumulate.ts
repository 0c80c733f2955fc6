/**
 * COCOeval.accumulate: per category, area range and maxDets, the
 * precision–recall curve over all images, its precision envelope sampled at
 * the recall thresholds, and the final recall. Entries stay -1 where a
 * category has no counted ground truth.
 */
import type { CocoEvalParams } from './coco-params.js';
import type { ImageEval } from './evaluate-image.js';

/** numpy's np.spacing(1): the eps pycocotools adds to the precision denominator. */
const EPS = 2 ** -52;

export interface Accumulated {
  /** T×R×K×A×M, C order. */
  precision: Float64Array;
  /** T×K×A×M, C order. */
  recall: Float64Array;
  dims: { T: number; R: number; K: number; A: number; M: number };
}

/** Empty precision and recall arrays (all -1) for K categories. */
export function emptyAccumulated(params: CocoEvalParams, K: number): Accumulated {
  const T = params.iouThrs.length;
  const R = params.recThrs.length;
  const A = params.areaRng.length;
  const M = params.maxDets.length;
  return { precision: new Float64Array(T * R * K * A * M).fill(-1), recall: new Float64Array(T * K * A * M).fill(-1), dims: { T, R, K, A, M } };
}

/**
 * Fills category k's entries of `acc`.
 *
 * @param perArea indexed [a][i]: area range, image (ascending image id); null where the image has neither ground truth nor detections of the category
 */
export function accumulateCategory(perArea: readonly (readonly (ImageEval | null)[])[], params: CocoEvalParams, k: number, acc: Accumulated): void {
  const { T, R, K, A, M } = acc.dims;
  const { precision, recall } = acc;
  let rc = new Float64Array(0);
  let pr = new Float64Array(0);
  for (let a = 0; a < A; a++) {
    const E = perArea[a]!.filter((e): e is ImageEval => e !== null);
    if (E.length === 0) continue;
    let npig = 0;
    for (const e of E) for (const g of e.gtIgnore) if (g === 0) npig++;
    if (npig === 0) continue;
    for (let m = 0; m < M; m++) {
      const maxDet = params.maxDets[m]!;
      // Concatenate images in id order, then a stable sort by score (np.argsort kind='mergesort').
      let nd = 0;
      for (const e of E) nd += Math.min(maxDet, e.dtScores.length);
      const scores = new Float64Array(nd);
      const srcImage = new Int32Array(nd);
      const srcDet = new Int32Array(nd);
      let n = 0;
      E.forEach((e, ei) => {
        const cut = Math.min(maxDet, e.dtScores.length);
        for (let d = 0; d < cut; d++, n++) {
          scores[n] = e.dtScores[d]!;
          srcImage[n] = ei;
          srcDet[n] = d;
        }
      });
      const order = Array.from({ length: nd }, (_, i) => i).sort((x, y) => scores[y]! - scores[x]! || x - y);
      if (rc.length < nd) {
        rc = new Float64Array(nd);
        pr = new Float64Array(nd);
      }
      for (let t = 0; t < T; t++) {
        let tp = 0;
        let fp = 0;
        for (let j = 0; j < nd; j++) {
          const o = order[j]!;
          const e = E[srcImage[o]!]!;
          const at = t * e.dtScores.length + srcDet[o]!;
          if (!e.dtIgnore[at]) {
            if (e.dtMatched[at]) tp++;
            else fp++;
          }
          rc[j] = tp / npig;
          pr[j] = tp / (fp + tp + EPS);
        }
        recall[((t * K + k) * A + a) * M + m] = nd ? rc[nd - 1]! : 0;
        for (let j = nd - 1; j > 0; j--) if (pr[j]! > pr[j - 1]!) pr[j - 1] = pr[j]!;
        // np.searchsorted(rc, recThrs, side='left'); thresholds past the last recall keep precision 0.
        let j = 0;
        for (let r = 0; r < R; r++) {
          const thr = params.recThrs[r]!;
          while (j < nd && rc[j]! < thr) j++;
          precision[(((t * R + r) * K + k) * A + a) * M + m] = j < nd ? pr[j]! : 0;
        }
      }
    }
  }
}
