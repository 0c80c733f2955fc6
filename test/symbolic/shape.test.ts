import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { treeArbitrary } from '../../src/symbolic/arbitrary.js';
import { DOMAIN_NAMES } from '../../src/symbolic/domains.js';
import { evaluateRaw } from '../../src/symbolic/evaluate.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { shapeOf } from '../../src/symbolic/shape.js';
import { randomInputs, seededRng } from './_helpers/points.js';

describe('shapeOf', () => {
  it('should give scalars, rows and full matrices', () => {
    assert.equal(shapeOf(parse('Add(1,2)', { domain: 'multi' }).tree, 'multi'), 0);
    assert.equal(shapeOf(parse('Dot(X,Y)', { domain: 'multi' }).tree, 'multi'), 1);
    assert.equal(shapeOf(parse('Add(Dot(X,Y),X)', { domain: 'multi' }).tree, 'multi'), 2);
    assert.equal(shapeOf(parse('Div(I,U)', { domain: 'reg' }).tree, 'reg'), 1);
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should match the evaluator's natural shapes on random ${domain} trees`, () => {
      const inputs = randomInputs(domain, seededRng(4), 3, 4);
      fc.assert(
        fc.property(treeArbitrary(domain), (tree) => {
          const out = evaluateRaw(tree, domain, inputs);
          const expected = out.rows === 1 ? 0 : out.cols === 1 ? 1 : 2;
          assert.equal(shapeOf(tree, domain), domain === 'reg' && expected === 1 ? 1 : expected);
        }),
        { seed: 6, numRuns: 200 },
      );
    });
  }
});
