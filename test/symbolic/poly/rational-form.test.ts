import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluate as mathjsEvaluate } from 'mathjs';
import { treeArbitrary } from '../../../src/symbolic/arbitrary.js';
import { resolveLoss } from '../../../src/symbolic/builtins.js';
import { DOMAIN_NAMES, type Domain } from '../../../src/symbolic/domains.js';
import { evaluate } from '../../../src/symbolic/evaluate.js';
import { parse } from '../../../src/symbolic/parse/index.js';
import { formStats, formToTree, rationalForm, rationalFormInfix, rationalFormJson } from '../../../src/symbolic/poly/rational-form.js';
import { ZeroDivision } from '../../../src/symbolic/poly/ratfunc.js';
import { evalSympyPoly } from '../_helpers/sympy-poly.js';
import { closeOnBatch, guardsActive } from '../_helpers/guards.js';
import { randomInputs, seededRng } from '../_helpers/points.js';
import { fixture } from '../../helpers/paths.js';

interface FixtureCase {
  expr: string;
  numerator: string;
  denominator: string;
  num_degree: number;
  den_degree: number;
  num_terms: number;
  den_terms: number;
}
const cases = (JSON.parse(readFileSync(fixture('rational-forms.json'), 'utf8')) as { cases: FixtureCase[] }).cases;

const form = (text: string, domain?: Domain) => {
  const l = resolveLoss(text, { domain });
  return rationalForm(l.tree, l.domain);
};

describe('rationalForm', () => {
  it('should give CSE-Autoloss-B reg exactly as published', () => {
    assert.deepEqual(rationalFormJson(form('autoloss-b-reg')), {
      numerator: '3*e*u + 12*e + 3*i + 3*u + 18',
      denominator: '-3*e*u + i*u + u^2 - 15*e + 5*i + 5*u',
    });
  });

  it('should give CSE-Autoloss-A reg as one reduced fraction', () => {
    assert.equal(rationalFormInfix(form('autoloss-a-reg')), '(-e*i + 2*e*u - i*u - 2*u) / (e*u)');
  });

  it('should keep integer coefficients without a common factor and a positive lowest denominator term', () => {
    assert.deepEqual(rationalFormJson(form('Div(Mul(2,U),Mul(4,I))', 'reg')), { numerator: 'u', denominator: '2*i' });
    assert.deepEqual(rationalFormJson(form('Div(0.5,Sub(1,U))', 'reg')), { numerator: '1', denominator: '-2*u + 2' });
    assert.deepEqual(rationalFormJson(form('Sub(U,U)', 'reg')), { numerator: '0', denominator: '1' });
    assert.deepEqual(rationalFormJson(form('Div(Sub(Mul(U,U),Mul(I,I)),Add(U,I))', 'reg')), { numerator: '-i + u', denominator: '1' });
  });

  it('should treat non-rational subterms as atoms, equal ones as one variable', () => {
    assert.equal(rationalFormInfix(form('Div(Log(Div(Mul(2,I),Mul(2,U))),Log(Div(I,U)))', 'reg')), '1');
    assert.equal(rationalFormInfix(form('Sub(Mul(Sig(X),Sig(X)),Mul(Sig(X),Sig(Add(X,0))))', 'binary')), '0');
    assert.equal(rationalFormInfix(form('Add(Exp(Sub(U,U)),Log(1))', 'reg')), '1');
  });

  it('should name a divisor that is identically zero', () => {
    assert.throws(() => form('Div(I,Sub(U,U))', 'reg'), (e: unknown) => e instanceof ZeroDivision && /identically zero/.test((e as Error).message));
  });

  it('should agree with SymPy on all 50 fixture cases and be as reduced (degrees and term counts)', () => {
    assert.equal(cases.length, 50);
    const rng = seededRng(11);
    for (const [k, c] of cases.entries()) {
      const f = form(c.expr, 'reg');
      const s = formStats(f);
      assert.deepEqual([s.numDegree, s.denDegree, s.numTerms, s.denTerms], [c.num_degree, c.den_degree, c.num_terms, c.den_terms], `case ${k}: ${rationalFormInfix(f)}`);
      const tree = formToTree(f);
      // Numerators agree up to one constant factor, and so do denominators, with the same factor.
      let factor: number | undefined;
      for (let j = 0; j < 5; j++) {
        const vars = { U: 1 + 9 * rng(), I: 1 + 9 * rng(), E: 1 + 9 * rng() };
        const ours = evaluate(tree, 'reg', { U: col(vars.U), I: col(vars.I), E: col(vars.E) }).data[0]!;
        const theirs = evalSympyPoly(c.numerator, vars) / evalSympyPoly(c.denominator, vars);
        assert.ok(Math.abs(ours - theirs) <= 1e-9 * (1 + Math.abs(theirs)), `case ${k} at ${JSON.stringify(vars)}: ours ${ours}, SymPy ${theirs}`);
        const num = evaluate(formToTree({ ...f, denominator: { terms: [{ m: [], c: 1n }] } }), 'reg', { U: col(vars.U), I: col(vars.I), E: col(vars.E) }).data[0]!;
        const r = num / evalSympyPoly(c.numerator, vars);
        factor ??= r;
        assert.ok(Math.abs(r - factor) <= 1e-9 * Math.abs(factor), `case ${k}: numerators differ by more than a constant factor`);
      }
    }
  });

  it('should print JSON strings that an independent parser (mathjs) reads back to the same values', () => {
    // mathjs.rationalize is not used (it leaves a common factor e and 0.333… on Autoloss-B reg); its evaluator is right.
    const rng = seededRng(12);
    for (const [k, c] of cases.entries()) {
      const f = form(c.expr, 'reg');
      const { numerator, denominator } = rationalFormJson(f);
      const v = { u: 1 + 9 * rng(), i: 1 + 9 * rng(), e: 1 + 9 * rng() };
      const theirs = (mathjsEvaluate(numerator, { ...v }) as number) / (mathjsEvaluate(denominator, { ...v }) as number);
      const ours = evaluate(formToTree(f), 'reg', { U: col(v.u), I: col(v.i), E: col(v.e) }).data[0]!;
      assert.ok(Math.abs(ours - theirs) <= 1e-9 * (1 + Math.abs(ours)), `case ${k}: ${numerator} / ${denominator}`);
    }
  });

  for (const domain of DOMAIN_NAMES) {
    it(`should evaluate equal to the original on random ${domain} trees`, () => {
      let checked = 0;
      fc.assert(
        fc.property(treeArbitrary(domain, { maxDepth: 5, decimals: true }), fc.integer({ min: 1, max: 1e9 }), (tree, seed) => {
          const inputs = randomInputs(domain, seededRng(seed), 3, 4);
          let f;
          try {
            f = rationalForm(tree, domain);
          } catch (e) {
            if (e instanceof ZeroDivision) return;
            throw e;
          }
          const t = formToTree(f);
          if (guardsActive(tree, domain, inputs) || guardsActive(t, domain, inputs)) return;
          checked++;
          assert.ok(closeOnBatch(evaluate(t, domain, inputs).data, evaluate(tree, domain, inputs).data, 1e-7), `${rationalFormInfix(f)}`);
        }),
        { seed: 5, numRuns: 200 },
      );
      assert.ok(checked > 50, `only ${checked} trees checked`);
    });
  }

  it('should reduce the same function to the same form however it is written', () => {
    const a = rationalFormJson(form('(u - i)/u + (e - u)/e', 'reg'));
    const b = rationalFormJson(form('Add(Div(Sub(Mul(E,U),Mul(E,I)),Mul(E,U)),Sub(1,Div(U,E)))', 'reg'));
    assert.deepEqual(a, b);
  });
});

function col(v: number) {
  return { rows: 1, cols: 1, data: Float64Array.of(v) };
}
void parse;
