import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateCoco } from '../../src/data/coco-format.js';
import { decodeImage } from '../../src/data/image-io.js';
import { hashSeed, makeRng } from '../../src/util/rng.js';
import { texturedBackground, toRgbImage } from '../../src/data/canvas.js';
import { drawShape, renderSynthetic, SHAPES, syntheticSpec, type Rect } from '../../src/data/synthetic.js';
import { changes, maskFacts } from '../helpers/masks.js';
import { writeDataset } from '../../src/data/write-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'autoloss-syn-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('renderSynthetic', () => {
  it('should give the same image for the same seed and a different one otherwise', () => {
    const a = renderSynthetic(makeRng(hashSeed(3, 1, 0)));
    const b = renderSynthetic(makeRng(hashSeed(3, 1, 0)));
    const c = renderSynthetic(makeRng(hashSeed(4, 1, 0)));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.image.data, c.image.data);
  });

  it('should place 1-4 visible objects inside the canvas, boxed by their pixels', () => {
    for (let i = 0; i < 40; i++) {
      const { image, objects } = renderSynthetic(makeRng(hashSeed(0, 1, i)));
      assert.equal(image.width, 128);
      assert.ok(objects.length >= 1 && objects.length <= 4, `image ${i}: ${objects.length} objects`);
      for (const o of objects) {
        const [x, y, w, h] = o.bbox;
        assert.ok(x >= 0 && y >= 0 && x + w <= 128 && y + h <= 128, `box ${o.bbox}`);
        assert.ok(w >= 8 && h >= 8, `box ${o.bbox} is not tiny`);
        assert.ok(o.area > 0 && o.area <= w * h);
        assert.ok(o.category_id >= 1 && o.category_id <= SHAPES.length);
      }
    }
  });

  it('should cover small, medium and large objects in the COCO sense', () => {
    const areas: number[] = [];
    for (let i = 0; i < 200; i++) areas.push(...renderSynthetic(makeRng(hashSeed(0, 1, i))).objects.map((o) => o.area));
    assert.ok(areas.some((a) => a < 32 ** 2));
    assert.ok(areas.some((a) => a >= 32 ** 2 && a < 96 ** 2));
    assert.ok(areas.some((a) => a >= 96 ** 2));
  });
});

describe('writeDataset', () => {
  it('should write valid COCO files whose images decode to the drawn pixels', () => {
    const spec = syntheticSpec(5, { train: 6, val: 2 });
    const out = writeDataset(join(tmp, 'a'), spec);
    writeDataset(join(tmp, 'b'), spec);
    for (const split of ['train', 'val'] as const) {
      const json = JSON.parse(readFileSync(join(tmp, 'a', `${split}.json`), 'utf8'));
      const coco = validateCoco(json, `${split}.json`, { requireFileNames: true, borderTolerance: 0 });
      assert.deepEqual(coco, out[split]);
      assert.equal(coco.images.length, spec.counts[split]);
    }
    const first = readFileSync(join(tmp, 'a', 'images', 'train', '000001.png'));
    assert.deepEqual(first, readFileSync(join(tmp, 'b', 'images', 'train', '000001.png')), 'same seed, same bytes');
    const img = decodeImage(first, '000001.png');
    const direct = spec.render(makeRng(hashSeed(5, 1, 0)), 'train', 0).image;
    assert.deepEqual(img, direct);
  });
});

describe('synthetic instance masks', () => {
  it('should mask exactly the pixels a shape covers at least half', () => {
    // White on black without shading: every drawn value is the pixel's coverage.
    const flat = () => 0.5;
    const rng = makeRng(hashSeed(9, 9, 9));
    for (const shape of SHAPES) {
      for (let t = 0; t < 5; t++) {
        const w = 6 + Math.floor(rng() * 30);
        const h = 6 + Math.floor(rng() * 30);
        const rect: Rect = [1 + Math.floor(rng() * 8), 1 + Math.floor(rng() * 8), w, h];
        const rgb = new Float32Array(48 * 48 * 3);
        const o = drawShape(rgb, 48, 48, shape, rect, [1, 1, 1], flat)!;
        const { mask, area, box } = maskFacts(o.segmentation);
        for (let p = 0; p < 48 * 48; p++) assert.equal(mask[p], rgb[3 * p]! >= 0.5 ? 1 : 0, `${shape.name} ${rect}: pixel ${p % 48},${Math.floor(p / 48)} covers ${rgb[3 * p]}`);
        assert.equal(area, o.area);
        assert.deepEqual(box, o.bbox);
      }
    }
  });

  it('should give every object a mask of its box and area that lies on drawn pixels', () => {
    for (let i = 0; i < 30; i++) {
      const { image, objects } = renderSynthetic(makeRng(hashSeed(0, 1, i)));
      // The background is the first thing drawn from the image's stream.
      const changed = changes(image, toRgbImage(texturedBackground(makeRng(hashSeed(0, 1, i)), 128, 128)));
      const union = new Uint8Array(128 * 128);
      for (const o of objects) {
        const { mask, area, box } = maskFacts(o.segmentation);
        assert.deepEqual(o.segmentation!.size, [128, 128]);
        assert.equal(area, o.area, `image ${i}`);
        assert.deepEqual(box, o.bbox, `image ${i}`);
        mask.forEach((v, p) => {
          if (!v) return;
          union[p] = 1;
          assert.ok(changed[p]! > 0, `image ${i}: masked pixel ${p % 128},${Math.floor(p / 128)} is background`);
        });
      }
      // Drawn pixels outside every mask are antialiased edges: a mask pixel is near.
      changed.forEach((v, p) => {
        if (!v || union[p]) return;
        const x = p % 128, y = Math.floor(p / 128);
        let near = false;
        for (let dy = -3; dy <= 3 && !near; dy++) for (let dx = -3; dx <= 3 && !near; dx++) near = union[(y + dy) * 128 + x + dx] === 1;
        assert.ok(near, `image ${i}: drawn pixel ${x},${y} is far from every mask`);
      });
    }
  });

  it('should write the masks into the COCO files', () => {
    const out = writeDataset(join(tmp, 'm'), syntheticSpec(2, { train: 3, val: 1 }));
    const json = JSON.parse(readFileSync(join(tmp, 'm', 'train.json'), 'utf8'));
    assert.ok(json.annotations.length > 0);
    for (const a of json.annotations) assert.equal(typeof a.segmentation.counts, 'string');
    assert.deepEqual(validateCoco(json, 'train.json').annotations, out.train.annotations);
  });
});
