import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateCoco, validateDetections } from '../../src/data/coco-format.js';
import { compressRle, encodeMask } from '../../src/data/mask.js';
import { cocoEvaluate } from '../../src/metrics/coco-eval.js';
import { COCO_PARAMS } from '../../src/metrics/coco-params.js';
import { fixture } from '../helpers/paths.js';

/** 1 up to pycocotools' eps in the precision denominator. */
const near1 = (v: number) => Math.abs(v - 1) < 1e-12;

const SEGM = { ...COCO_PARAMS, iouType: 'segm' as const };

const file = JSON.parse(readFileSync(fixture('coco-segm-eval-cases.json'), 'utf8')) as { cocoapi_commit: string; iouType: string; cases: { name: string; gt: unknown; dets: unknown; stats: number[] }[] };

describe('cocoEvaluate with iouType segm', () => {
  it('should read a fixture made by pycocotools segm evaluation', () => {
    assert.equal(file.iouType, 'segm');
    assert.match(file.cocoapi_commit, /^[0-9a-f]{40}$/);
    assert.equal(file.cases.length, 12);
  });

  for (const c of file.cases) {
    it(`should reproduce pycocotools on ${c.name} to the last bit`, () => {
      const gt = validateCoco(c.gt, `${c.name}.gt`);
      const { stats } = cocoEvaluate(gt, validateDetections(c.dets, `${c.name}.dets`, gt), SEGM);
      assert.deepEqual(stats, c.stats);
    });
  }

  // A 20×20 image: one 10×10 object and a crowd region; the masks differ from the boxes.
  const gt = validateCoco(
    {
      images: [{ id: 1, width: 20, height: 20 }],
      categories: [{ id: 1, name: 'a' }],
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 50, iscrowd: 0, segmentation: [[0, 0, 10, 0, 0, 10]] },
        { id: 2, image_id: 1, category_id: 1, bbox: [10, 10, 10, 10], area: 100, iscrowd: 1, segmentation: { size: [20, 20], counts: [210, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 0] } },
      ],
    },
    'gt',
  );
  const maskOf = (x0: number, y0: number, x1: number, y1: number) => {
    const px = new Uint8Array(400);
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) px[y * 20 + x] = 1;
    return compressRle(encodeMask(px, 20, 20));
  };

  it('should match by mask where boxes would match too, and not where only the boxes agree', () => {
    // The triangle's box, as a mask: IoU with the triangle's 45 pixels is 45/100 < 0.5; by box it would be 1.
    const box = validateDetections([{ image_id: 1, category_id: 1, score: 0.9, segmentation: maskOf(0, 0, 10, 10) }], 'dets', gt);
    assert.equal(cocoEvaluate(gt, box, SEGM).stats[1], 0);
    assert.ok(near1(cocoEvaluate(gt, [{ ...box[0]!, bbox: [0, 0, 10, 10] }]).stats[1]!));
  });

  it('should let a crowd region absorb detections inside it without counting them', () => {
    const raw = [{ image_id: 1, category_id: 1, score: 0.9, segmentation: compressRle(encodeMask(triangle(), 20, 20)) }];
    const exact = validateDetections(raw, 'dets', gt);
    assert.ok(near1(cocoEvaluate(gt, exact, SEGM).stats[0]!));
    // Three more detections inside the crowd region are neither right nor wrong: AP stays 1.
    const inside = [maskOf(10, 10, 14, 14), maskOf(15, 15, 20, 20), maskOf(12, 12, 20, 20)].map((s, k) => ({ image_id: 1, category_id: 1, score: 0.95 - k / 100, segmentation: s }));
    assert.ok(near1(cocoEvaluate(gt, validateDetections([...raw, ...inside], 'dets', gt), SEGM).stats[0]!));
    // Outside it they are false positives ranked above the true one.
    const outside = [maskOf(0, 12, 4, 16)].map((s) => ({ image_id: 1, category_id: 1, score: 0.95, segmentation: s }));
    assert.ok(cocoEvaluate(gt, validateDetections([...raw, ...outside], 'dets', gt), SEGM).stats[0] < 1);
  });

  it('should use the box as a polygon for results without masks and the box area when results have boxes', () => {
    // A box-only result: loadRes rasterises [x1, y1, x1, y2, x2, y2, x2, y1], so it scores 45/100 against the triangle.
    const dets = validateDetections([{ image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 10, 10] }], 'dets', gt);
    assert.equal(cocoEvaluate(gt, dets, SEGM).stats[1], 0);
    // Mask-only results take the mask's area (45, small) and box; with a box the area is w·h.
    const masks = validateDetections([{ image_id: 1, category_id: 1, score: 0.9, segmentation: compressRle(encodeMask(triangle(), 20, 20)) }], 'dets', gt);
    assert.equal(masks[0]!.area, 45);
    assert.deepEqual(masks[0]!.bbox, [0, 0, 9, 9]);
    const boxed = validateDetections([{ image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 30, 40], segmentation: compressRle(encodeMask(triangle(), 20, 20)) }], 'dets', gt);
    assert.equal(boxed[0]!.area, undefined);
    assert.ok(near1(cocoEvaluate(gt, boxed, SEGM).stats[0]!));
  });

  it('should refuse ground truth without masks', () => {
    const bare = validateCoco({ images: [{ id: 1, width: 20, height: 20 }], categories: [{ id: 1, name: 'a' }], annotations: [{ id: 5, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], area: 25 }] }, 'gt');
    assert.throws(() => cocoEvaluate(bare, [], SEGM), /annotations\[0\] \(id 5\): missing field "segmentation"/);
  });
});

/** The pixels pycocotools sets for the triangle (0,0), (10,0), (0,10): centres with x + y < 9. */
function triangle(): Uint8Array {
  const px = new Uint8Array(400);
  for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) if (x + y < 9) px[y * 20 + x] = 1;
  return px;
}
