import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackendError, getTf, probeNative, probeWebgpu, setupBackend } from '../../src/train/backend.js';
import { UserError } from '../../src/util/errors.js';

describe('setupBackend', () => {
  it('should start cpu and wasm by name and make getTf run on them', async () => {
    for (const name of ['cpu', 'wasm'] as const) {
      const choice = await setupBackend(name);
      assert.equal(choice.name, name);
      assert.match(choice.reason, new RegExp(`requested ${name}`));
      assert.equal(getTf().getBackend(), name);
      assert.deepEqual(Array.from(getTf().add(getTf().tensor1d([1, 2]), 1).dataSync()), [2, 3]);
    }
  });

  it('should pick tensorflow when a native package loads, else webgpu when an adapter is found, else wasm, and say why', async () => {
    const native = await probeNative();
    const gpu = probeWebgpu();
    const choice = await setupBackend('auto');
    if (native.loaded) {
      assert.equal(choice.name, 'tensorflow');
      assert.match(choice.reason, /libtensorflow/);
    } else if (gpu.ok) {
      assert.equal(choice.name, 'webgpu');
      assert.match(choice.reason, /using webgpu \(Dawn, adapter: .+\)/);
    } else {
      assert.equal(choice.name, 'wasm');
      assert.match(choice.reason, /tensorflow unavailable \(@tensorflow\/tfjs-node-gpu: .+; @tensorflow\/tfjs-node: .+\); webgpu unavailable \(.+\); using wasm/);
    }
  });

  it('should answer whether WebGPU has an adapter without throwing or printing, GPU or not', () => {
    const p = probeWebgpu();
    assert.equal(typeof p.ok, 'boolean');
    if (p.ok) assert.ok(p.adapter);
    else assert.ok(p.error && p.error.length > 0);
  });

  it('should refuse webgpu by name without an adapter, with a user-facing message naming why', async () => {
    if (probeWebgpu().ok) return;
    await assert.rejects(setupBackend('webgpu'), (e: unknown) => e instanceof BackendError && /backend webgpu cannot start: .+/.test(e.message) && e instanceof UserError);
  });

  it('should refuse tensorflow by name when no native package loads, with a user-facing message', async () => {
    const native = await probeNative();
    if (native.loaded) return;
    await assert.rejects(setupBackend('tensorflow'), (e: unknown) => e instanceof BackendError && /tensorflow unavailable/.test(e.message) && e instanceof UserError);
  });

  it('should reject an unknown backend name', async () => {
    await assert.rejects(setupBackend('gpu' as never), /unknown backend 'gpu'; expected one of auto, tensorflow, webgpu, wasm, cpu/);
  });
});
