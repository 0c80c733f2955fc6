import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { lrAt } from '../../src/train/optimizer.js';
import { DEFAULT_TRAIN, DivergenceError, train, type TrainConfig } from '../../src/train/trainer.js';
import { tinyDataset } from './_tiny-dataset.js';

let data = '';
const cfg = (): TrainConfig => ({
  ...DEFAULT_TRAIN,
  detector: 'fcos',
  clsLoss: 'focal',
  regLoss: 'giou',
  data,
  steps: 3,
  batch: 2,
  imageSize: 64,
  backend: 'wasm',
  warmup: 1,
  evalEvery: 0,
  cacheDir: join(tmpdir(), 'autoloss-unused-cache'),
});

function steps(dir: string): { step: number; loss: number; cls: number }[] {
  return readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
    .filter((m) => m.type === 'step');
}

describe('train', () => {
  before(() => {
    data = tinyDataset();
  });

  it('writes metrics per step, a checkpoint, eval.json with 12 COCO numbers and detections.json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'a');
    const r = await train(cfg(), { out, quiet: true });
    assert.equal(r.stats.length, 12);
    assert.deepEqual(steps(out).map((s) => s.step), [1, 2, 3]);
    for (const s of steps(out)) assert.ok(Number.isFinite(s.loss) && Number.isFinite(s.cls));
    const ev = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    assert.equal(ev.stats.length, 12);
    assert.ok(Array.isArray(JSON.parse(readFileSync(join(out, 'detections.json'), 'utf8'))));
    assert.equal(loadCheckpoint(join(out, 'checkpoint')).step, 3);
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    assert.deepEqual(rec, { detector: 'fcos', backbone: 'tiny', norm: null, headConvs: 2, frozenStages: -1, recipe: { name: 'mmdet', centernessTarget: 'centerness', regWeight: 1 }, losses: { cls: 'focal', reg: 'giou' }, seed: 0, steps: 3, backend: 'wasm', data });
  });

  it('resumes at the next step with identical weights, optimizer state and metrics', async () => {
    const root = mkdtempSync(join(tmpdir(), 'run-'));
    const full = join(root, 'full'), split = join(root, 'split');
    await train(cfg(), { out: full, quiet: true });
    await train(cfg(), { out: split, quiet: true, stopAfter: 2 });
    assert.equal(loadCheckpoint(join(split, 'checkpoint')).step, 2);
    assert.ok(!existsSync(join(split, 'eval.json')));
    await train(cfg(), { out: split, resume: true, quiet: true });
    const a = loadCheckpoint(join(full, 'checkpoint')), b = loadCheckpoint(join(split, 'checkpoint'));
    assert.equal(b.step, 3);
    assert.equal(b.rngState, a.rngState);
    assert.deepEqual(b.optimizer, a.optimizer);
    for (const [n, p] of a.params) assert.deepEqual(b.params.get(n)!.data, p.data, `parameter ${n}`);
    const strip = (xs: { step: number; loss: number }[]) => xs.map(({ step, loss }) => ({ step, loss }));
    assert.deepEqual(strip(steps(split)), strip(steps(full)));
    assert.deepEqual(JSON.parse(readFileSync(join(split, 'eval.json'), 'utf8')).stats, JSON.parse(readFileSync(join(full, 'eval.json'), 'utf8')).stats);
  });

  it('is reproducible: the same seed and backend give the same metrics', async () => {
    const root = mkdtempSync(join(tmpdir(), 'run-'));
    await train({ ...cfg(), steps: 2 }, { out: join(root, 'x'), quiet: true });
    await train({ ...cfg(), steps: 2 }, { out: join(root, 'y'), quiet: true });
    const strip = (xs: { step: number; loss: number }[]) => xs.map(({ step, loss }) => ({ step, loss }));
    assert.deepEqual(strip(steps(join(root, 'x'))), strip(steps(join(root, 'y'))));
  });

  it('stops on a non-finite loss with a clear message and writes no results', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'nan');
    await assert.rejects(train({ ...cfg(), clsLoss: 'Log(Neg(Add(1,Sig(X))))' }, { out, quiet: true }), (e: unknown) => {
      assert.ok(e instanceof DivergenceError);
      assert.match((e as Error).message, /diverged at step 1: loss term (cls|loss) is NaN/);
      return true;
    });
    assert.ok(!existsSync(join(out, 'eval.json')) && !existsSync(join(out, 'checkpoint')));
  });

  it('refuses to overwrite a finished run', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'run-')), 'a');
    await train({ ...cfg(), steps: 1 }, { out, quiet: true });
    await assert.rejects(train({ ...cfg(), steps: 1 }, { out, quiet: true }), /already holds a run/);
  });
});

describe('lrAt', () => {
  it('warms up linearly from lr/10, then steps down at 75% and 90%', () => {
    assert.equal(lrAt(0, 100, 1, 10), 0.1);
    assert.ok(Math.abs(lrAt(5, 100, 1, 10) - 0.55) < 1e-12);
    assert.equal(lrAt(50, 100, 1, 10), 1);
    assert.ok(Math.abs(lrAt(80, 100, 1, 10) - 0.1) < 1e-12);
    assert.ok(Math.abs(lrAt(95, 100, 1, 10) - 0.01) < 1e-12);
  });
});
