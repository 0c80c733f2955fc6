import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Code, I32, V128, WebAssemblyApi, wasmModule } from '../../src/train/wasm-emit.js';

interface Memory {
  readonly buffer: ArrayBuffer;
}
const newMemory = (): Memory => new (WebAssemblyApi.Memory as unknown as new (d: { initial: number }) => Memory)({ initial: 1 });

/** dot(p, q, n, out, k): out[0..4) = Σ_{i<n} load(p + 16i)·load(q + 16i) + splat(p[k]) (f32x4 lanes); constants through k. */
function dotModule(): Uint8Array {
  const c = new Code(5);
  const acc = c.local(V128), i = c.local(I32);
  c.get(4).set(i);
  c.get(0).get(i).i32(4).mul().add().load32Splat(0).set(acc);
  c.get(2).set(i);
  c.loop();
  c.get(acc).get(0).v128Load(0).get(1).v128Load(0).f32x4Mul().f32x4Add().set(acc);
  c.inc(0, 16).inc(1, 16);
  c.get(i).i32(1).sub().tee(i).brIf(0);
  c.end();
  c.get(3).get(acc).v128Store(0);
  return wasmModule([{ name: 'dot', params: 5, code: c }]);
}

describe('wasm-emit', () => {
  it('should write a module that validates and computes on an imported memory', () => {
    const bytes = dotModule();
    assert.ok(WebAssemblyApi.validate(bytes));
    const memory = newMemory();
    const dot = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), { env: { memory } }).exports['dot'] as (...a: number[]) => void;
    const f = new Float32Array(memory.buffer);
    const n = 37;
    for (let i = 0; i < 8 * n; i++) f[i] = ((i * 7) % 13) - 6;
    dot(0, 16 * n, n, 64 * n, 5);
    for (let lane = 0; lane < 4; lane++) {
      let want = f[5]!;
      for (let i = 0; i < n; i++) want += f[4 * i + lane]! * f[4 * n + 4 * i + lane]!;
      assert.equal(f[16 * n + lane], want, `lane ${lane}`);
    }
  });

  it('should encode signed constants of every width', () => {
    for (const k of [0, 1, -1, 63, 64, -64, -65, 8191, -8192, 1 << 20, -(1 << 30), 2 ** 31 - 1, -(2 ** 31)]) {
      const c = new Code(1);
      // out = p + k − k + 0: a wrong encoding of k moves the store.
      c.get(0).i32(k).add().i32(k).sub().v128Zero().v128Store(0);
      const bytes = wasmModule([{ name: 'f', params: 1, code: c }]);
      assert.ok(WebAssemblyApi.validate(bytes), `constant ${k}`);
      const memory = newMemory();
      const f = new Float32Array(memory.buffer);
      f.fill(1, 0, 8);
      (new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), { env: { memory } }).exports['f'] as (p: number) => void)(16);
      assert.deepEqual([...f.subarray(0, 8)], [1, 1, 1, 1, 0, 0, 0, 0], `constant ${k}`);
    }
  });
});
