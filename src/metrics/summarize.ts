/**
 * COCOeval.summarize: the 12 summary numbers, each the mean of the entries
 * above -1 of a slice of precision or recall (-1 when there are none).
 */
import type { Accumulated } from './accumulate.js';
import type { CocoEvalParams } from './coco-params.js';
import { numpyMean } from './numpy-mean.js';
import { COCO_STATS, cocoStat, type StatSlice } from './coco-stats.js';

/** Mean of the valid entries in C order over (t, r, k) or (t, k), restricted as asked. */
function summarizeSlice(acc: Accumulated, params: CocoEvalParams, s: StatSlice, onlyCategory?: number): number {
  const { T, R, K, A, M } = acc.dims;
  const a = params.areaRngLbl.indexOf(s.area);
  const m = params.maxDets.indexOf(s.maxDets);
  const ts = s.iouThr === undefined ? [...Array(T).keys()] : [...Array(T).keys()].filter((t) => params.iouThrs[t] === s.iouThr);
  const ks = onlyCategory === undefined ? [...Array(K).keys()] : [onlyCategory];
  const vals: number[] = [];
  if (a >= 0 && m >= 0) {
    for (const t of ts) {
      if (s.ap) {
        for (let r = 0; r < R; r++) for (const k of ks) vals.push(acc.precision[(((t * R + r) * K + k) * A + a) * M + m]!);
      } else {
        for (const k of ks) vals.push(acc.recall[((t * K + k) * A + a) * M + m]!);
      }
    }
  }
  const valid = vals.filter((v) => v > -1);
  return valid.length === 0 ? -1 : numpyMean(valid);
}

/** The 12 numbers of COCOeval.summarize() for bbox. */
export function summarize(acc: Accumulated, params: CocoEvalParams): number[] {
  return COCO_STATS.map((row) => summarizeSlice(acc, params, row));
}

/** Per category: AP (mean over IoU and recall thresholds) and AR100, area all, maxDets 100; -1 without ground truth. */
export function perCategory(acc: Accumulated, params: CocoEvalParams, k: number): { AP: number; AR100: number } {
  return {
    AP: summarizeSlice(acc, params, cocoStat('AP'), k),
    AR100: summarizeSlice(acc, params, cocoStat('AR100'), k),
  };
}
