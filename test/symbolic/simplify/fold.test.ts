import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toPrefix } from '../../../src/render/prefix.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import { constant, op } from '../../../src/symbolic/node.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import * as R from '../../../src/symbolic/rational.js';
import { ALL_OPS } from '../../../src/symbolic/registry.js';
import { foldConstants, foldTree } from '../../../src/symbolic/simplify/fold.js';
import { randomInputs, seededRng } from '../_helpers/points.js';

describe('constant folding', () => {
  it('should fold exactly where the registry gives an exact value, and only there', () => {
    assert.equal(toPrefix(foldConstants('Div', [constant(1), constant(3)])!), 'Div(1,3)');
    assert.equal(toPrefix(foldConstants('Sig', [constant(0)])!), '0.5');
    assert.equal(foldConstants('Log', [constant(2)]), undefined);
    assert.equal(foldConstants('Div', [constant(1), constant(0)]), undefined);
    assert.equal(toPrefix(foldTree(parse('Add(U,Neg(Div(1,4)))', { domain: 'reg' }).tree)), 'Add(U,-0.25)');
    assert.equal(toPrefix(foldTree(parse('Mul(U,Div(1,4))', { domain: 'reg' }).tree, true)), 'Mul(U,Div(1,4))');
  });

  // The exact facet against the evaluator, the reference for every operator's value.
  for (const spec of ALL_OPS.filter((s) => s.exact && !s.axis)) {
    it(`${spec.name}: a folded value should equal the evaluated one`, () => {
      const rat = fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: 1, max: 8 })).map(([n, d]) => constant(R.rat(n, d)));
      const special = fc.constantFrom(constant(0), constant(1), constant(-1));
      const arg = fc.oneof(rat, special);
      const inputs = randomInputs('reg', seededRng(1), 1, 1);
      let folded = 0;
      fc.assert(
        fc.property(arg, arg, (a, b) => {
          const args = spec.arity === 1 ? [a] : [a, b];
          const v = foldConstants(spec.name, args);
          if (!v) return;
          folded++;
          const x = evaluate(op(spec.name, ...args), 'reg', inputs).data[0]!;
          assert.ok(Math.abs(R.toNumber(v.value) - x) <= 1e-12 * (1 + Math.abs(x)), `${spec.name}(${args.map((a) => toPrefix(a)).join(',')}) folded to ${toPrefix(v)}, evaluates to ${x}`);
        }),
        { seed: 5, numRuns: 100 },
      );
      assert.ok(folded > 0, 'nothing folded');
    });
  }
});
