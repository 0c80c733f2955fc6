import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadDatasetFolder, type OpenedDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { writeDataset } from '../../src/data/write-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'autoloss-loader-'));
let ds: OpenedDataset;
before(() => {
  writeDataset(tmp, syntheticSpec(1, { train: 10, val: 3 }));
  ds = loadDatasetFolder(tmp);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const opts = { batchSize: 4, size: [128, 128] as [number, number], seed: 9, shuffle: false, flip: false };

describe('DataLoader', () => {
  it('should cover the split in ceil(n / batchSize) batches', () => {
    const loader = new DataLoader(ds, 'train', opts);
    assert.equal(loader.length, 3);
    const ids = [...loader.epoch(0)].flatMap((b) => b.imageIds);
    assert.deepEqual(ids, ds.train.images.map((im) => im.id));
    const last = loader.batch(0, 2);
    assert.deepEqual(last.shape, [2, 128, 128, 3]);
    assert.equal(last.images.length, 2 * 128 * 128 * 3);
    assert.throws(() => loader.batch(0, 3), RangeError);
  });

  it('should give the annotations as x1,y1,x2,y2 boxes and 0-based labels', () => {
    const b = new DataLoader(ds, 'train', opts).batch(0, 0);
    b.imageIds.forEach((id, k) => {
      const anns = ds.train.annotations.filter((a) => a.image_id === id);
      assert.deepEqual(Array.from(b.targets[k]!.boxes), anns.flatMap((a) => [a.bbox[0], a.bbox[1], a.bbox[0] + a.bbox[2], a.bbox[1] + a.bbox[3]]));
      assert.deepEqual(Array.from(b.targets[k]!.labels), anns.map((a) => ds.categories.findIndex((c) => c.id === a.category_id)));
    });
    assert.ok(b.images.every((v) => v >= 0 && v <= 1));
  });

  it('should shuffle by seed and epoch, the same way every time', () => {
    const a = new DataLoader(ds, 'train', { ...opts, shuffle: true });
    const b = new DataLoader(ds, 'train', { ...opts, shuffle: true });
    assert.deepEqual(a.batch(3, 1), b.batch(3, 1));
    const order0 = [...a.epoch(0)].flatMap((x) => x.imageIds);
    const order1 = [...a.epoch(1)].flatMap((x) => x.imageIds);
    assert.notDeepEqual(order0, order1);
    assert.deepEqual([...order0].sort((x, y) => x - y), ds.train.images.map((im) => im.id));
    const other = new DataLoader(ds, 'train', { ...opts, shuffle: true, seed: 10 });
    assert.notDeepEqual([...other.epoch(0)].flatMap((x) => x.imageIds), order0);
  });

  it('should mirror pixels and boxes together when flipping', () => {
    const plain = new DataLoader(ds, 'train', { ...opts, batchSize: 10 }).batch(0, 0);
    const flip = new DataLoader(ds, 'train', { ...opts, batchSize: 10, flip: true }).batch(0, 0);
    let flipped = 0;
    for (let k = 0; k < 10; k++) {
      const same = plain.images.subarray(k * 128 * 128 * 3, (k + 1) * 128 * 128 * 3).every((v, i) => v === flip.images[k * 128 * 128 * 3 + i]);
      if (same) {
        assert.deepEqual(flip.targets[k], plain.targets[k]);
        continue;
      }
      flipped++;
      // Pixel (y, x) of the flipped image is pixel (y, W-1-x) of the plain one.
      const at = (img: Float32Array, y: number, x: number) => img[k * 128 * 128 * 3 + 3 * (y * 128 + x)];
      assert.equal(at(flip.images, 17, 5), at(plain.images, 17, 122));
      const p = plain.targets[k]!.boxes;
      const f = flip.targets[k]!.boxes;
      for (let j = 0; j < p.length / 4; j++) {
        assert.deepEqual([f[4 * j], f[4 * j + 1], f[4 * j + 2], f[4 * j + 3]], [128 - p[4 * j + 2]!, p[4 * j + 1], 128 - p[4 * j]!, p[4 * j + 3]]);
      }
    }
    assert.ok(flipped > 0 && flipped < 10, `${flipped} of 10 flipped`);
  });

  it('should resize images and scale boxes, reporting the scales', () => {
    const b = new DataLoader(ds, 'val', { ...opts, size: [64, 96] }).batch(0, 0);
    assert.deepEqual(b.shape, [3, 64, 96, 3]);
    assert.deepEqual(b.scales[0], [0.5, 0.75]);
    const a = ds.val.annotations.find((x) => x.image_id === b.imageIds[0])!;
    assert.deepEqual(Array.from(b.targets[0]!.boxes.subarray(0, 4)), [a.bbox[0] * 0.75, a.bbox[1] * 0.5, (a.bbox[0] + a.bbox[2]) * 0.75, (a.bbox[1] + a.bbox[3]) * 0.5]);
  });

  it('should give the same batches with and without the image cache', () => {
    const a = new DataLoader(ds, 'train', { ...opts, shuffle: true, flip: true, size: [100, 90] });
    const b = new DataLoader(ds, 'train', { ...opts, shuffle: true, flip: true, size: [100, 90], cache: false });
    a.batch(0, 1);
    assert.deepEqual(a.batch(2, 1), b.batch(2, 1));
  });

  it('should reject a bad batch size', () => {
    assert.throws(() => new DataLoader(ds, 'train', { ...opts, batchSize: 0 }), /batch size must be a positive integer/);
  });

  it('should give instance masks on request, in the image layout, mirrored and resized with the image', () => {
    const plain = new DataLoader(ds, 'train', { ...opts, batchSize: 10, masks: true }).batch(0, 0);
    assert.equal(new DataLoader(ds, 'train', opts).batch(0, 0).targets[0]!.masks, undefined);
    const flip = new DataLoader(ds, 'train', { ...opts, batchSize: 10, flip: true, masks: true }).batch(0, 0);
    const half = new DataLoader(ds, 'train', { ...opts, batchSize: 10, size: [64, 64], masks: true }).batch(0, 0);
    let flipped = 0;
    for (let k = 0; k < 10; k++) {
      const t = plain.targets[k]!;
      const n = t.labels.length;
      assert.equal(t.masks!.length, n * 128 * 128);
      for (let j = 0; j < n; j++) {
        const m = t.masks!.subarray(j * 128 * 128, (j + 1) * 128 * 128);
        // The synthetic masks are exactly their boxes' and areas' pixels.
        let area = 0, x0 = 128, y0 = 128, x1 = 0, y1 = 0;
        m.forEach((v, p) => {
          if (!v) return;
          area++;
          x0 = Math.min(x0, p % 128), x1 = Math.max(x1, (p % 128) + 1), y0 = Math.min(y0, Math.floor(p / 128)), y1 = Math.max(y1, Math.floor(p / 128) + 1);
        });
        const ann = ds.train.annotations.filter((a) => a.image_id === plain.imageIds[k])[j]!;
        assert.equal(area, ann.area);
        assert.deepEqual([x0, y0, x1, y1], Array.from(t.boxes.subarray(4 * j, 4 * j + 4)));
        // At half size each mask pixel is the original's pixel (2y+1, 2x+1).
        const h = half.targets[k]!.masks!.subarray(j * 64 * 64, (j + 1) * 64 * 64);
        for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) assert.equal(h[y * 64 + x], m[(2 * y + 1) * 128 + 2 * x + 1]);
      }
      const same = plain.images.subarray(k * 128 * 128 * 3, (k + 1) * 128 * 128 * 3).every((v, i) => v === flip.images[k * 128 * 128 * 3 + i]);
      if (same) continue;
      flipped++;
      const f = flip.targets[k]!.masks!;
      for (let p = 0; p < n * 128 * 128; p++) assert.equal(f[p], t.masks![p - (p % 128) + 127 - (p % 128)]);
    }
    assert.ok(flipped > 0);
  });

  it('should name the annotation without a mask when masks are asked for', () => {
    const bare = { ...ds, train: { ...ds.train, annotations: ds.train.annotations.map((a, n) => (n === 2 ? { ...a, segmentation: undefined } : a)) } };
    assert.throws(() => new DataLoader(bare, 'train', { ...opts, masks: true }), /train\.json: annotations\[2\] \(id 3\): missing field "segmentation"/);
  });
});
