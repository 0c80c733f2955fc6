import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { treeArbitrary } from '../../src/symbolic/arbitrary.js';
import { DOMAIN_NAMES } from '../../src/symbolic/domains.js';
import { size } from '../../src/symbolic/node.js';
import { generate } from '../../src/search/generate.js';
import { fromTree, subtreeEnd, toTree } from '../../src/search/genome.js';
import { primitiveSet } from '../../src/search/primitives.js';
import { SeededRng as Rng } from '../../src/util/rng.js';
import { crossover, mutate } from '../../src/search/variation.js';

describe('genome', () => {
  for (const domain of DOMAIN_NAMES) {
    it(`should round-trip ${domain} trees through flat prefix arrays`, () => {
      fc.assert(fc.property(treeArbitrary(domain), (t) => assert.equal(toTree(fromTree(t)), t)), { numRuns: 300 });
    });
  }

  it('should find a subtree slice by counting arities', () => {
    const g = fromTree(toTree(fromTree(toTree([{ kind: 'op', op: 'Add' }, { kind: 'op', op: 'Neg' }, { kind: 'input', name: 'U' }, { kind: 'const', value: 2 }]))));
    assert.equal(subtreeEnd(g, 0), 4);
    assert.equal(subtreeEnd(g, 1), 3);
    assert.equal(subtreeEnd(g, 3), 4);
  });
});

describe('generate, crossover, mutate', () => {
  it('should give the same genomes for the same seed and well-formed trees always', () => {
    for (const domain of DOMAIN_NAMES) {
      const pset = primitiveSet(domain);
      const a = Array.from({ length: 50 }, ((r) => () => generate(pset, r, 1, 4))(new Rng(7)));
      const b = Array.from({ length: 50 }, ((r) => () => generate(pset, r, 1, 4))(new Rng(7)));
      assert.deepEqual(a, b);
      const rng = new Rng(3);
      for (let k = 0; k < 200; k++) {
        const x = a[k % 50]!;
        const y = a[(k * 7) % 50]!;
        const [c, d] = crossover(x, y, rng);
        assert.equal(c.length + d.length, x.length + y.length);
        for (const g of [c, d, mutate(x, pset, rng)]) assert.ok(size(toTree(g)) === g.length);
      }
    }
  });

  it('should draw operators only from the domain search space', () => {
    const pset = primitiveSet('reg');
    const rng = new Rng(11);
    for (let k = 0; k < 100; k++) {
      for (const g of generate(pset, rng, 2, 5)) if (g.kind === 'op') assert.ok(!['Softmax', 'Dot', 'Serf'].includes(g.op));
    }
  });

  it('should restore the generator exactly from its state', () => {
    const r = new Rng(5);
    r.next();
    const copy = Rng.fromState(r.state);
    assert.deepEqual([r.next(), r.next()], [copy.next(), copy.next()]);
  });
});
