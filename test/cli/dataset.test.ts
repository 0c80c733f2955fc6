import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'autoloss-dataset-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('autoloss dataset', () => {
  it('should write a synthetic COCO folder that passes its own check', () => {
    const out = join(dir, 'syn');
    const r = cli(['dataset', 'synthetic', '--out', out, '--train', '6', '--val', '2', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /train: 6 images, \d+ objects \(small \d+, medium \d+, large \d+\), all with masks/);
    assert.deepEqual(readdirSync(join(out, 'images', 'train')).length, 6);
    const c = cli(['dataset', 'check', out]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /5 categories \(circle, square, triangle, cross, ring\)/);
  });

  it('should write a Fashion-MNIST COCO folder when the Debian files are present', { skip: !existsSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz') && 'dataset-fashion-mnist not installed' }, () => {
    const out = join(dir, 'fm');
    const r = cli(['dataset', 'fashion-mnist', '--out', out, '--train', '4', '--val', '2']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /10 categories \(T-shirt\/top, Trouser/);
  });

  it('should draw a preview PNG of a folder', () => {
    const out = join(dir, 'prev');
    assert.equal(cli(['dataset', 'synthetic', '--out', out, '--train', '2', '--val', '3']).code, 0);
    const png = join(dir, 'prev.png');
    const r = cli(['dataset', 'preview', out, '--out', png, '--count', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /circle: rgb\(255, 225, 25\)/);
    assert.deepEqual([...readFileSync(png).subarray(1, 4)], [...Buffer.from('PNG')]);
  });

  it('should refuse to overwrite a folder that has files', () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    const r = cli(['dataset', 'synthetic', '--out', out, '--train', '2', '--val', '1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already exists and is not an empty folder/);
    assert.equal(readFileSync(join(out, 'keep.txt'), 'utf8'), 'mine');
  });

  it('should name the file, annotation and field of a broken dataset folder', () => {
    const out = join(dir, 'syn2');
    assert.equal(cli(['dataset', 'synthetic', '--out', out, '--train', '3', '--val', '1']).code, 0);
    const val = JSON.parse(readFileSync(join(out, 'val.json'), 'utf8'));
    delete val.annotations[0].category_id;
    writeFileSync(join(out, 'val.json'), JSON.stringify(val));
    const r = cli(['dataset', 'check', out]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /val\.json: annotations\[0\] \(id 1\): missing field "category_id"/);
  });
});
