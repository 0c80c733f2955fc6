import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CocoDetection, CocoJson } from '../../src/data/coco-format.js';
import { cocoEvaluate } from '../../src/metrics/coco-eval.js';

/** Ground truth of 1–4 images and 1–3 categories with 0–6 boxes each (some crowd). */
const groundTruth = fc
  .record({
    images: fc.integer({ min: 1, max: 4 }),
    categories: fc.integer({ min: 1, max: 3 }),
    boxes: fc.array(
      fc.record({
        image: fc.nat(3),
        category: fc.nat(2),
        x: fc.integer({ min: 0, max: 500 }),
        y: fc.integer({ min: 0, max: 300 }),
        w: fc.integer({ min: 1, max: 140 }),
        h: fc.integer({ min: 1, max: 170 }),
        crowd: fc.boolean(),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ images, categories, boxes }): CocoJson => ({
    images: Array.from({ length: images }, (_, i) => ({ id: 10 * (i + 1), width: 640, height: 480 })),
    categories: Array.from({ length: categories }, (_, k) => ({ id: k + 1, name: `c${k}` })),
    annotations: boxes.map((b, n) => ({
      id: n + 1,
      image_id: 10 * ((b.image % images) + 1),
      category_id: (b.category % categories) + 1,
      bbox: [b.x, b.y, b.w, b.h],
      area: b.w * b.h,
      iscrowd: b.crowd && n % 3 === 0 ? 1 : 0, // about one box in six is a crowd region
    })),
  }));

const asDetections = (gt: CocoJson): CocoDetection[] =>
  gt.annotations.filter((a) => !a.iscrowd).map((a, n) => ({ image_id: a.image_id, category_id: a.category_id, bbox: a.bbox, score: 1 - n / 1000 }));

describe('cocoEvaluate properties', () => {
  it('should give AP and AR100 of 1 (up to the precision eps) or -1 when the ground truth is detected exactly', () => {
    fc.assert(
      fc.property(groundTruth, (gt) => {
        const { stats } = cocoEvaluate(gt, asDetections(gt));
        for (const k of [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]) assert.ok(stats[k] === -1 || Math.abs(stats[k]! - 1) < 1e-12, `stat ${k} = ${stats[k]}`);
      }),
      { numRuns: 150 },
    );
  });

  it('should not depend on the order of the images or of the results list (scores distinct)', () => {
    fc.assert(
      fc.property(groundTruth, fc.integer({ min: 1, max: 1000 }), (gt, seed) => {
        const dets = asDetections(gt).map((d, n) => ({ ...d, bbox: [d.bbox[0] + (n % 3), d.bbox[1], d.bbox[2] * 0.9, d.bbox[3]] as CocoDetection['bbox'] }));
        const base = cocoEvaluate(gt, dets).stats;
        const rot = seed % Math.max(1, dets.length);
        const reordered = cocoEvaluate({ ...gt, images: [...gt.images].reverse() }, [...dets.slice(rot), ...dets.slice(0, rot)]).stats;
        assert.deepEqual(reordered, base);
      }),
      { numRuns: 100 },
    );
  });
});
