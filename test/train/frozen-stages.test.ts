import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isFrozen, resolveFrozenStages } from '../../src/detect/backbone.js';
import { createDetector } from '../../src/detect/create-detector.js';
import { setupBackend } from '../../src/train/backend.js';
import { loadBackboneWeights } from '../../src/detect/weights.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { DEFAULT_OPTIMIZER, Optimizer } from '../../src/train/optimizer.js';
import { createStepper, type HostBatch } from '../../src/train/parallel.js';
import { compare, namedCombo } from '../../src/train/compare.js';
import { DEFAULT_TRAIN, detectorOptions, makeDetectorLosses, runRecord, recipeOf, train, type TrainConfig } from '../../src/train/trainer.js';
import { UserError } from '../../src/util/errors.js';
import { SeededRng as Rng } from '../../src/util/rng.js';
import { tinyDataset } from './_tiny-dataset.js';

let data = '';
const cfg = (over: Partial<TrainConfig>): TrainConfig => ({
  ...DEFAULT_TRAIN,
  detector: 'fcos',
  clsLoss: 'focal',
  regLoss: 'giou',
  data,
  steps: 2,
  batch: 2,
  imageSize: 64,
  backend: 'wasm',
  warmup: 0,
  evalEvery: 0,
  cacheDir: join(tmpdir(), 'autoloss-unused-cache'),
  ...over,
});

/** The run's initial weights: the same seed and options build the same network. */
function initialWeights(c: TrainConfig): Map<string, Float32Array> {
  const classes = (JSON.parse(readFileSync(join(c.data, 'train.json'), 'utf8')) as { categories: unknown[] }).categories.length;
  const det = createDetector(c.detector, classes, new Rng(c.seed), detectorOptions(c));
  if (c.weights) loadBackboneWeights(det.params, c.weights);
  const w = new Map(det.params.entries().map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
  det.params.dispose();
  return w;
}

/**
 * Splits the run's parameters by the stages named by hand in `frozen`
 * (prefixes) and checks: every frozen one bit-identical to its initial
 * value and absent from the optimizer's slots; every other backbone
 * parameter under `moving` changed.
 */
function checkFrozen(c: TrainConfig, out: string, frozen: readonly string[], moving: readonly string[]): void {
  const ck = loadCheckpoint(join(out, 'checkpoint'));
  const init = initialWeights(c);
  const slotNames = new Set(Object.keys(ck.optimizer.slots));
  let nFrozen = 0, nMoving = 0;
  for (const [name, p] of ck.params) {
    if (frozen.some((pre) => name.startsWith(pre))) {
      nFrozen++;
      assert.deepEqual(p.data, init.get(name), `${name} changed although its stage is frozen`);
      assert.ok(!slotNames.has(name), `${name} has optimizer slots although its stage is frozen`);
    } else if (moving.some((pre) => name.startsWith(pre))) {
      nMoving++;
      assert.notDeepEqual(p.data, init.get(name), `${name} did not move`);
      assert.ok(slotNames.has(name), `${name} has no optimizer slots`);
    }
  }
  assert.ok(nFrozen > 0 && nMoving > 0, `${nFrozen} frozen, ${nMoving} moving parameters`);
}

/**
 * A stand-in for a converted torchvision ResNet-18 (safetensors, torchvision's
 * names, convolutions as O, I, kH, kW) with random values: what matters here
 * is that the run starts from a file, not what the file holds.
 */
function fakeResNet18(file: string): void {
  const det = createDetector('fcos', 1, new Rng(0), { backbone: 'resnet18', norm: 'frozen-bn' });
  const rng = new Rng(9);
  const header: Record<string, { dtype: 'F32'; shape: number[]; data_offsets: [number, number] }> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const name of [...det.params.names(), ...det.params.bufferNames()].filter((n) => n.startsWith('backbone.'))) {
    const shape = det.params.tensor(name).shape;
    const oihw = name.endsWith('.w') ? [shape[3]!, shape[2]!, shape[0]!, shape[1]!] : shape;
    const data = Float32Array.from({ length: oihw.reduce((a, b) => a * b, 1) }, () => (name.endsWith('running_var') ? 0.5 + rng.next() : 0.1 * rng.normal()));
    const bytes = Buffer.from(data.buffer);
    header[name.slice('backbone.'.length).replace(/\.w$/, '.weight')] = { dtype: 'F32', shape: oihw, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  det.params.dispose();
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([len, json, ...chunks]));
}

describe('frozen stages (mmdetection frozen_stages)', () => {
  before(() => {
    data = tinyDataset();
  });

  it('defaults to 1 with pretrained weights and to -1 (none) from scratch; rejects values outside -1…4', () => {
    assert.equal(resolveFrozenStages(undefined, true), 1);
    assert.equal(resolveFrozenStages(undefined, false), -1);
    assert.equal(resolveFrozenStages(3, true), 3);
    assert.equal(resolveFrozenStages(0, false), 0);
    for (const bad of [-2, 5, 1.5]) assert.throws(() => resolveFrozenStages(bad, false), (e: unknown) => e instanceof UserError && /from -1 to 4/.test(e.message));
  });

  it('freezes the stem at 0, the stem and layer1…k at k, nothing at -1, and never the FPN or heads', () => {
    const stem = ['backbone.conv1.w', 'backbone.bn1.weight', 'backbone.bn1.bias'];
    const layer1 = ['backbone.layer1.0.conv1.w', 'backbone.layer1.1.bn2.bias'];
    const layer2 = ['backbone.layer2.0.conv1.w', 'backbone.layer2.0.downsample.0.w'];
    const rest = ['backbone.layer4.1.conv2.w', 'fpn.lateral.0.w', 'head.cls.w'];
    for (const n of [...stem, ...layer1, ...layer2, ...rest]) assert.equal(isFrozen('resnet50', -1, n), false, n);
    for (const n of stem) assert.equal(isFrozen('resnet50', 0, n), true, n);
    for (const n of [...layer1, ...layer2, ...rest]) assert.equal(isFrozen('resnet50', 0, n), false, n);
    for (const n of [...stem, ...layer1]) assert.equal(isFrozen('resnet18', 1, n), true, n);
    for (const n of [...layer2, ...rest]) assert.equal(isFrozen('resnet18', 1, n), false, n);
    for (const n of [...stem, ...layer1, ...layer2, 'backbone.layer4.1.conv2.w']) assert.equal(isFrozen('resnet18', 4, n), true, n);
    for (const n of ['fpn.lateral.0.w', 'head.cls.w']) assert.equal(isFrozen('resnet18', 4, n), false, n);
    // tiny: the stride-2 stem convolution, then one stage per stride.
    assert.equal(isFrozen('tiny', 0, 'backbone.0.down.w'), true);
    assert.equal(isFrozen('tiny', 0, 'backbone.1.down.w'), false);
    assert.equal(isFrozen('tiny', 2, 'backbone.2.conv.b'), true);
    assert.equal(isFrozen('tiny', 2, 'backbone.3.down.w'), false);
  });

  it('records the resolved value in run.json', () => {
    const rec = (c: TrainConfig) => runRecord(c, recipeOf(c), 2, 'wasm').frozenStages;
    assert.equal(rec(cfg({ backbone: 'resnet18', weights: 'r18.safetensors' })), 1);
    assert.equal(rec(cfg({ backbone: 'resnet18' })), -1);
    assert.equal(rec(cfg({ backbone: 'resnet18', weights: 'r18.safetensors', frozenStages: -1 })), -1);
  });

  it('with --weights and no --frozen-stages, the stem and layer1 of the loaded ResNet-18 stay as loaded (mmdetection\'s default)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'frozen-'));
    const weights = join(root, 'r18.safetensors');
    fakeResNet18(weights);
    const c = cfg({ backbone: 'resnet18', weights, fpnChannels: 16, headConvs: 1, steps: 1 });
    const out = join(root, 'run');
    await train(c, { out, quiet: true });
    const rec = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    assert.deepEqual([rec.frozenStages, rec.norm], [1, 'frozen-bn']);
    checkFrozen(c, out, ['backbone.conv1.', 'backbone.layer1.'], ['backbone.layer2.', 'backbone.layer4.']);
  });

  // In-process on a GroupNorm ResNet-18 (whose stem norm has trainable affine parameters), across workers on tiny.
  const stepperCases = [
    { workers: 1, options: { backbone: 'resnet18', norm: 'gn', fpnChannels: 16, headConvs: 1 }, frozen: ['backbone.conv1.', 'backbone.bn1.', 'backbone.layer1.'], mustFreeze: ['backbone.bn1.weight', 'backbone.layer1.1.bn2.bias'] },
    { workers: 2, options: {}, frozen: ['backbone.0.', 'backbone.1.'], mustFreeze: ['backbone.0.down.w', 'backbone.0.down.b', 'backbone.1.down.w', 'backbone.1.down.b', 'backbone.1.conv.w', 'backbone.1.conv.b'] },
  ] as const;
  for (const sc of stepperCases) {
    it(`the stepper (${sc.workers} worker${sc.workers > 1 ? 's' : ''}, ${'backbone' in sc.options ? sc.options.backbone : 'tiny'}) updates every parameter but a frozen stage's, which keeps its weights and gets no optimizer state`, async () => {
      await setupBackend('wasm');
      const C = 3, S = 64, B = 2;
      const det = createDetector('fcos', C, new Rng(0), sc.options);
      const losses = makeDetectorLosses('fcos', 'focal', 'giou');
      const rng = new Rng(4);
      const batch: HostBatch = {
        images: Float32Array.from({ length: B * S * S * 3 }, () => rng.next()),
        shape: [B, S, S, 3],
        targets: Array.from({ length: B }, (_, i) => ({ boxes: Float32Array.of(8 + i, 10, 40, 44 + i), labels: Int32Array.of(i) })),
      };
      const stepper = await createStepper(sc.workers, det, losses, { detector: 'fcos', numClasses: C, seed: 0, clsLoss: 'focal', regLoss: 'giou', recipe: losses.recipe, backend: 'wasm', options: sc.options, frozenStages: 1 }, B);
      const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'sgd', weightDecay: 1e-2 });
      const initial = new Map(det.params.entries().map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
      try {
        await stepper.step(batch, new Rng(1));
        await stepper.update(opt, 0.1);
        const names = det.params.names();
        const frozen = names.filter((n) => sc.frozen.some((pre) => n.startsWith(pre)));
        for (const n of sc.mustFreeze) assert.ok(frozen.includes(n), n);
        if (sc.workers === 2) assert.deepEqual(frozen, sc.mustFreeze);
        assert.deepEqual(Object.keys(opt.getState().slots).sort(), names.filter((n) => !frozen.includes(n)).sort());
        // Weight decay moves every filter that is updated; none of the frozen stage's moves.
        for (const [n, v] of det.params.entries()) {
          const same = v.dataSync().every((x, i) => x === initial.get(n)![i]);
          if (frozen.includes(n)) assert.ok(same, `${n} is frozen but moved`);
          else if (v.shape.length > 1) assert.ok(!same, `${n} did not move`);
        }
      } finally {
        await stepper.close();
        det.params.dispose();
      }
    });
  }

  it('compare freezes the same stages in every arm', async () => {
    const out = mkdtempSync(join(tmpdir(), 'frozen-cmp-'));
    const { detector: _d, clsLoss: _c, regLoss: _r, seed: _s, ...base } = cfg({ frozenStages: 0, steps: 1 });
    const r = await compare({ detector: 'fcos', combos: [namedCombo('default', 'fcos')!, namedCombo('published', 'fcos')!], seeds: [0], base, out, quiet: true });
    for (const combo of r.combos) {
      const run = combo.runs[0]!;
      assert.equal(JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8')).frozenStages, 0);
      checkFrozen(cfg({ clsLoss: combo.combo.cls, regLoss: combo.combo.reg }), run.dir, ['backbone.0.'], ['backbone.1.', 'backbone.4.']);
    }
  });
});
