/**
 * COCOeval's default bbox parameters, as the float64 values pycocotools
 * computes them. The thresholds come from numpy's linspace arithmetic, which
 * is why the ninth IoU threshold is 0.8999999999999999 and some recall
 * thresholds sit just above their decimal (0.7000000000000001): matching
 * compares against exactly these values.
 */

/**
 * numpy.linspace(start, stop, num) with endpoint=True: start + i·step, the last value set to stop.
 *
 * @example
 * linspace(0.5, 0.95, 10)[8]; // 0.8999999999999999, as numpy gives
 */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** What is matched: boxes, or instance masks (pycocotools' iouType). */
export const IOU_TYPES = ['bbox', 'segm'] as const;
export type IouType = (typeof IOU_TYPES)[number];

export interface CocoEvalParams {
  /** Default 'bbox'. */
  iouType?: IouType;
  iouThrs: number[];
  recThrs: number[];
  /** Ascending; the last one bounds how many detections per image and category are kept. */
  maxDets: number[];
  /** Inclusive [min, max] on the ground truth `area` field and the detection's w·h. */
  areaRng: [number, number][];
  areaRngLbl: string[];
}

export const COCO_PARAMS: CocoEvalParams = {
  iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
  recThrs: linspace(0, 1, Math.round(1 / 0.01) + 1),
  maxDets: [1, 10, 100],
  areaRng: [
    [0, 1e5 ** 2],
    [0, 32 ** 2],
    [32 ** 2, 96 ** 2],
    [96 ** 2, 1e5 ** 2],
  ],
  areaRngLbl: ['all', 'small', 'medium', 'large'],
};
