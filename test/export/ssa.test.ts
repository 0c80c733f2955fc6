import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registryTemplate, toSsa, type SsaTarget } from '../../src/export/ssa.js';
import { parse } from '../../src/symbolic/parse/index.js';

const PY: SsaTarget = {
  input: (n) => n,
  constant: (v) => `C(${v.n}/${v.d})`,
  pi: 'PI',
  template: registryTemplate('python'),
  assign: (v, e) => `${v} = ${e}`,
};

describe('toSsa', () => {
  it('should bind every node to one variable, children first', () => {
    const { lines, result } = toSsa(parse('Log(Sig(X))', { domain: 'binary' }).tree, PY);
    assert.deepEqual(lines, ['v0 = torch.sigmoid(X)', 'v1 = torch.log(v0 + 1e-20)']);
    assert.equal(result, 'v1');
  });
  it('should compute a shared subtree once', () => {
    // Sig(X) appears three times in the tree, once in the code.
    const { lines } = toSsa(parse('Mul(Sig(X),Log(Sub(1,Sig(Add(Sig(X),0.5)))))', { domain: 'binary' }).tree, PY);
    assert.equal(lines.filter((l) => l.includes('torch.sigmoid(X)')).length, 1);
  });
  it('should emit constants through the target, from their exact value', () => {
    const { lines } = toSsa(parse('Add(U,Mul(0.25,pi))', { domain: 'reg' }).tree, PY);
    assert.deepEqual(lines, ['v0 = C(1/4)', 'v1 = PI', 'v2 = (v0 * v1)', 'v3 = (U + v2)']);
  });
  it('should return an input itself when the tree is one', () => {
    assert.deepEqual(toSsa(parse('U', { domain: 'reg' }).tree, PY), { lines: [], result: 'U' });
  });
});
