import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { BACKBONE_TABLE } from '../../src/detect/backbone.js';
import { Params } from '../../src/detect/params.js';
import { tf } from '../../src/detect/tf.js';
import { loadBackboneWeights } from '../../src/detect/weights.js';
import { setupBackend } from '../../src/train/backend.js';
import { SeededRng as Rng } from '../../src/util/rng.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'convert-torchvision.py');
const N = 2, S = 64;

describe('ResNet weights converted from torchvision', () => {
  before(async () => {
    await setupBackend('wasm');
  });

  for (const arch of ['resnet18', 'resnet50'] as const) {
    it(`${arch}: a randomly initialised torchvision model, converted and loaded, gives its C2–C5 feature maps within 1e-4`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'weights-'));
      const images = new Float32Array(N * S * S * 3);
      const rng = new Rng(4);
      for (let i = 0; i < images.length; i++) images[i] = rng.normal();
      const imagesFile = join(dir, 'images.f32'), out = join(dir, `${arch}.safetensors`);
      writeFileSync(imagesFile, new Uint8Array(images.buffer));
      const r = spawnSync(PYTHON, [SCRIPT, '--arch', arch, '--random-seed', '7', '--out', out, '--features', imagesFile, '--size', String(S)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const want = JSON.parse(readFileSync(`${out}.features.json`, 'utf8')) as { shape: number[]; data: number[] }[];
      const p = new Params(new Rng(0));
      const bb = BACKBONE_TABLE[arch];
      bb.init(p, 'frozen-bn');
      // Every backbone tensor is taken from the file: the convolutions and the four BatchNorm tensors of each norm layer.
      assert.equal(loadBackboneWeights(p, out), p.names().length + p.bufferNames().length);
      const got = tf.tidy(() => bb.run(p, 'frozen-bn', tf.tensor4d(images, [N, S, S, 3])).map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array })));
      assert.equal(got.length, 4);
      got.forEach((g, level) => {
        assert.deepEqual(g.shape, want[level]!.shape, `C${level + 2} shape`);
        let worst = 0, scale = 0;
        want[level]!.data.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(g.data[k]! - v));
          scale = Math.max(scale, Math.abs(v));
        });
        assert.ok(scale > 0.1, `C${level + 2} is not trivially zero`);
        assert.ok(worst <= 1e-4 * Math.max(1, scale), `C${level + 2}: max |ours − torchvision| = ${worst} (largest value ${scale})`);
      });
      p.dispose();
    });
  }

  it('names what is missing when the file is not a ResNet of that depth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weights-'));
    const out = join(dir, 'r18.safetensors');
    const r = spawnSync(PYTHON, [SCRIPT, '--arch', 'resnet18', '--random-seed', '1', '--out', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const p = new Params(new Rng(0));
    BACKBONE_TABLE.resnet50.init(p, 'frozen-bn');
    assert.throws(() => loadBackboneWeights(p, out), /layer1\.0\.conv3\.weight|shape/);
    p.dispose();
    assert.throws(() => loadBackboneWeights(new Params(new Rng(0)), join(dir, 'nope.safetensors')), /cannot read/);
  });
});
