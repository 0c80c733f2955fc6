import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { validateCoco, validateDetections } from '../../src/data/coco-format.js';
import { cocoEvaluate } from '../../src/metrics/coco-eval.js';
import { COCO_PARAMS } from '../../src/metrics/coco-params.js';
import { DEFAULT_TRAIN, train, type TrainConfig } from '../../src/train/trainer.js';
import { tinyDataset } from './_tiny-dataset.js';

let data = '';
const cfg = (): TrainConfig => ({
  ...DEFAULT_TRAIN,
  detector: 'mask-rcnn',
  clsLoss: 'ce',
  regLoss: 'l1',
  data,
  steps: 2,
  batch: 2,
  imageSize: 64,
  backend: 'wasm',
  warmup: 1,
  evalEvery: 0,
  cacheDir: join(tmpdir(), 'autoloss-unused-cache'),
});

describe('train with a detector that predicts masks', () => {
  before(() => {
    data = tinyDataset();
  });

  it('adds segm_stats to eval.json and writes mask results that coco-eval scores the same', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'm');
    const r = await train(cfg(), { out, quiet: true });
    const ev = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    assert.equal(ev.stats.length, 12);
    assert.equal(ev.segm_stats.length, 12);
    assert.deepEqual(r.segm_stats, ev.segm_stats);
    const boxes = JSON.parse(readFileSync(join(out, 'detections.json'), 'utf8')) as object[];
    assert.ok(boxes.every((d) => !('segmentation' in d)));
    const masks = JSON.parse(readFileSync(join(out, 'segmentations.json'), 'utf8')) as object[];
    // An untrained head still scores every class near 1/6, above the 0.05 threshold: there are masks to check.
    assert.ok(masks.length > 0);
    assert.equal(masks.length, boxes.length);
    assert.ok(masks.every((d) => !('bbox' in d) && 'segmentation' in d));
    const gt = validateCoco(JSON.parse(readFileSync(join(data, 'val.json'), 'utf8')), 'val.json');
    assert.deepEqual(ev.segm_stats, cocoEvaluate(gt, validateDetections(masks, 'segmentations.json', gt), { ...COCO_PARAMS, iouType: 'segm' }).stats);
    assert.deepEqual(ev.stats, cocoEvaluate(gt, validateDetections(boxes, 'detections.json', gt)).stats);
  });

  it('refuses, before training, a validation split without masks', async () => {
    const val = JSON.parse(readFileSync(join(data, 'val.json'), 'utf8'));
    delete val.annotations[0].segmentation;
    const bare = tinyDataset();
    writeFileSync(join(bare, 'val.json'), JSON.stringify(val));
    await assert.rejects(train({ ...cfg(), data: bare }, { out: join(mkdtempSync(join(tmpdir(), 'run-')), 'x'), quiet: true }), /val\.json: annotations\[0\] \(id 1\): missing field "segmentation" \(mask-rcnn is evaluated on masks\)/);
  });
});
