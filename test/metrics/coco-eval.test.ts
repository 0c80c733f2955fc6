import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateCoco, validateDetections } from '../../src/data/coco-format.js';
import { cocoEvaluate } from '../../src/metrics/coco-eval.js';
import { COCO_PARAMS } from '../../src/metrics/coco-params.js';
import { fixture } from '../helpers/paths.js';

interface Case {
  name: string;
  description: string;
  gt: unknown;
  dets: unknown;
  stats: number[];
  per_category: Record<string, { AP: number; AR100: number }>;
}

const file = JSON.parse(readFileSync(fixture('coco-eval-cases.json'), 'utf8')) as { params: { iouThrs: number[]; recThrs: number[] }; cases: Case[] };

describe('cocoEvaluate', () => {
  it('should use the thresholds exactly as numpy computes them', () => {
    assert.deepEqual(COCO_PARAMS.iouThrs, file.params.iouThrs);
    assert.deepEqual(COCO_PARAMS.recThrs, file.params.recThrs);
  });

  for (const c of file.cases) {
    it(`should reproduce pycocotools on ${c.name}`, () => {
      const gt = validateCoco(c.gt, `${c.name}.gt`);
      const res = cocoEvaluate(gt, validateDetections(c.dets, `${c.name}.dets`, gt));
      assert.equal(res.stats.length, 12);
      res.stats.forEach((v, k) => assert.ok(Math.abs(v - c.stats[k]!) <= 1e-9, `${c.name} stat ${k}: got ${v}, expected ${c.stats[k]} (${c.description})`));
      for (const [id, want] of Object.entries(c.per_category)) {
        const got = res.perCategory[Number(id)]!;
        assert.ok(Math.abs(got.AP - want.AP) <= 1e-9, `${c.name} category ${id} AP: got ${got.AP}, expected ${want.AP}`);
        assert.ok(Math.abs(got.AR100 - want.AR100) <= 1e-9, `${c.name} category ${id} AR100: got ${got.AR100}, expected ${want.AR100}`);
      }
    });
  }
});

const random = JSON.parse(readFileSync(new URL('./pycocotools-random-cases.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('cocoEvaluate on random cases scored by pycocotools', () => {
  it(`should reproduce all ${random.cases.length} cases to the last bit`, () => {
    for (const c of random.cases) {
      const gt = validateCoco(c.gt, `${c.name}.gt`);
      const { stats } = cocoEvaluate(gt, validateDetections(c.dets, `${c.name}.dets`, gt));
      assert.deepEqual(stats, c.stats, c.name);
    }
  });
});
