import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createDetector } from '../../src/detect/create-detector.js';
import { DETECTOR_TABLE, resolveRecipe } from '../../src/detect/detector-table.js';
import { tf } from '../../src/detect/tf.js';
import { DETECTORS, type DetectorKind, type ImageTargets, type Recipe } from '../../src/detect/types.js';
import { setupBackend } from '../../src/train/backend.js';
import { makeDetectorLosses, recipeOf } from '../../src/train/trainer.js';
import { SeededRng as Rng } from '../../src/util/rng.js';

const S = 64;
const targets: ImageTargets[] = [{ boxes: Float32Array.of(4, 6, 30, 28, 20, 20, 60, 58), labels: Int32Array.of(0, 1) }];

function lossTerms(kind: DetectorKind, cls: string, reg: string, recipe?: Recipe): Record<string, number> {
  const det = createDetector(kind, 2, new Rng(3));
  const d = new Float32Array(S * S * 3);
  const rng = new Rng(5);
  for (let i = 0; i < d.length; i++) d[i] = rng.next();
  const out = tf.tidy(() => {
    const terms = det.losses(tf.tensor4d(d, [1, S, S, 3]), targets, makeDetectorLosses(kind, cls, reg, recipe), new Rng(7));
    return Object.fromEntries(Object.entries(terms).map(([k, t]) => [k, t.dataSync()[0]!]));
  });
  det.params.dispose();
  return out;
}

// GIoU written out as an expression: 1 − i/u + (e − u)/e.
const GIOU_EXPR = 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))';

describe('recipes', () => {
  before(async () => {
    await setupBackend('wasm');
  });

  it('resolves the named presets per detector as mmdetection and the paper set them', () => {
    assert.deepEqual(resolveRecipe('fcos', {}, false), { centernessTarget: 'centerness', regWeight: 1 });
    assert.deepEqual(resolveRecipe('atss', {}, false), { centernessTarget: 'centerness', regWeight: 2 });
    assert.deepEqual(resolveRecipe('atss', { recipe: 'cse-autoloss' }, false), { centernessTarget: 'iou', regWeight: 1 });
    assert.deepEqual(resolveRecipe('fcos', { recipe: 'cse-autoloss' }, false), { centernessTarget: 'iou', regWeight: 1 });
    assert.equal(resolveRecipe('faster-rcnn', {}, true).regWeight, 1);
    assert.equal(resolveRecipe('faster-rcnn', {}, false).regWeight, 10);
    assert.deepEqual(resolveRecipe('atss', { recipe: 'cse-autoloss', regWeight: 3, centernessTarget: 'centerness' }, false), { centernessTarget: 'centerness', regWeight: 3 });
  });

  it('does not depend on the loss names: a published pair trains under the defaults\' recipe unless asked', () => {
    for (const kind of DETECTORS) {
      const p = DETECTOR_TABLE[kind].publishedLosses, d = DETECTOR_TABLE[kind].defaultLosses;
      if (DETECTOR_TABLE[kind].clsDomain === 'binary') assert.deepEqual(recipeOf({ detector: kind, regLoss: p.reg }), recipeOf({ detector: kind, regLoss: d.reg }), kind);
    }
  });

  for (const kind of ['fcos', 'atss'] as const) {
    it(`${kind}: GIoU by name and GIoU as an expression give the same loss terms`, () => {
      const a = lossTerms(kind, 'focal', 'giou'), b = lossTerms(kind, 'focal', GIOU_EXPR);
      for (const k of Object.keys(a)) assert.ok(Math.abs(a[k]! - b[k]!) <= 1e-5 * Math.max(1, Math.abs(a[k]!)), `${k}: ${a[k]} vs ${b[k]}`);
    });

    it(`${kind}: the recipe's centerness target and reg weight change the terms they name`, () => {
      const base = lossTerms(kind, 'focal', 'giou', { centernessTarget: 'centerness', regWeight: 1 });
      const iou = lossTerms(kind, 'focal', 'giou', { centernessTarget: 'iou', regWeight: 1 });
      const heavy = lossTerms(kind, 'focal', 'giou', { centernessTarget: 'centerness', regWeight: 2.5 });
      assert.equal(iou['cls'], base['cls']);
      assert.notEqual(iou['ctr'], base['ctr']);
      assert.ok(Math.abs(heavy['reg']! - 2.5 * base['reg']!) < 1e-5 * Math.abs(heavy['reg']!));
      assert.equal(heavy['ctr'], base['ctr']);
    });
  }
});
