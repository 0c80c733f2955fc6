import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCoco, validateDetections, type CocoDetection } from '../../src/data/coco-format.js';
import { bboxToRle, compressRle, encodeMask } from '../../src/data/mask.js';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { cocoEvaluate } from '../../src/metrics/coco-eval.js';
import { COCO_PARAMS } from '../../src/metrics/coco-params.js';
import { evaluateRun, maskResults } from '../../src/metrics/evaluate-run.js';
import { hashSeed, makeRng } from '../../src/util/rng.js';

// Twelve synthetic images: circles, rings and crosses have masks much smaller than their boxes.
const spec = syntheticSpec(3, { train: 0, val: 12 });
const images = Array.from({ length: 12 }, (_, i) => spec.render(makeRng(hashSeed(3, 2, i)), 'val', i));
const gt = validateCoco(
  {
    images: images.map((_, i) => ({ id: i + 1, width: 128, height: 128 })),
    categories: spec.categories,
    annotations: images.flatMap((im, i) => im.objects.map((o) => ({ ...o, image_id: i + 1, iscrowd: 0 }))).map((a, n) => ({ ...a, id: n + 1 })),
  },
  'gt',
);
const perfect: CocoDetection[] = gt.annotations.map((a, n) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 1 - n / 1000, segmentation: a.segmentation! }));

describe('evaluateRun', () => {
  it('should give box numbers only unless masks are asked for', () => {
    const r = evaluateRun(gt, perfect, { masks: false });
    assert.deepEqual(Object.keys(r), ['stats']);
    assert.deepEqual(r.stats, cocoEvaluate(gt, perfect.map(({ segmentation: _s, ...b }) => b)).stats);
  });

  it('should score masks as coco-eval --iou-type segm scores the mask results file', () => {
    // Masks replaced by their boxes: box AP stays perfect, mask AP drops.
    const boxy = perfect.map((d) => ({ ...d, segmentation: compressRle(bboxToRle(d.bbox, 128, 128)) }));
    for (const dets of [perfect, boxy]) {
      const r = evaluateRun(gt, dets, { masks: true });
      const file = JSON.parse(JSON.stringify(maskResults(dets)));
      assert.deepEqual(r.segm_stats, cocoEvaluate(gt, validateDetections(file, 'segmentations.json', gt), { ...COCO_PARAMS, iouType: 'segm' }).stats);
      assert.ok(r.stats[0]! > 0.99);
    }
    assert.ok(evaluateRun(gt, perfect, { masks: true }).segm_stats![0]! > 0.99);
    assert.ok(evaluateRun(gt, boxy, { masks: true }).segm_stats![0]! < 0.9);
  });

  it('should size mask results by their masks, not their boxes', () => {
    // With boxes in the results file pycocotools takes w·h as the area; without them the mask's pixel count.
    // A false positive per image: a 40×40 outline, medium by its box (1600) but small by its mask (156).
    const outline = new Uint8Array(128 * 128);
    for (let k = 0; k < 40; k++) for (const [x, y] of [[k, 0], [k, 39], [0, k], [39, k]] as const) outline[(y + 80) * 128 + x + 80] = 1;
    const fp = compressRle(encodeMask(outline, 128, 128));
    const dets = [...perfect, ...gt.images.map((im) => ({ image_id: im.id, category_id: gt.annotations.find((a) => a.image_id === im.id)!.category_id, bbox: [80, 80, 40, 40] as [number, number, number, number], score: 1, segmentation: fp }))];
    const byBox = cocoEvaluate(gt, dets, { ...COCO_PARAMS, iouType: 'segm' }).stats;
    const byMask = evaluateRun(gt, dets, { masks: true }).segm_stats!;
    assert.ok(byMask[3]! < byBox[3]!, `APs ${byMask[3]} (false positives counted as small) vs ${byBox[3]}`);
    assert.ok(byMask[4]! > byBox[4]!, `APm ${byMask[4]} vs ${byBox[4]} (false positives counted as medium)`);
    assert.deepEqual(byMask.slice(0, 3), byBox.slice(0, 3));
    assert.notDeepEqual(byMask, byBox);
  });

  it('should refuse detections without masks when masks are asked for', () => {
    assert.throws(() => evaluateRun(gt, [...perfect, { image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.5 }], { masks: true }), /has no mask/);
  });
});
