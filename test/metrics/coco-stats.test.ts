import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COCO_STATS, STAT_NAMES, TABLE_STATS, statsByName, summaryLine } from '../../src/metrics/coco-stats.js';

// What pycocotools' COCOeval.summarize() prints, copied from its output.
const PYCOCOTOOLS_LINES = [
  ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]',
  ' Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ]',
  ' Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ]',
  ' Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]',
  ' Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]',
  ' Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]',
  ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ]',
  ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ]',
  ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]',
  ' Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ]',
  ' Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ]',
  ' Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ]',
];

describe('COCO_STATS', () => {
  it("should describe pycocotools' 12 summary lines in its order", () => {
    assert.deepEqual(COCO_STATS.map((s) => summaryLine(s)), PYCOCOTOOLS_LINES);
  });

  it('should name the numbers as pycocotools users do', () => {
    assert.deepEqual(STAT_NAMES, ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl']);
  });

  it('should show the six AP numbers in tables, each with its index among the 12', () => {
    assert.deepEqual(TABLE_STATS, ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl'].map((name, index) => ({ name, index })));
  });

  it('should key a stats array by name', () => {
    const stats = STAT_NAMES.map((_, k) => k / 10);
    const byName = statsByName(stats);
    assert.equal(byName.AP50, 0.1);
    assert.equal(byName.ARl, 1.1);
  });
});
