import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toInfix } from '../../../src/render/infix.js';
import { toPrefix } from '../../../src/render/prefix.js';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { DOMAIN_NAMES, type Domain } from '../../../src/symbolic/domains.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import { size } from '../../../src/symbolic/node.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import { simplify } from '../../../src/symbolic/simplify/simplify.js';
import { closeOnBatch, guardsActive } from '../_helpers/guards.js';
import { randomInputs, seededRng } from '../_helpers/points.js';

const simp = (e: string, domain: Domain) => {
  const s = simplify(parse(e, { domain }).tree, domain);
  return { text: toInfix(s.tree, domain), conditions: s.conditions, rules: s.steps.map((x) => x.rule) };
};

describe('simplify', () => {
  // egg-style one-liners: start => goal.
  const cases: [string, Domain, string][] = [
    ['Add(2,3)', 'reg', '5'],
    ['Div(1,3)', 'reg', '1 / 3'],
    ['Neg(Neg(U))', 'reg', 'u'],
    ['Add(Mul(2,U),Mul(3,U))', 'reg', '5 * u'],
    ['Sub(Add(U,I),I)', 'reg', 'u'],
    ['Sub(1,Sig(X))', 'binary', 'sig(-x)'],
    ['Add(Sig(X),Sig(Neg(X)))', 'binary', '1'],
    ['Add(Sig(Neg(X)),Sig(X))', 'binary', '1'],
    ['Neg(Softplus(Neg(X)))', 'binary', 'log(sig(x))'],
    ['Log(Sub(1,Sig(X)))', 'binary', '-softplus(x)'],
    ['Sub(Softplus(X),Softplus(Neg(X)))', 'binary', 'x'],
    ['Sub(1,Serf(X))', 'binary', 'erf(-x)'],
    ['Sqrt(Mul(X,X))', 'binary', 'abs(x)'],
    ['Abs(Neg(Abs(X)))', 'binary', 'abs(x)'],
    ['Dot(Softmax(X),1)', 'multi', '1'],
  ];
  for (const [start, domain, goal] of cases) {
    it(`should simplify ${start} to ${goal}`, () => assert.equal(simp(start, domain).text, goal));
  }

  // One rule per fact covers both spellings: each pair goes through the rules alone (no rational form).
  const spellings: [string, string, string, string[]][] = [
    ['Sub(Add(U,I),I)', 'Add(Add(U,I),Neg(I))', 'u', []],
    ['Div(Mul(U,I),I)', 'Mul(Mul(U,I),Div(1,I))', 'u', ['i ≠ 0']],
    ['Sub(U,U)', 'Add(U,Neg(U))', '0', []],
    ['Div(Log(U),Log(U))', 'Mul(Log(U),Div(1,Log(U)))', '1', ['log(u) ≠ 0']],
    ['Add(Sub(U,I),I)', 'Add(Add(U,Neg(I)),I)', 'u', []],
    ['Mul(Div(U,I),I)', 'Mul(Mul(U,Div(1,I)),I)', 'u', ['i ≠ 0']],
    ['Div(U,-1)', 'Mul(U,-1)', '-u', []],
    ['Add(Sub(U,3),3)', 'Add(Add(U,-3),3)', 'u', []],
    ['Mul(Div(U,3),3)', 'Mul(Mul(U,0.25),4)', 'u', []],
    ['Div(0,U)', 'Mul(0,Div(1,U))', '0', ['u ≠ 0']],
    ['Div(Neg(U),Neg(I))', 'Mul(Neg(U),Div(1,Neg(I)))', 'u / i', []],
    ['Sub(U,Neg(I))', 'Add(U,Neg(Neg(I)))', 'u + i', []],
    ['Neg(Sub(U,I))', 'Neg(Add(Neg(I),U))', 'i - u', []],
    ['Sub(1,Sig(X))', 'Add(Neg(Sig(X)),1)', 'sig(-x)', []],
  ];
  for (const [a, b, goal, conditions] of spellings) {
    it(`should simplify ${a} and ${b} alike, to ${goal}`, () => {
      const domain = /X/.test(a) ? 'binary' : 'reg';
      for (const e of [a, b]) {
        const s = simplify(parse(e, { domain }).tree, domain, { rulesOnly: true });
        assert.equal(toInfix(s.tree, domain), goal, e);
        assert.deepEqual(s.conditions, conditions, e);
      }
    });
  }

  it('should record the side condition of x/x → 1', () => {
    const r = simp('Div(Mul(U,I),U)', 'reg');
    assert.equal(r.text, 'i');
    assert.deepEqual(r.conditions, ['u ≠ 0']);
    assert.deepEqual(simp('Div(Sin(U),Sin(U))', 'reg').conditions, ['sin(u) ≠ 0']);
  });

  it('should not simplify what has no simpler form', () => {
    for (const [e, d] of [['Div(I,U)', 'reg'], ['Log(Sig(X))', 'binary'], ['Sub(Sig(X),Sig(Neg(X)))', 'binary']] as const) {
      const tree = parse(e, { domain: d }).tree;
      assert.equal(simplify(tree, d).tree, tree, e);
    }
  });

  it('should not lower the shape under Softmax (softmax of C equal values is 1/C)', () => {
    const tree = parse('Softmax(Sub(X,X))', { domain: 'multi' }).tree;
    const s = simplify(tree, 'multi');
    const inputs = randomInputs('multi', seededRng(1));
    assert.ok(closeOnBatch(evaluate(s.tree, 'multi', inputs).data, evaluate(tree, 'multi', inputs).data, 1e-12));
    assert.deepEqual(s.steps, []);
  });

  it('should shorten Autoloss-B reg and keep its value', () => {
    const tree = parse('Neg(Div(Add(Div(Neg(Add(Neg(E),Add(1,I))),Neg(Add(3,Add(2,U)))),Add(Div(E,E),Div(Neg(E),Neg(1)))),Neg(Add(Div(Neg(Add(U,Div(I,1))),Neg(3)),Neg(E)))))', { domain: 'reg' }).tree;
    const s = simplify(tree, 'reg');
    assert.ok(size(s.tree) < size(tree));
    assert.ok(s.conditions.includes('e ≠ 0'));
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should never lengthen and stay numerically equal on random ${domain} trees`, () => {
      let checked = 0;
      fc.assert(
        fc.property(treeArbitrary(domain, { maxDepth: 5, decimals: true }), fc.integer({ min: 1, max: 1e9 }), (tree, seed) => {
          const s = simplify(tree, domain);
          assert.ok(size(s.tree) <= size(tree), `${toPrefix(tree)} grew to ${toPrefix(s.tree)}`);
          const inputs = randomInputs(domain, seededRng(seed), 3, 4);
          if (guardsActive(tree, domain, inputs) || guardsActive(s.tree, domain, inputs)) return;
          checked++;
          assert.ok(closeOnBatch(evaluate(s.tree, domain, inputs).data, evaluate(tree, domain, inputs).data, 1e-7), `${toPrefix(tree)} => ${toPrefix(s.tree)} [${s.steps.map((x) => x.rule).join(', ')}]`);
        }),
        { seed: 17, numRuns: 200 },
      );
      assert.ok(checked > 50, `only ${checked} trees checked`);
    });
  }
});
