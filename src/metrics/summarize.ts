/**
 * COCOeval.summarize: the 12 summary numbers, each the mean of the entries
 * above -1 of a slice of precision or recall (-1 when there are none).
 */
import type { Accumulated } from './accumulate.js';
import type { CocoEvalParams } from './coco-params.js';
import { numpyMean } from './numpy-mean.js';

/** Names of the 12 numbers, in pycocotools' order. */
export const STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;

interface Slice {
  ap: boolean;
  iouThr?: number;
  area: string;
  maxDets: number;
}

/** The 12 rows of summarize(), one per line. */
const ROWS: Slice[] = [
  { ap: true, area: 'all', maxDets: 100 },
  { ap: true, iouThr: 0.5, area: 'all', maxDets: 100 },
  { ap: true, iouThr: 0.75, area: 'all', maxDets: 100 },
  { ap: true, area: 'small', maxDets: 100 },
  { ap: true, area: 'medium', maxDets: 100 },
  { ap: true, area: 'large', maxDets: 100 },
  { ap: false, area: 'all', maxDets: 1 },
  { ap: false, area: 'all', maxDets: 10 },
  { ap: false, area: 'all', maxDets: 100 },
  { ap: false, area: 'small', maxDets: 100 },
  { ap: false, area: 'medium', maxDets: 100 },
  { ap: false, area: 'large', maxDets: 100 },
];

/** Mean of the valid entries in C order over (t, r, k) or (t, k), restricted as asked. */
export function summarizeSlice(acc: Accumulated, params: CocoEvalParams, s: Slice, onlyCategory?: number): number {
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
  return ROWS.map((row) => summarizeSlice(acc, params, row));
}

/** Per category: AP (mean over IoU and recall thresholds) and AR100, area all, maxDets 100; -1 without ground truth. */
export function perCategory(acc: Accumulated, params: CocoEvalParams, k: number): { AP: number; AR100: number } {
  return {
    AP: summarizeSlice(acc, params, { ap: true, area: 'all', maxDets: 100 }, k),
    AR100: summarizeSlice(acc, params, { ap: false, area: 'all', maxDets: 100 }, k),
  };
}
