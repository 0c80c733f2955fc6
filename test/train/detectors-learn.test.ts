import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { DetectorKind } from '../../src/detect/types.js';
import { DEFAULT_LOSSES, DEFAULT_TRAIN, train } from '../../src/train/trainer.js';
import { learnSet } from './_learn-set.js';

/**
 * Schedules and floors per detector on the 16-image set (64×64, Adam 4e-3,
 * warm-up 5, seed 0, wasm), evaluated on those same images. Each floor is
 * about a third of what the schedule reached when it was set (`reached`) and
 * far above an untrained network's (0.000). The two-stage detectors are
 * held to AP50 (their AP after so few steps is small) and trained on batches
 * of 4 to stay within the CI budget.
 */
const SCHEDULE: Record<DetectorKind, { steps: number; batch: number; metric: 'AP' | 'AP50'; floor: number; reached: number; segmFloor?: number }> = {
  fcos: { steps: 120, batch: 8, metric: 'AP', floor: 0.08, reached: 0.253 },
  atss: { steps: 120, batch: 8, metric: 'AP', floor: 0.18, reached: 0.555 },
  'faster-rcnn': { steps: 60, batch: 4, metric: 'AP50', floor: 0.04, reached: 0.122 },
  'cascade-rcnn': { steps: 60, batch: 4, metric: 'AP50', floor: 0.08, reached: 0.238 },
  // Mask AP reached 0.028.
  'mask-rcnn': { steps: 60, batch: 4, metric: 'AP50', floor: 0.05, reached: 0.145, segmFloor: 0.008 },
};

describe('every detector learns the tiny set', () => {
  let data = '';
  before(() => {
    data = learnSet();
  });

  for (const [detector, s] of Object.entries(SCHEDULE) as [DetectorKind, (typeof SCHEDULE)[DetectorKind]][]) {
    it(`${detector}: ${s.metric} > ${s.floor} after ${s.steps} steps of ${s.batch} images with its default losses (${s.reached} when set)`, async () => {
      const r = await train(
        { ...DEFAULT_TRAIN, detector, clsLoss: DEFAULT_LOSSES[detector].cls, regLoss: DEFAULT_LOSSES[detector].reg, data, steps: s.steps, batch: s.batch, imageSize: 64, lr: 4e-3, warmup: 5, evalEvery: 0, backend: 'wasm', cacheDir: join(tmpdir(), 'autoloss-unused-cache') },
        { out: join(mkdtempSync(join(tmpdir(), 'learn-')), detector), quiet: true },
      );
      const value = r.stats[s.metric === 'AP' ? 0 : 1]!;
      assert.ok(value > s.floor, `${detector}: ${s.metric} ${value} ≤ ${s.floor}`);
      if (s.segmFloor !== undefined) assert.ok(r.segm_stats![0]! > s.segmFloor, `${detector}: mask AP ${r.segm_stats![0]} ≤ ${s.segmFloor}`);
    });
  }
});
