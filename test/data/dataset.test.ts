import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DataError } from '../../src/data/data-error.js';
import { loadDatasetFolder, openDataset } from '../../src/data/dataset.js';
import { decodeImage, encodeJpeg } from '../../src/data/image-io.js';
import { DataLoader } from '../../src/data/loader.js';
import { syntheticSpec } from '../../src/data/synthetic.js';
import { writeDataset } from '../../src/data/write-dataset.js';

const tmp = mkdtempSync(join(tmpdir(), 'autoloss-dataset-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('openDataset', () => {
  it('should generate the synthetic set once into <cacheDir>/synthetic-v2 and reuse it', async () => {
    const cacheDir = join(tmp, 'cache');
    let calls = 0;
    const ds = await openDataset('synthetic', { cacheDir, onProgress: () => calls++ });
    assert.equal(ds.name, 'synthetic');
    assert.equal(ds.dir, join(cacheDir, 'synthetic-v2'));
    assert.equal(ds.train.images.length, 1000);
    assert.equal(ds.val.images.length, 200);
    assert.equal(calls, 1200);
    assert.deepEqual(ds.categories.map((c) => c.name), ['circle', 'square', 'triangle', 'cross', 'ring']);
    assert.deepEqual(readdirSync(cacheDir), ['synthetic-v2'], 'no temporary folder left');
    const again = await openDataset('synthetic', { cacheDir, onProgress: () => calls++ });
    assert.equal(calls, 1200, 'not generated twice');
    assert.deepEqual(again.train, ds.train);
  });

  it('should open a COCO folder by path', async () => {
    const dir = join(tmp, 'folder');
    writeDataset(dir, syntheticSpec(2, { train: 3, val: 2 }));
    const ds = await openDataset(dir, { cacheDir: join(tmp, 'unused') });
    assert.equal(ds.name, 'folder');
    assert.equal(ds.val.images.length, 2);
  });

  it('should reject a spec that is neither a built-in nor a folder', async () => {
    await assert.rejects(openDataset(join(tmp, 'nope'), { cacheDir: tmp }), /is neither a built-in \(synthetic, fashion-mnist\) nor a folder/);
  });
});

describe('loadDatasetFolder', () => {
  it('should name a missing image file', () => {
    const dir = join(tmp, 'missing');
    writeDataset(dir, syntheticSpec(2, { train: 3, val: 1 }));
    rmSync(join(dir, 'images', 'train', '000002.png'));
    assert.throws(() => loadDatasetFolder(dir), (e: unknown) => e instanceof DataError && /train\.json: images\[1\] \(id 2\): field "file_name": .*000002\.png does not exist/.test(e.message));
  });

  it('should read JPEG images as well as PNG', () => {
    const dir = join(tmp, 'jpeg');
    writeDataset(dir, syntheticSpec(3, { train: 2, val: 1 }));
    const train = JSON.parse(readFileSync(join(dir, 'train.json'), 'utf8'));
    const png = join(dir, 'images', train.images[0].file_name);
    writeFileSync(join(dir, 'images', 'first.jpg'), encodeJpeg(decodeImage(readFileSync(png), png), 95));
    train.images[0].file_name = 'first.jpg';
    writeFileSync(join(dir, 'train.json'), JSON.stringify(train));
    const ds = loadDatasetFolder(dir);
    const jpg = new DataLoader(ds, 'train', { batchSize: 1, size: [128, 128], seed: 0, shuffle: false, flip: false }).batch(0, 0);
    const ref = decodeImage(readFileSync(png), png);
    // JPEG is lossy: the mean absolute error stays small on these flat shapes.
    let err = 0;
    for (let k = 0; k < ref.data.length; k++) err += Math.abs(jpg.images[k]! * 255 - ref.data[k]!);
    assert.ok(err / ref.data.length < 6, `mean error ${err / ref.data.length}`);
  });

  it('should say when the folder does not exist', () => {
    assert.throws(() => loadDatasetFolder(join(tmp, 'absent')), /dataset folder .*absent does not exist/);
  });

  it('should require the same categories in both splits', () => {
    const dir = join(tmp, 'cats');
    writeDataset(dir, syntheticSpec(2, { train: 2, val: 1 }));
    const val = JSON.parse(readFileSync(join(dir, 'val.json'), 'utf8'));
    val.categories[0].name = 'disc';
    writeFileSync(join(dir, 'val.json'), JSON.stringify(val));
    assert.throws(() => loadDatasetFolder(dir), /val\.json: categories differ from train\.json's/);
  });
});
