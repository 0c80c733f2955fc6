import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { texturedBackground, toRgbImage } from '../../src/data/canvas.js';
import { drawArticle, FASHION_MNIST_DIR, loadFashionMnist, renderFashion, VISIBLE, type IdxArticles } from '../../src/data/fashion-mnist.js';
import { changes, maskFacts } from '../helpers/masks.js';
import { hashSeed, makeRng } from '../../src/util/rng.js';

const tmp = mkdtempSync(join(tmpdir(), 'autoloss-fm-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes a tiny IDX pair: `count` 28×28 articles, each a filled rectangle, labels 0..count-1. */
function writeIdx(dir: string, part: string, count: number): void {
  const img = Buffer.alloc(16 + count * 784);
  img.writeUInt32BE(0x803, 0);
  img.writeUInt32BE(count, 4);
  img.writeUInt32BE(28, 8);
  img.writeUInt32BE(28, 12);
  for (let k = 0; k < count; k++) for (let y = 6; y < 22; y++) for (let x = 10; x < 18; x++) img[16 + k * 784 + y * 28 + x] = 255;
  const lab = Buffer.alloc(8 + count);
  lab.writeUInt32BE(0x801, 0);
  lab.writeUInt32BE(count, 4);
  for (let k = 0; k < count; k++) lab[8 + k] = k % 10;
  writeFileSync(join(dir, `${part}-images-idx3-ubyte.gz`), gzipSync(img));
  writeFileSync(join(dir, `${part}-labels-idx1-ubyte.gz`), gzipSync(lab));
}

describe('loadFashionMnist', () => {
  it('should read IDX images and labels', () => {
    writeIdx(tmp, 'train', 3);
    const a = loadFashionMnist('train', tmp);
    assert.deepEqual([a.count, a.rows, a.cols], [3, 28, 28]);
    assert.deepEqual(Array.from(a.labels), [0, 1, 2]);
    assert.equal(a.pixels[6 * 28 + 10], 255);
  });

  it('should say which package provides the files when they are missing', () => {
    assert.throws(() => loadFashionMnist('t10k', join(tmp, 'none')), /dataset-fashion-mnist/);
  });

  it('should read the Debian files when installed', { skip: !existsSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')) && 'dataset-fashion-mnist not installed' }, () => {
    const a = loadFashionMnist('t10k');
    assert.deepEqual([a.count, a.rows, a.cols], [10000, 28, 28]);
    assert.ok(a.labels.every((l) => l < 10));
  });
});

describe('renderFashion', () => {
  it('should box each article by its visible pixels, deterministically', () => {
    writeIdx(tmp, 't10k', 10);
    const articles: IdxArticles = loadFashionMnist('t10k', tmp);
    for (let i = 0; i < 20; i++) {
      const a = renderFashion(makeRng(hashSeed(1, 2, i)), articles);
      assert.deepEqual(a, renderFashion(makeRng(hashSeed(1, 2, i)), articles));
      assert.ok(a.objects.length >= 1);
      for (const o of a.objects) {
        const [, , w, h] = o.bbox;
        // The article's bright block is 8×16 of 28×28, so its box keeps a 1:2 aspect at any scale (up to two partly covered edge pixels per side).
        assert.ok(Math.abs(h - 2 * w) <= 6, `box ${o.bbox}`);
        assert.ok(o.area <= w * h && o.area >= 0.8 * w * h, `area ${o.area} of ${o.bbox}`);
      }
    }
  });
});

describe('fashion-mnist instance masks', () => {
  it('should mask exactly the pixels drawn with intensity of at least VISIBLE', () => {
    writeIdx(tmp, 't10k', 10);
    const articles = loadFashionMnist('t10k', tmp);
    for (const [at, scale] of [[[3, 5, 40, 40], 40 / 28], [[0, 0, 90, 90], 90 / 28], [[10, 20, 31, 31], 31 / 28]] as const) {
      // White on black: every drawn value is the article's intensity / 255.
      const rgb = new Float32Array(100 * 100 * 3);
      const o = drawArticle(rgb, 100, articles, 1, at, scale, [1, 1, 1])!;
      const { mask, area, box } = maskFacts(o.segmentation);
      for (let p = 0; p < 100 * 100; p++) assert.equal(mask[p], rgb[3 * p]! >= Math.fround(VISIBLE / 255) ? 1 : 0, `pixel ${p % 100},${Math.floor(p / 100)}: ${rgb[3 * p]! * 255}`);
      assert.equal(area, o.area);
      assert.deepEqual(box, o.bbox);
    }
  });

  it('should give every article a mask of its box and area on drawn pixels, and leave only faint pixels outside', () => {
    const articles = loadFashionMnist('t10k', tmp);
    for (let i = 0; i < 20; i++) {
      const { image, objects } = renderFashion(makeRng(hashSeed(1, 2, i)), articles);
      const bg = texturedBackground(makeRng(hashSeed(1, 2, i)), 128, 128);
      for (let k = 0; k < bg.rgb.length; k++) bg.rgb[k] = bg.rgb[k]! * 0.5;
      const changed = changes(image, toRgbImage(bg));
      const union = new Uint8Array(128 * 128);
      for (const o of objects) {
        const { mask, area, box } = maskFacts(o.segmentation);
        assert.equal(area, o.area);
        assert.deepEqual(box, o.bbox);
        mask.forEach((v, p) => {
          if (!v) return;
          union[p] = 1;
          assert.ok(changed[p]! > 0, `image ${i}: masked pixel ${p} is background`);
        });
      }
      // Outside the masks every article's alpha is below VISIBLE/255, so no channel moves by more than that.
      changed.forEach((v, p) => assert.ok(union[p] || v <= VISIBLE + 1, `image ${i}: pixel ${p} changed by ${v} outside every mask`));
    }
  });
});
