import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateCoco } from '../../src/data/coco-format.js';
import { decodeImage } from '../../src/data/image-io.js';
import { hashSeed, makeRng } from '../../src/util/rng.js';
import { renderSynthetic, SHAPES, syntheticSpec } from '../../src/data/synthetic.js';
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
