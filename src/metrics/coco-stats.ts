/**
 * The 12 numbers of pycocotools' COCOeval.summarize(), in its order: one
 * typed table from which the slice each number averages, its name in logs
 * and JSON, its summary line and the columns of comparison tables derive.
 */

/** The slice of precision (AP) or recall (AR) one summary number averages. */
export interface StatSlice {
  readonly ap: boolean;
  /** One IoU threshold; absent: all of them (0.50:0.95). */
  readonly iouThr?: number;
  readonly area: 'all' | 'small' | 'medium' | 'large';
  readonly maxDets: number;
}

export interface CocoStat extends StatSlice {
  readonly name: string;
  /** Shown as a column where runs are compared (the AP numbers; AR stays in the JSON). */
  readonly inTables: boolean;
}

/** pycocotools' 12 summary numbers, in its order. */
export const COCO_STATS = [
  { name: 'AP', ap: true, area: 'all', maxDets: 100, inTables: true },
  { name: 'AP50', ap: true, iouThr: 0.5, area: 'all', maxDets: 100, inTables: true },
  { name: 'AP75', ap: true, iouThr: 0.75, area: 'all', maxDets: 100, inTables: true },
  { name: 'APs', ap: true, area: 'small', maxDets: 100, inTables: true },
  { name: 'APm', ap: true, area: 'medium', maxDets: 100, inTables: true },
  { name: 'APl', ap: true, area: 'large', maxDets: 100, inTables: true },
  { name: 'AR1', ap: false, area: 'all', maxDets: 1, inTables: false },
  { name: 'AR10', ap: false, area: 'all', maxDets: 10, inTables: false },
  { name: 'AR100', ap: false, area: 'all', maxDets: 100, inTables: false },
  { name: 'ARs', ap: false, area: 'small', maxDets: 100, inTables: false },
  { name: 'ARm', ap: false, area: 'medium', maxDets: 100, inTables: false },
  { name: 'ARl', ap: false, area: 'large', maxDets: 100, inTables: false },
] as const satisfies readonly CocoStat[];

export type StatName = (typeof COCO_STATS)[number]['name'];

/** The names of the 12 numbers, in pycocotools' order. */
export const STAT_NAMES: readonly StatName[] = COCO_STATS.map((s) => s.name);

/** The numbers comparison tables show, with their index among the 12. */
export const TABLE_STATS: readonly { readonly name: StatName; readonly index: number }[] = COCO_STATS.flatMap((s, index) => (s.inTables ? [{ name: s.name, index }] : []));

/** One number's slice by name. */
export function cocoStat(name: StatName): StatSlice {
  return COCO_STATS.find((s) => s.name === name)!;
}

/**
 * The 12 numbers as an object keyed by name (for logs and JSON).
 *
 * @example statsByName(stats).AP50 === stats[1]
 */
export function statsByName(stats: readonly number[]): Record<StatName, number> {
  return Object.fromEntries(COCO_STATS.map((s, k) => [s.name, stats[k]!])) as Record<StatName, number>;
}

/**
 * pycocotools' summary line for one number, without the value, e.g.
 * ` Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]`.
 * `iouRange` is the first and last IoU threshold of the evaluation.
 */
export function summaryLine(s: StatSlice, iouRange: readonly [number, number] = [0.5, 0.95]): string {
  const title = (s.ap ? 'Average Precision' : 'Average Recall').padEnd(18);
  const iou = s.iouThr === undefined ? `${iouRange[0].toFixed(2)}:${iouRange[1].toFixed(2)}` : s.iouThr.toFixed(2);
  return ` ${title} ${s.ap ? '(AP)' : '(AR)'} @[ IoU=${iou.padEnd(9)} | area=${s.area.padStart(6)} | maxDets=${String(s.maxDets).padStart(3)} ]`;
}
