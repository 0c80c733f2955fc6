import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxIou } from '../../src/metrics/box-iou.js';
import { COCO_PARAMS } from '../../src/metrics/coco-params.js';
import { evaluateImage } from '../../src/metrics/evaluate-image.js';

const ALL: [number, number] = [0, 1e10];
const T = COCO_PARAMS.iouThrs.length;

function run(gtBoxes: number[][], crowd: boolean[], dtBoxes: number[][], areaRng = ALL, ids?: number[]) {
  const gts = gtBoxes.map((b, k) => ({ id: ids?.[k] ?? k + 1, area: b[2]! * b[3]!, crowd: crowd[k]! }));
  const ious = boxIou(dtBoxes, gtBoxes, crowd);
  return evaluateImage(gts, dtBoxes.map((b) => b[2]! * b[3]!), dtBoxes.map((_, k) => 1 - k / 10), ious, areaRng, COCO_PARAMS.iouThrs, 100)!;
}

describe('evaluateImage', () => {
  it('should return null for an image with neither objects nor detections', () => {
    assert.equal(evaluateImage([], [], [], new Float64Array(0), ALL, COCO_PARAMS.iouThrs, 100), null);
  });

  it('should let one object be taken once, the later detection becoming a false positive', () => {
    const e = run([[0, 0, 10, 10]], [false], [[0, 0, 10, 10], [0, 0, 10, 10]]);
    assert.deepEqual(Array.from(e.dtMatched.subarray(0, 2)), [1, 0]);
  });

  it('should let a crowd absorb several detections and mark them ignored', () => {
    const e = run([[0, 0, 100, 100]], [true], [[0, 0, 10, 10], [50, 50, 10, 10]]);
    assert.deepEqual(Array.from(e.dtIgnore), new Array(2 * T).fill(1));
    assert.deepEqual(Array.from(e.gtIgnore), [1]);
  });

  it('should treat a match to ground truth id 0 as no match, as pycocotools does', () => {
    const e = run([[0, 0, 10, 10]], [false], [[0, 0, 10, 10]], ALL, [0]);
    assert.deepEqual(Array.from(e.dtMatched), new Array(T).fill(0));
  });

  it('should ignore unmatched detections outside the area range', () => {
    const e = run([[0, 0, 10, 10]], [false], [[50, 50, 40, 40]], [0, 32 ** 2]);
    assert.deepEqual(Array.from(e.dtIgnore), new Array(T).fill(1));
  });
});
