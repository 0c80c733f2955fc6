import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toInfix } from '../../../src/render/infix.js';
import { toPrefix } from '../../../src/render/prefix.js';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { BUILTIN_LOSSES } from '../../../src/symbolic/builtins.js';
import { DOMAIN_NAMES } from '../../../src/symbolic/domains.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import { ALL_OPS } from '../../../src/symbolic/registry.js';

describe('round trips', () => {
  it('should print the published strings back character for character', () => {
    for (const b of BUILTIN_LOSSES) assert.equal(toPrefix(parse(b.prefix).tree), b.prefix, b.name);
  });

  it('should read DEAP spacing and print it back in spaced style', () => {
    const s = 'Add(Div(I, U), Neg(Mul(2, E)))';
    assert.equal(toPrefix(parse(s).tree, 'spaced'), s);
    assert.equal(toPrefix(parse(s).tree), 'Add(Div(I,U),Neg(Mul(2,E)))');
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should round-trip random ${domain} trees through prefix and infix`, () => {
      const ops = domain === 'reg' ? undefined : ALL_OPS.filter((o) => domain === 'multi' || o.name !== 'Dot');
      fc.assert(
        fc.property(treeArbitrary(domain, { maxDepth: 6, decimals: true, ops }), (tree) => {
          assert.equal(parse(toPrefix(tree), { domain }).tree, tree);
          assert.equal(parse(toPrefix(tree, 'spaced'), { domain }).tree, tree);
          const infix = toInfix(tree, domain);
          assert.equal(parse(infix, { domain, syntax: 'infix' }).tree, tree, infix);
        }),
        { numRuns: 1500 },
      );
    });
  }

  it('should read the infix notation of SEMANTICS.md', () => {
    const a = parse('-dot(y*(1+sin(w)), log(softmax(x)))');
    assert.equal(a.domain, 'multi');
    assert.equal(toPrefix(a.tree), 'Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))');
    assert.equal(toPrefix(parse('u^3 - 2*i').tree), 'Sub(Mul(Mul(U,U),U),Mul(2,I))');
    assert.equal(toPrefix(parse('-x*y + erf(ny) - gd(q) / alf(x)').tree), 'Sub(Add(Mul(Neg(X),PY),Serf(NY)),Div(Sgdf(Q),Salf(X)))');
    assert.equal(toPrefix(parse('-(1) - -1').tree), 'Sub(Neg(1),-1)');
  });

  it('should infer the domain from the inputs', () => {
    assert.equal(parse('Div(I,U)').domain, 'reg');
    assert.equal(parse('Log(Sig(X))').domain, 'binary');
    assert.equal(parse('Log(Softmax(X))').domain, 'multi');
    assert.equal(parse('Mul(Q,NY)').domain, 'binary');
    assert.equal(parse('x * w').domain, 'multi');
  });
});
