import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrefix } from '../../../src/render/prefix.js';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { DOMAIN_NAMES } from '../../../src/symbolic/domains.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import { size, type Node } from '../../../src/symbolic/node.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import { isReciprocal, lower, raise } from '../../../src/symbolic/simplify/spelling.js';
import { closeOnBatch, guardsActive } from '../_helpers/guards.js';
import { randomInputs, seededRng } from '../_helpers/points.js';

const lowered = (e: string) => toPrefix(lower(parse(e, { domain: 'reg' }).tree));
const raised = (e: string) => toPrefix(raise(parse(e, { domain: 'reg' }).tree));

/** Sub and non-reciprocal Div nodes left in `t`. */
function spelledOps(t: Node): string[] {
  if (t.kind !== 'op') return [];
  const here = t.op === 'Sub' || (t.op === 'Div' && !isReciprocal(t)) ? [toPrefix(t)] : [];
  return [...here, ...t.args.flatMap(spelledOps)];
}

describe('lowered spelling', () => {
  it('should lower Sub and Div to Add, Mul, Neg and the reciprocal', () => {
    assert.equal(lowered('Sub(U,I)'), 'Add(U,Neg(I))');
    assert.equal(lowered('Div(U,I)'), 'Mul(U,Div(1,I))');
    assert.equal(lowered('Div(1,I)'), 'Div(1,I)');
    assert.equal(lowered('Div(Sub(U,I),Log(Div(E,3)))'), 'Mul(Add(U,Neg(I)),Div(1,Log(Mul(E,Div(1,3)))))');
  });

  it('should raise back to the language spelling', () => {
    assert.equal(raised('Add(U,Neg(I))'), 'Sub(U,I)');
    assert.equal(raised('Add(Neg(I),U)'), 'Sub(U,I)');
    assert.equal(raised('Mul(Div(1,I),U)'), 'Div(U,I)');
    assert.equal(raised('Add(U,-3)'), 'Sub(U,3)');
    assert.equal(raised('Neg(Div(1,U))'), 'Div(-1,U)');
    assert.equal(raised('Mul(U,2)'), 'Mul(2,U)');
    assert.equal(raised('Mul(Add(U,Neg(I)),Div(1,Log(Mul(E,Div(1,3)))))'), 'Div(Sub(U,I),Log(Div(E,3)))');
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should keep the value and never lengthen on random ${domain} trees`, () => {
      let checked = 0;
      fc.assert(
        fc.property(treeArbitrary(domain, { decimals: true }), fc.integer({ min: 1, max: 1e9 }), (tree, seed) => {
          const low = lower(tree);
          assert.deepEqual(spelledOps(low), [], toPrefix(tree));
          const back = raise(low);
          assert.ok(size(back) <= size(tree), `${toPrefix(tree)} came back as ${toPrefix(back)}`);
          const inputs = randomInputs(domain, seededRng(seed), 2, 3);
          if ([tree, low, back].some((t) => guardsActive(t, domain, inputs))) return;
          checked++;
          const want = evaluate(tree, domain, inputs).data;
          assert.ok(closeOnBatch(evaluate(low, domain, inputs).data, want, 1e-9), `lower: ${toPrefix(tree)} => ${toPrefix(low)}`);
          assert.ok(closeOnBatch(evaluate(back, domain, inputs).data, want, 1e-9), `raise: ${toPrefix(low)} => ${toPrefix(back)}`);
        }),
        { seed: 21, numRuns: 200 },
      );
      assert.ok(checked > 50, `only ${checked} trees checked`);
    });
  }
});
