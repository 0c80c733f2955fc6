import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { gcd, prsGcd } from '../../../src/symbolic/poly/gcd.js';
import { addPoly, exactDivide, isConstPoly, mulPoly, type Poly, type Term } from '../../../src/symbolic/poly/poly.js';
import { polyToInfix } from '../../../src/symbolic/poly/print.js';

const NAMES = ['e', 'i', 'u'];
const show = (p: Poly) => polyToInfix(p, NAMES);

/** Random sparse polynomials in 3 variables, small degrees and coefficients. */
const polyArb = (maxTerms: number): fc.Arbitrary<Poly> =>
  fc
    .array(fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), fc.integer({ min: -9, max: 9 })), { minLength: 1, maxLength: maxTerms })
    .map((ts) => ts.reduce<Poly>((acc, [m, c]) => addPoly(acc, { terms: c === 0 ? [] : [{ m: trim(m), c: BigInt(c) } as Term] }), { terms: [] }))
    .filter((p) => p.terms.length > 0);

function trim(m: number[]): number[] {
  const out = [...m];
  while (out.length && out[out.length - 1] === 0) out.pop();
  return out;
}

describe('gcd', () => {
  it('should find a common factor of two products', () => {
    fc.assert(
      fc.property(polyArb(4), polyArb(4), polyArb(4), (a, b, c) => {
        const f = mulPoly(a, c);
        const g = mulPoly(b, c);
        const h = gcd(f, g);
        assert.ok(exactDivide(f, h) && exactDivide(g, h), `gcd ${show(h)} does not divide ${show(f)} and ${show(g)}`);
        assert.ok(exactDivide(h, c) || isConstPoly(c), `gcd ${show(h)} misses the common factor ${show(c)}`);
        // Cofactors are coprime: nothing more can be taken out.
        const rest = gcd(exactDivide(f, h)!, exactDivide(g, h)!);
        assert.ok(isConstPoly(rest) && rest.terms[0]!.c === 1n, `cofactors share ${show(rest)}`);
      }),
      { seed: 1, numRuns: 150 },
    );
  });

  it('should agree with the pseudo-remainder fallback up to sign', () => {
    fc.assert(
      fc.property(polyArb(3), polyArb(3), polyArb(3), (a, b, c) => {
        const f = mulPoly(a, c);
        const g = mulPoly(b, c);
        const h1 = gcd(f, g);
        const h2 = prsGcd(f, g, [0, 1, 2]);
        // Over the integers, mutual divisibility means equal up to sign.
        assert.ok(exactDivide(h1, h2) && exactDivide(h2, h1), `heuristic ${show(h1)} vs prs ${show(h2)}`);
      }),
      { seed: 2, numRuns: 60 },
    );
  });

  it('should give x+1 for x²−1 and x²+2x+1', () => {
    const x2m1: Poly = { terms: [{ m: [2], c: 1n }, { m: [], c: -1n }] };
    const sq: Poly = { terms: [{ m: [2], c: 1n }, { m: [1], c: 2n }, { m: [], c: 1n }] };
    assert.equal(show(gcd(x2m1, sq)), 'e + 1');
  });
});
