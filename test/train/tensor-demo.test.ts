import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensorDemo } from '../../src/train/tensor-demo.js';

describe('tensorDemo', () => {
  it('should name the backend, show both kernels agreeing, and a falling conv-net loss', async () => {
    const lines: string[] = [];
    await tensorDemo((l) => lines.push(l));
    assert.match(lines[0]!, /^backend: (tensorflow|wasm|cpu) \(/);
    for (const l of lines.filter((x) => x.startsWith('autoloss-') && x.includes('logits'))) {
      const m = /loss (\S+) \(tfjs ops\) = (\S+) \(fused kernel\); \|∇\| (\S+) = (\S+)$/.exec(l);
      assert.ok(m, l);
      assert.ok(Math.abs(Number(m[1]) - Number(m[2])) < 1e-4 * Math.abs(Number(m[1])) + 1e-6, l);
      assert.ok(Math.abs(Number(m[3]) - Number(m[4])) < 1e-3 * Math.abs(Number(m[3])) + 1e-6, l);
    }
    const conv = lines.find((l) => l.startsWith('conv net'))!;
    const [, a, b] = /loss (\S+) → (\S+)/.exec(conv)!;
    assert.ok(Number(b) < Number(a), conv);
  });
});
