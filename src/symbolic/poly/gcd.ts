/**
 * Greatest common divisors of multivariate integer polynomials.
 *
 * The main route is the heuristic GCD of Char, Geddes and Gonnet (as in
 * SymPy's `dmp_zz_heu_gcd`): evaluate one variable at a large integer,
 * recurse, and read the answer back from the base-ξ digits of the result.
 * Every candidate is checked by exact division, so a wrong answer is never
 * returned; when the evaluation points are unlucky the primitive
 * pseudo-remainder sequence (`prsGcd`) is the slow, always-correct fallback.
 */
import {
  bigAbs,
  bigGcd,
  constPoly,
  content,
  divideExactScalar,
  divideMonomial,
  exactDivide,
  evalVar,
  isConstPoly,
  isZeroPoly,
  maxNorm,
  minExponents,
  monomialPoly,
  mulPoly,
  scalePoly,
  varsOf,
  type Poly,
  type Term,
  ZERO_POLY,
  ONE_POLY,
  subPoly,
  addPoly,
  shiftVar,
} from './poly.js';

const HEU_TRIES = 8;

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton's iteration from above decreases monotonically to ⌊√n⌋.
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Integer in (−x/2, x/2] congruent to a mod x. */
function symmetricMod(a: bigint, x: bigint): bigint {
  let r = a % x;
  if (r < 0n) r += x;
  return r > x / 2n ? r - x : r;
}

/** Reads a polynomial in variable v back from its value at v = x (coefficients as balanced base-x digits). */
function interpolate(h: Poly, x: bigint, v: number): Poly {
  let out = ZERO_POLY;
  let rest = h;
  for (let e = 0; !isZeroPoly(rest); e++) {
    const digit: Term[] = [];
    for (const t of rest.terms) {
      const d = symmetricMod(t.c, x);
      if (d !== 0n) digit.push({ m: t.m, c: d });
    }
    const g: Poly = { terms: digit };
    out = addPoly(out, shiftVar(g, v, e));
    rest = divideExactScalar(subPoly(rest, g), x);
    if (e > 10_000) throw new Error('interpolation did not terminate');
  }
  return out;
}

function lcAbs(p: Poly): bigint {
  return bigAbs(p.terms[0]!.c);
}

/** Primitive part with a positive leading coefficient. */
function primitive(p: Poly): Poly {
  if (isZeroPoly(p)) return p;
  let c = content(p);
  if (p.terms[0]!.c < 0n) c = -c;
  return divideExactScalar(p, c);
}

/** Heuristic gcd of f and g (both non-zero); undefined when the evaluation points were unlucky. */
function heuGcd(f: Poly, g: Poly, vars: readonly number[]): Poly | undefined {
  const c = bigGcd(content(f), content(g));
  f = divideExactScalar(f, content(f));
  g = divideExactScalar(g, content(g));
  if (vars.length === 0) return constPoly(c);
  const [v, ...rest] = vars as [number, ...number[]];
  const fn = maxNorm(f);
  const gn = maxNorm(g);
  // ξ ≥ 2·min(‖f‖∞, ‖g‖∞) + 2 is the bound under which a candidate that
  // divides both is the gcd (Geddes, Czapor, Labahn, Thm 7.7). SymPy starts
  // lower for speed, which can return 1 for a non-trivial gcd (a coefficient
  // at exactly ξ/2 reads back with the wrong sign); we keep the safe bound.
  let x = 2n * (fn < gn ? fn : gn) + 2n;
  const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
  const alt = 2n * (ceilDiv(fn, lcAbs(f)) < ceilDiv(gn, lcAbs(g)) ? ceilDiv(fn, lcAbs(f)) : ceilDiv(gn, lcAbs(g))) + 2n;
  if (alt > x) x = alt;
  for (let i = 0; i < HEU_TRIES; i++) {
    const ff = evalVar(f, v, x);
    const gg = evalVar(g, v, x);
    if (!isZeroPoly(ff) && !isZeroPoly(gg)) {
      const h0 = heuGcd(ff, gg, rest);
      if (h0) {
        const h = primitive(interpolate(h0, x, v));
        if (!isZeroPoly(h) && exactDivide(f, h) && exactDivide(g, h)) return scalePoly(h, c);
        // The cofactors' digits may read back correctly when h's do not.
        const cff = exactDivide(ff, h0);
        if (cff) {
          const cf = interpolate(cff, x, v);
          const h2 = isZeroPoly(cf) ? undefined : exactDivide(f, cf);
          if (h2 && !isZeroPoly(h2) && exactDivide(g, h2)) return scalePoly(primitive(h2), c);
        }
      }
    }
    x = (73794n * x * isqrt(isqrt(x))) / 27011n;
  }
  return undefined;
}

/** Coefficients of p as a polynomial in variable v: index e holds the coefficient of v^e. */
function coefficientsIn(p: Poly, v: number): Poly[] {
  const buckets: Term[][] = [];
  for (const t of p.terms) {
    const e = t.m[v] ?? 0;
    const m = [...t.m];
    if (e > 0) {
      m[v] = 0;
      while (m.length && m[m.length - 1] === 0) m.pop();
    }
    (buckets[e] ??= []).push({ m, c: t.c });
  }
  return Array.from(buckets, (b) => ({ terms: b ?? [] }));
}

function fromCoefficients(cs: readonly Poly[], v: number): Poly {
  let out = ZERO_POLY;
  cs.forEach((c, e) => (out = addPoly(out, shiftVar(c, v, e))));
  return out;
}

/** Content of p with respect to variable v: the gcd of its coefficients, a polynomial in the other variables. */
function contentIn(p: Poly, v: number, vars: readonly number[]): Poly {
  let g = ZERO_POLY;
  for (const c of coefficientsIn(p, v)) {
    if (isZeroPoly(c)) continue;
    g = isZeroPoly(g) ? c : gcdVars(g, c, vars);
    if (isConstPoly(g)) return ONE_POLY;
  }
  return g;
}

/** Pseudo-remainder of a by b in variable v. */
function pseudoRemainder(a: Poly, b: Poly, v: number): Poly {
  const bc = coefficientsIn(b, v);
  const db = bc.length - 1;
  const lb = bc[db]!;
  let r = a;
  for (;;) {
    const rc = coefficientsIn(r, v);
    const dr = rc.length - 1;
    if (isZeroPoly(r) || dr < db) return r;
    const lr = rc[dr]!;
    r = subPoly(mulPoly(r, lb), shiftVar(mulPoly(b, lr), v, dr - db));
  }
}

/** Always-correct gcd by primitive pseudo-remainder sequences, variable by variable. */
export function prsGcd(f: Poly, g: Poly, vars: readonly number[]): Poly {
  const used = vars.filter((k) => varsOf(f).has(k) || varsOf(g).has(k));
  if (used.length === 0) return constPoly(bigGcd(content(f), content(g)));
  // Integer content apart: for primitive inputs a constant content in v is ±1.
  const ic = bigGcd(content(f), content(g));
  f = divideExactScalar(f, content(f));
  g = divideExactScalar(g, content(g));
  const v = used[0]!;
  const others = used.slice(1);
  const cf = contentIn(f, v, others);
  const cg = contentIn(g, v, others);
  const c = gcdVars(cf, cg, others);
  let a = exactDivide(f, cf)!;
  let b = exactDivide(g, cg)!;
  if (coefficientsIn(a, v).length < coefficientsIn(b, v).length) [a, b] = [b, a];
  while (!isZeroPoly(b) && coefficientsIn(b, v).length > 1) {
    const r = pseudoRemainder(a, b, v);
    a = b;
    b = isZeroPoly(r) ? r : exactDivide(r, contentIn(r, v, others))!;
  }
  const h = isZeroPoly(b) ? a : ONE_POLY;
  return scalePoly(primitive(mulPoly(c, fromCoefficients(coefficientsIn(h, v), v))), ic);
}

function gcdVars(f: Poly, g: Poly, vars: readonly number[]): Poly {
  return gcd(f, g, vars);
}

/**
 * gcd(f, g) with a positive leading coefficient (graded lex); gcd(0, g) = ±g.
 *
 * @example
 * gcd(x²−1, x²+2x+1) // x+1
 */
export function gcd(f: Poly, g: Poly, varsHint?: readonly number[]): Poly {
  if (isZeroPoly(f)) return primitiveSigned(g);
  if (isZeroPoly(g)) return primitiveSigned(f);
  if (isConstPoly(f) || isConstPoly(g)) return constPoly(bigGcd(content(f), content(g)));
  // Monomial content first: the heuristic works best on polynomials without it.
  const mf = minExponents(f);
  const mg = minExponents(g);
  const mono: number[] = [];
  for (let k = 0; k < Math.min(mf.length, mg.length); k++) mono[k] = Math.min(mf[k]!, mg[k]!);
  const f1 = divideMonomial(f, mf);
  const g1 = divideMonomial(g, mg);
  const c = bigGcd(content(f1), content(g1));
  let core: Poly;
  if (isConstPoly(f1) || isConstPoly(g1) || f1.terms.length === 1 || g1.terms.length === 1) {
    core = constPoly(c);
  } else {
    const vf = varsOf(f1);
    const vg = varsOf(g1);
    const vars = (varsHint ?? [...new Set([...vf, ...vg])].sort((a, b) => a - b)).filter((k) => vf.has(k) || vg.has(k));
    core = heuGcd(f1, g1, vars) ?? prsGcd(f1, g1, vars);
  }
  return mulPoly(core, monomialPoly(mono, 1n));
}

function primitiveSigned(p: Poly): Poly {
  return primitive(p);
}
