import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Domain } from '../../src/symbolic/domains.js';
import { equivalent } from '../../src/symbolic/equivalence.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { parse } from '../../src/symbolic/parse/index.js';
import type { Batch } from '../../src/symbolic/batch.js';

const eq = (a: string, b: string, domain: Domain) => equivalent(parse(a, { domain }).tree, parse(b, { domain }).tree, domain);

describe('equivalent', () => {
  it('should prove rational identities equal', () => {
    assert.deepEqual(eq('1 - i/u + (e - u)/e', 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))', 'reg'), { verdict: 'equal', proof: 'canonical-form' });
  });

  it('should prove identities of the S-shaped functions equal through the rules', () => {
    assert.deepEqual(eq('Sub(1,Sig(X))', 'Sig(Neg(X))', 'binary'), { verdict: 'equal', proof: 'rules-and-canonical-form' });
    assert.equal(eq('Log(Sig(X))', 'Neg(Softplus(Neg(X)))', 'binary').verdict, 'equal');
  });

  it('should prove different functions different, with a witness point that shows it', () => {
    const r = eq('Div(I,U)', 'Div(I,E)', 'reg');
    assert.equal(r.verdict, 'different');
    if (r.verdict !== 'different') return;
    const col = (v: number): Batch => ({ rows: 1, cols: 1, data: Float64Array.of(v) });
    const w = r.witness.inputs as Record<'U' | 'I' | 'E', number>;
    const inputs = { U: col(w.U), I: col(w.I), E: col(w.E) };
    const a = evaluate(parse('Div(I,U)', { domain: 'reg' }).tree, 'reg', inputs).data[0]!;
    const b = evaluate(parse('Div(I,E)', { domain: 'reg' }).tree, 'reg', inputs).data[0]!;
    assert.deepEqual(r.witness.values, [a, b]);
    assert.notEqual(a, b);
  });

  it('should answer unknown for equal functions it cannot prove equal', () => {
    // tanh(x) = 2σ(2x) − 1 holds, but no rule states it.
    assert.deepEqual(eq('Tanh(X)', 'Sub(Mul(2,Sig(Mul(2,X))),1)', 'binary'), { verdict: 'unknown', points: 200 });
  });

  it('should find witnesses in classification domains', () => {
    const r = eq('Neg(Dot(Y,Log(Softmax(X))))', 'Neg(Dot(Y,Log(Sig(X))))', 'multi');
    assert.equal(r.verdict, 'different');
  });
});
