import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

describe('autoloss equiv', () => {
  it('should exit 0 for proven-equal expressions', () => {
    const r = cli(['equiv', '1 - i/u', '(u - i)/u']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'equal (proof: canonical form)\n');
  });

  it('should exit 1 with a witness point for different expressions', () => {
    const r = cli(['equiv', 'i/u', 'i/e', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { verdict: string; witness: { inputs: Record<string, number>; values: number[] } };
    assert.equal(out.verdict, 'different');
    const { U, I, E } = out.witness.inputs as { U: number; I: number; E: number };
    assert.deepEqual(out.witness.values, [I / (U + 1e-20), I / (E + 1e-20)]);
  });

  it('should exit 3 when equal at every point but not proven', () => {
    const r = cli(['equiv', 'Tanh(X)', 'Sub(Mul(2,Sig(Mul(2,X))),1)', '-d', 'binary']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^unknown: equal at 200 random valid points/);
  });

  it('should exit 2 for expressions of different domains', () => {
    const r = cli(['equiv', 'autoloss-a-cls', 'iou']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /built-in loss 'iou' is in domain reg, not multi/);
  });
});
