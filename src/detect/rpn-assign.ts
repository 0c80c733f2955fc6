/**
 * Max-IoU assignment and balanced sampling for Faster R-CNN: the RPN's
 * anchors (positive ≥ 0.7, negative < 0.3, plus each box's best anchor) and
 * the second stage's RoIs (foreground ≥ 0.5).
 */
import { iouMatrix } from './boxes.js';
import type { SeededRng as Rng } from '../util/rng.js';

export interface MaxIouConfig {
  readonly posIou: number;
  readonly negIou: number;
  /** Each ground-truth box also takes its best-overlapping candidate when that IoU ≥ this. */
  readonly minPosIou: number;
  readonly matchLowQuality: boolean;
}

export interface MaxIouAssignment {
  /** Matched ground-truth index per candidate; −1 negative, −2 ignored. */
  readonly gt: Int32Array;
  /** Max IoU per candidate. */
  readonly iou: Float32Array;
}

export function assignMaxIou(cands: Float32Array, gtBoxes: Float32Array, cfg: MaxIouConfig): MaxIouAssignment {
  const n = cands.length / 4, g = gtBoxes.length / 4;
  const m = iouMatrix(cands, gtBoxes);
  const gt = new Int32Array(n).fill(-1), iou = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1, bi = 0;
    for (let k = 0; k < g; k++) if (m[i * g + k]! > bi) (bi = m[i * g + k]!), (best = k);
    iou[i] = bi;
    gt[i] = bi >= cfg.posIou ? best : bi < cfg.negIou ? -1 : -2;
  }
  if (cfg.matchLowQuality) {
    for (let k = 0; k < g; k++) {
      let bi = 0;
      for (let i = 0; i < n; i++) bi = Math.max(bi, m[i * g + k]!);
      if (bi < cfg.minPosIou) continue;
      // Every candidate tying the best IoU is matched, as mmdetection's MaxIoUAssigner does.
      for (let i = 0; i < n; i++) if (m[i * g + k]! === bi) gt[i] = k;
    }
  }
  return { gt, iou };
}

/** Random positive/negative subsample: at most `num`·`posFraction` positives, negatives fill up to `num`. */
export function sampleBalanced(gt: Int32Array, num: number, posFraction: number, rng: Rng): { pos: number[]; neg: number[] } {
  const pos: number[] = [], neg: number[] = [];
  gt.forEach((v, i) => (v >= 0 ? pos.push(i) : v === -1 ? neg.push(i) : undefined));
  const p = rng.shuffle(pos).slice(0, Math.floor(num * posFraction));
  const q = rng.shuffle(neg).slice(0, num - p.length);
  return { pos: p.sort((a, b) => a - b), neg: q.sort((a, b) => a - b) };
}
