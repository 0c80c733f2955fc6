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

/**
 * @param evalImgs indexed [k][a][i]: category, area range, image (ascending image id); null where the image has neither ground truth nor detections
 */
export function accumulate(evalImgs: (ImageEval | null)[][][], params: CocoEvalParams): Accumulated {
  const T = params.iouThrs.length;
  const R = params.recThrs.length;
  const K = evalImgs.length;
  const A = params.areaRng.length;
  const M = params.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      for (let m = 0; m < M; m++) {
        const maxDet = params.maxDets[m]!;
        const E = evalImgs[k]![a]!.filter((e): e is ImageEval => e !== null);
        if (E.length === 0) continue;
        // Concatenate images in id order, then a stable sort by score (np.argsort kind='mergesort').
        const scores: number[] = [];
        const src: [ImageEval, number][] = [];
        for (const e of E) {
          const n = Math.min(maxDet, e.dtScores.length);
          for (let d = 0; d < n; d++) {
            scores.push(e.dtScores[d]!);
            src.push([e, d]);
          }
        }
        const order = Array.from(scores, (_, i) => i).sort((x, y) => scores[y]! - scores[x]!);
        let npig = 0;
        for (const e of E) for (const g of e.gtIgnore) if (g === 0) npig++;
        if (npig === 0) continue;
        const nd = order.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd);
          const pr = new Float64Array(nd);
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const [e, d] = src[order[j]!]!;
            const D = e.dtScores.length;
            if (!e.dtIgnore[t * D + d]) {
              if (e.dtMatched[t * D + d]) tp++;
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
  return { precision, recall, dims: { T, R, K, A, M } };
}
