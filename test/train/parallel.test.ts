import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetector } from '../../src/detect/create-detector.js';
import type { DetectorKind } from '../../src/detect/types.js';
import { setupBackend } from '../../src/train/backend.js';
import { DEFAULT_OPTIMIZER, Optimizer } from '../../src/train/optimizer.js';
import { createStepper, shardSizes, type HostBatch } from '../../src/train/parallel.js';
import { makeDetectorLosses } from '../../src/train/trainer.js';
import { SeededRng as Rng } from '../../src/util/rng.js';

const C = 3, B = 4, S = 64;

/** Fixed batches: smooth random images, one or two boxes each; image 3 of batch 0 has none (a shard may see no positives). */
function batches(n: number): HostBatch[] {
  const rng = new Rng(5);
  return Array.from({ length: n }, (_, k) => {
    const images = Float32Array.from({ length: B * S * S * 3 }, () => rng.next());
    const targets = Array.from({ length: B }, (_, i) => {
      const m = k === 0 && i === 3 ? 0 : 1 + rng.int(2);
      const boxes = new Float32Array(4 * m), labels = new Int32Array(m);
      for (let j = 0; j < m; j++) {
        const w = 12 + rng.next() * 30, x = rng.next() * (S - w), y = rng.next() * (S - w);
        boxes.set([x, y, x + w, y + w], 4 * j);
        labels[j] = rng.int(C);
      }
      return { boxes, labels };
    });
    return { images, shape: [B, S, S, 3] as [number, number, number, number], targets };
  });
}

/** The loss terms of each of `steps` Adam steps and the final weights, with `workers` data-parallel workers. */
async function curve(detector: DetectorKind, workers: number, steps: number): Promise<{ values: Record<string, number>[]; weights: Float32Array }> {
  await setupBackend('wasm');
  const det = createDetector(detector, C, new Rng(0));
  const losses = makeDetectorLosses(detector, 'focal', 'giou');
  const stepper = await createStepper(workers, det, losses, { detector, numClasses: C, seed: 0, clsLoss: 'focal', regLoss: 'giou', recipe: losses.recipe, backend: 'wasm' }, B);
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0 });
  const entries = det.params.entries();
  const rng = new Rng(1);
  const values: Record<string, number>[] = [];
  try {
    for (const b of batches(steps)) {
      const out = await stepper.step(b, rng);
      values.push(out.values);
      await stepper.update(opt, 1e-3);
    }
  } finally {
    await stepper.close();
  }
  const weights = Float32Array.from(entries.flatMap(([, v]) => Array.from(v.dataSync())));
  det.params.dispose();
  return { values, weights };
}

const close = (a: number, b: number, rel: number): boolean => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

describe('data-parallel training', () => {
  it('splits a batch into contiguous shards, the first ones one larger', () => {
    assert.deepEqual(shardSizes(8, 2), [4, 4]);
    assert.deepEqual(shardSizes(5, 3), [2, 2, 1]);
  });

  it('gives FCOS the same loss curve and weights with 1 and 2 workers at the same global batch and seed (float32 tolerance)', async () => {
    const one = await curve('fcos', 1, 3);
    const two = await curve('fcos', 2, 3);
    assert.equal(two.values.length, 3);
    one.values.forEach((v, s) => {
      assert.deepEqual(Object.keys(two.values[s]!).sort(), Object.keys(v).sort());
      for (const [k, x] of Object.entries(v)) assert.ok(close(two.values[s]![k]!, x, 1e-4), `step ${s + 1} ${k}: 2 workers ${two.values[s]![k]} vs 1 worker ${x}`);
    });
    // The weights moved, and moved alike.
    let moved = 0, worst = 0;
    const init = createDetector('fcos', C, new Rng(0));
    const w0 = Float32Array.from(init.params.entries().flatMap(([, v]) => Array.from(v.dataSync())));
    init.params.dispose();
    for (let i = 0; i < w0.length; i++) {
      moved = Math.max(moved, Math.abs(one.weights[i]! - w0[i]!));
      worst = Math.max(worst, Math.abs(two.weights[i]! - one.weights[i]!));
    }
    assert.ok(moved > 1e-3, `the weights moved (${moved})`);
    assert.ok(worst < 1e-4, `largest weight difference between 1 and 2 workers: ${worst}`);
  });

  it('carries the optimizer state across worker counts: steps on 2, 2, 1 and 2 workers end where 4 steps on 1 worker do', async () => {
    const run = async (schedule: number[]): Promise<{ slots: Record<string, Float32Array[]>; weights: Float32Array; t: number }> => {
      await setupBackend('wasm');
      const det = createDetector('fcos', C, new Rng(0));
      const losses = makeDetectorLosses('fcos', 'focal', 'giou');
      // SGD with momentum: a buffer restarted on a change of workers would start from the gradient again.
      const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'sgd' });
      const rng = new Rng(1);
      const bs = batches(schedule.length);
      for (const [k, workers] of schedule.entries()) {
        const stepper = await createStepper(workers, det, losses, { detector: 'fcos', numClasses: C, seed: 0, clsLoss: 'focal', regLoss: 'giou', recipe: losses.recipe, backend: 'wasm' }, B);
        try {
          await stepper.step(bs[k]!, rng);
          await stepper.update(opt, 0.02);
        } finally {
          await stepper.close();
        }
      }
      const state = opt.getState();
      const weights = Float32Array.from(det.params.entries().flatMap(([, v]) => Array.from(v.dataSync())));
      det.params.dispose();
      return { slots: state.slots, weights, t: state.t };
    };
    const one = await run([1, 1, 1, 1]);
    const mixed = await run([2, 2, 1, 2]);
    assert.equal(mixed.t, 4);
    assert.deepEqual(Object.keys(mixed.slots).sort(), Object.keys(one.slots).sort());
    let worst = 0, largest = 0;
    for (const [n, arrs] of Object.entries(one.slots))
      arrs.forEach((a, k) => a.forEach((x, i) => {
        largest = Math.max(largest, Math.abs(x));
        worst = Math.max(worst, Math.abs(mixed.slots[n]![k]![i]! - x));
      }));
    assert.ok(largest > 1e-3, `the momentum buffers hold something (${largest})`);
    assert.ok(worst < 1e-4 * Math.max(1, largest), `largest momentum difference: ${worst}`);
    assert.ok(mixed.weights.every((x, i) => Math.abs(x - one.weights[i]!) < 1e-4), 'the weights agree');
  });

  it('rejects more workers than images', async () => {
    await setupBackend('wasm');
    const det = createDetector('fcos', C, new Rng(0));
    const losses = makeDetectorLosses('fcos', 'focal', 'giou');
    await assert.rejects(createStepper(3, det, losses, { detector: 'fcos', numClasses: C, seed: 0, clsLoss: 'focal', regLoss: 'giou', recipe: losses.recipe, backend: 'wasm' }, 2), /exceeds the batch/);
    det.params.dispose();
  });
});
