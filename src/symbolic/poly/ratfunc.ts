/**
 * Rational functions: a numerator and a denominator polynomial with integer
 * coefficients, kept reduced at every step (sympy's `FracField` does the
 * same): their gcd, integer content included, is 1. Sums and products use
 * Henrici's formulas, which need only the gcds of the smaller pieces.
 *
 * The sign is fixed by `normalizeSign`: the denominator's lowest term in
 * graded lex order (its constant term when it has one) is positive. This is
 * the convention under which CSE-Autoloss-B reg prints as published,
 * (3eu+12e+3i+3u+18)/(−3eu+iu+u²−15e+5i+5u).
 */
import { gcd } from './gcd.js';
import {
  addPoly,
  constPoly,
  exactDivide,
  isZeroPoly,
  mulPoly,
  negPoly,
  ONE_POLY,
  polyEquals,
  type Poly,
  ZERO_POLY,
} from './poly.js';

export interface RatFunc {
  readonly num: Poly;
  readonly den: Poly;
}

export class ZeroDivision extends Error {
  override readonly name = 'ZeroDivision';
}

/** A form that would exceed the term budget (expanding a product of many sums grows exponentially). */
export class FormTooLarge extends Error {
  override readonly name = 'FormTooLarge';
}

const RF_ZERO: RatFunc = { num: ZERO_POLY, den: ONE_POLY };

export function rfConst(n: bigint, d: bigint = 1n): RatFunc {
  if (d < 0n) [n, d] = [-n, -d];
  return { num: constPoly(n), den: constPoly(d) };
}

export function rfPoly(p: Poly): RatFunc {
  return { num: p, den: ONE_POLY };
}

const div = (a: Poly, b: Poly): Poly => {
  const q = exactDivide(a, b);
  if (!q) throw new Error('internal: gcd does not divide');
  return q;
};

const isOne = (p: Poly): boolean => p.terms.length === 1 && p.terms[0]!.m.length === 0 && p.terms[0]!.c === 1n;

export function rfAdd(x: RatFunc, y: RatFunc): RatFunc {
  if (isZeroPoly(x.num)) return y;
  if (isZeroPoly(y.num)) return x;
  if (isOne(x.den) && isOne(y.den)) return { num: addPoly(x.num, y.num), den: ONE_POLY };
  if (polyEquals(x.den, y.den)) {
    const t = addPoly(x.num, y.num);
    if (isZeroPoly(t)) return RF_ZERO;
    const g = gcd(t, x.den);
    return isOne(g) ? { num: t, den: x.den } : { num: div(t, g), den: div(x.den, g) };
  }
  const g = gcd(x.den, y.den);
  const xd = div(x.den, g);
  const yd = div(y.den, g);
  const t = addPoly(mulPoly(x.num, yd), mulPoly(y.num, xd));
  if (isZeroPoly(t)) return RF_ZERO;
  if (isOne(g)) return { num: t, den: mulPoly(x.den, y.den) };
  const g2 = gcd(t, g);
  return { num: div(t, g2), den: mulPoly(xd, div(y.den, g2)) };
}

export function rfNeg(x: RatFunc): RatFunc {
  return { num: negPoly(x.num), den: x.den };
}

export function rfSub(x: RatFunc, y: RatFunc): RatFunc {
  return rfAdd(x, rfNeg(y));
}

export function rfMul(x: RatFunc, y: RatFunc): RatFunc {
  if (isZeroPoly(x.num) || isZeroPoly(y.num)) return RF_ZERO;
  if (isOne(x.den) && isOne(y.den)) return { num: mulPoly(x.num, y.num), den: ONE_POLY };
  const g1 = gcd(x.num, y.den);
  const g2 = gcd(y.num, x.den);
  return { num: mulPoly(div(x.num, g1), div(y.num, g2)), den: mulPoly(div(x.den, g2), div(y.den, g1)) };
}

/** 1/x; throws ZeroDivision when x is identically zero. */
function rfInv(x: RatFunc): RatFunc {
  if (isZeroPoly(x.num)) throw new ZeroDivision('division by an expression that is identically zero');
  return { num: x.den, den: x.num };
}

export function rfDiv(x: RatFunc, y: RatFunc): RatFunc {
  return rfMul(x, rfInv(y));
}

/** Fixes the sign: the denominator's last (lowest, graded lex) term is positive. */
export function normalizeSign(x: RatFunc): RatFunc {
  if (isZeroPoly(x.num)) return RF_ZERO;
  const last = x.den.terms[x.den.terms.length - 1]!;
  return last.c < 0n ? { num: negPoly(x.num), den: negPoly(x.den) } : x;
}
