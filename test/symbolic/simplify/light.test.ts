import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrefix } from '../../../src/render/prefix.js';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { DOMAIN_NAMES, type Domain } from '../../../src/symbolic/domains.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import { size } from '../../../src/symbolic/node.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import { lightSimplify } from '../../../src/symbolic/simplify/light.js';
import { closeOnBatch, guardsActive } from '../_helpers/guards.js';
import { randomInputs, seededRng } from '../_helpers/points.js';

const light = (e: string, d: Domain) => toPrefix(lightSimplify(parse(e, { domain: d }).tree, d));

describe('lightSimplify', () => {
  it('should fold constants and drop neutral elements', () => {
    assert.equal(light('Add(Mul(1,U),0)', 'reg'), 'U');
    assert.equal(light('Mul(Add(1,2),U)', 'reg'), 'Mul(3,U)');
    assert.equal(light('Neg(Neg(Sub(U,I)))', 'reg'), 'Sub(U,I)');
    assert.equal(light('Div(Neg(U),Neg(I))', 'reg'), 'Div(U,I)');
  });

  it('should keep the shape of Softmax and Dot arguments', () => {
    assert.equal(light('Softmax(Mul(0,X))', 'multi'), 'Softmax(Mul(0,X))');
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should stay numerically equal on random ${domain} trees`, () => {
      fc.assert(
        fc.property(treeArbitrary(domain, { decimals: true }), fc.integer({ min: 1, max: 1e9 }), (tree, seed) => {
          const t = lightSimplify(tree, domain);
          assert.ok(size(t) <= size(tree), `${toPrefix(tree)} grew to ${toPrefix(t)}`);
          const inputs = randomInputs(domain, seededRng(seed), 2, 3);
          if (guardsActive(tree, domain, inputs) || guardsActive(t, domain, inputs)) return;
          assert.ok(closeOnBatch(evaluate(t, domain, inputs).data, evaluate(tree, domain, inputs).data, 1e-9), `${toPrefix(tree)} => ${toPrefix(t)}`);
        }),
        { seed: 8, numRuns: 200 },
      );
    });
  }
});
