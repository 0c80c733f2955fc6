import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { validateDetections, type CocoJson } from '../../src/data/coco-format.js';
import { toCocoDetections } from '../../src/detect/coco-detections.js';
import { createDetector } from '../../src/detect/create-detector.js';
import { SeededRng as Rng } from '../../src/util/rng.js';
import { tf } from '../../src/detect/tf.js';
import type { DetectorKind, ImageTargets } from '../../src/detect/types.js';
import { setupBackend } from '../../src/train/backend.js';
import { DEFAULT_OPTIMIZER, Optimizer } from '../../src/train/optimizer.js';
import { makeDetectorLosses } from '../../src/train/trainer.js';

const S = 64;
const CLASSES = 3;
/** The ellipse inscribed in each box: k×S×S row-major masks, as the loader gives them. */
function ellipses(boxes: Float32Array): Uint8Array {
  const k = boxes.length / 4, m = new Uint8Array(k * S * S);
  for (let j = 0; j < k; j++) {
    const [x1, y1, x2, y2] = boxes.subarray(4 * j, 4 * j + 4);
    for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) if (((x + 0.5 - (x1! + x2!) / 2) / ((x2! - x1!) / 2)) ** 2 + ((y + 0.5 - (y1! + y2!) / 2) / ((y2! - y1!) / 2)) ** 2 <= 1) m[j * S * S + y * S + x] = 1;
  }
  return m;
}
const targets: ImageTargets[] = [
  { boxes: Float32Array.of(4, 6, 30, 28, 34, 20, 60, 58), labels: Int32Array.of(0, 2) },
  { boxes: Float32Array.of(10, 10, 50, 50), labels: Int32Array.of(1) },
].map((t) => ({ ...t, masks: ellipses(t.boxes) }));
function images(): tf.Tensor4D {
  const d = new Float32Array(2 * S * S * 3);
  const rng = new Rng(11);
  for (let i = 0; i < d.length; i++) d[i] = rng.next();
  return tf.tensor4d(d, [2, S, S, 3]);
}

/** Every published loss of the detector's domain, plus the defaults. */
const CASES: Record<DetectorKind, [string, string][]> = {
  fcos: [['focal', 'giou'], ['autoloss-b-cls', 'autoloss-b-reg'], ['focal', 'autoloss-a-reg'], ['autoloss-b-cls', 'iou']],
  atss: [['focal', 'giou'], ['autoloss-b-cls', 'autoloss-b-reg'], ['focal', 'autoloss-a-reg']],
  'faster-rcnn': [['ce', 'l1'], ['autoloss-a-cls', 'autoloss-a-reg'], ['ce', 'autoloss-b-reg'], ['autoloss-a-cls', 'l1']],
  'cascade-rcnn': [['ce', 'l1'], ['autoloss-a-cls', 'autoloss-a-reg']],
  'mask-rcnn': [['ce', 'l1'], ['autoloss-a-cls', 'autoloss-a-reg']],
};

/** Heads whose weights one step must change. */
const MUST_MOVE: Record<DetectorKind, string[]> = {
  fcos: ['head.cls.w', 'head.box.w', 'head.ctr.w'],
  atss: ['head.cls.w', 'head.box.w', 'head.ctr.w'],
  'faster-rcnn': ['rpn.obj.w', 'roi.cls.w', 'roi.reg.w'],
  'cascade-rcnn': ['rpn.obj.w', 'roi0.cls.w', 'roi1.cls.w', 'roi2.cls.w', 'roi0.reg.w', 'roi2.reg.w'],
  'mask-rcnn': ['rpn.obj.w', 'roi.cls.w', 'roi.reg.w', 'mask.logits.w'],
};

describe('detectors', () => {
  before(async () => {
    await setupBackend('wasm');
  });

  for (const kind of Object.keys(CASES) as DetectorKind[]) {
    for (const [cls, reg] of CASES[kind]) {
      it(`${kind}: one step with ${cls} + ${reg} gives finite losses and changes the weights`, () => {
        const det = createDetector(kind, CLASSES, new Rng(1));
        const losses = makeDetectorLosses(kind, cls, reg);
        const entries = det.params.entries();
        const before = new Map(entries.map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
        const x = images();
        let terms: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.variableGrads(() => {
          terms = det.losses(x, targets, losses, new Rng(2));
          Object.values(terms).forEach((t) => tf.keep(t));
          return tf.addN(Object.values(terms)) as tf.Scalar;
        }, entries.map(([, v]) => v));
        for (const [k, t] of Object.entries(terms)) assert.ok(Number.isFinite(t.dataSync()[0]), `${k} is ${t.dataSync()[0]}`);
        assert.ok(Number.isFinite(value.dataSync()[0]));
        const nameOf = new Map(entries.map(([n, v]) => [v.name, n]));
        const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0 });
        opt.step(entries, new Map(Object.entries(grads).map(([vn, g]) => [nameOf.get(vn)!, g])), 1e-3);
        // Every head and the first backbone layer moved: gradients reach the whole network.
        const moved = entries.filter(([n, v]) => (v.dataSync() as Float32Array).some((a, i) => a !== before.get(n)![i])).map(([n]) => n);
        for (const must of ['backbone.0.down.w', ...MUST_MOVE[kind]]) assert.ok(moved.includes(must), `${must} unchanged`);
        tf.dispose([value, ...Object.values(grads), ...Object.values(terms), x]);
        opt.dispose();
        det.params.dispose();
      });
    }

    it(`${kind}: inference gives valid COCO detections`, () => {
      const det = createDetector(kind, CLASSES, new Rng(1));
      const x = images();
      const raw = det.predict(x, { scoreThreshold: 0, maxPerImage: 20 });
      x.dispose();
      assert.equal(raw.length, 2);
      const categories = [{ id: 7, name: 'a' }, { id: 8, name: 'b' }, { id: 9, name: 'c' }];
      const dets = raw.flatMap((r, i) => toCocoDetections(r, 100 + i, [0.5, 0.5], categories, [128, 128]));
      assert.ok(dets.length > 0);
      // Mask R-CNN's detections carry their masks as compressed RLE of the original image; the others have none.
      assert.equal(dets.every((d) => d.segmentation !== undefined), kind === 'mask-rcnn');
      const gt: CocoJson = { images: [{ id: 100, file_name: 'a.png', width: 128, height: 128 }, { id: 101, file_name: 'b.png', width: 128, height: 128 }], annotations: [], categories };
      const checked = validateDetections(JSON.parse(JSON.stringify(dets)), 'detections', gt);
      for (const [i, r] of raw.entries()) {
        assert.ok(r.scores.length <= 20);
        for (let k = 1; k < r.scores.length; k++) assert.ok(r.scores[k - 1]! >= r.scores[k]!, 'sorted by score');
        for (let k = 0; k < r.boxes.length; k++) assert.ok(r.boxes[k]! >= 0 && r.boxes[k]! <= S, `image ${i}: box inside the image`);
      }
      for (const d of checked) {
        assert.ok([7, 8, 9].includes(d.category_id));
        assert.ok(d.bbox[2] >= 0 && d.bbox[3] >= 0 && d.bbox[0] + d.bbox[2] <= 128.01 && d.bbox[1] + d.bbox[3] <= 128.01);
        assert.ok(d.score >= 0 && d.score <= 1);
      }
      det.params.dispose();
    });
  }

  it('rejects a loss of the wrong domain, naming the expected one', () => {
    assert.throws(() => makeDetectorLosses('fcos', 'autoloss-a-cls', 'giou'), /binary/);
    assert.throws(() => makeDetectorLosses('faster-rcnn', 'autoloss-b-cls', 'l1'), /multi/);
    assert.throws(() => makeDetectorLosses('fcos', 'focal', 'l1'), /two-stage/);
  });
});
