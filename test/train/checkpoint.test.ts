import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadCheckpoint, saveCheckpoint } from '../../src/train/checkpoint.js';

function sample(step: number) {
  return {
    step,
    rngState: 123456789,
    config: { detector: 'fcos', lr: 0.002 },
    params: new Map([
      ['a.w', { shape: [2, 2], data: Float32Array.of(1, 2, 3, step) }],
      ['a.b', { shape: [2], data: Float32Array.of(-0.5, 1e-30) }],
    ]),
    optimizer: { kind: 'adam' as const, t: step, slots: { 'a.w': [Float32Array.of(0.1, 0.2, 0.3, 0.4), Float32Array.of(1, 1, 1, 1)], 'a.b': [Float32Array.of(0, 0), Float32Array.of(2, 2)] } },
  };
}

describe('checkpoint', () => {
  it('round-trips weights, optimizer slots, step, RNG state and config exactly', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ck-')), 'checkpoint');
    saveCheckpoint(dir, sample(7));
    const ck = loadCheckpoint<{ detector: string }>(dir);
    assert.equal(ck.step, 7);
    assert.equal(ck.rngState, 123456789);
    assert.equal(ck.config.detector, 'fcos');
    assert.deepEqual(ck.params.get('a.w'), { shape: [2, 2], data: Float32Array.of(1, 2, 3, 7) });
    assert.deepEqual(ck.params.get('a.b')!.data, Float32Array.of(-0.5, 1e-30));
    assert.deepEqual(ck.optimizer, sample(7).optimizer);
  });

  it('replaces an older checkpoint atomically and leaves no temporary folders', () => {
    const parent = mkdtempSync(join(tmpdir(), 'ck-'));
    const dir = join(parent, 'checkpoint');
    saveCheckpoint(dir, sample(1));
    saveCheckpoint(dir, sample(2));
    assert.equal(loadCheckpoint(dir).step, 2);
    assert.deepEqual(readdirSync(parent), ['checkpoint']);
  });

  it('names the file when a checkpoint is missing or damaged', () => {
    const parent = mkdtempSync(join(tmpdir(), 'ck-'));
    assert.throws(() => loadCheckpoint(join(parent, 'nothing')), /no checkpoint in .*nothing/);
    const dir = join(parent, 'checkpoint');
    saveCheckpoint(dir, sample(3));
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(6));
    assert.throws(() => loadCheckpoint(dir), /weights\.bin/);
    writeFileSync(join(dir, 'state.json'), '{ not json');
    assert.throws(() => loadCheckpoint(dir), /state\.json is not valid JSON/);
  });
});
