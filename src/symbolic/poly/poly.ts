/**
 * Sparse multivariate polynomials with integer (BigInt) coefficients.
 *
 * A monomial is an exponent vector without trailing zeros (variable k is the
 * k-th atom of a `VarTable`); a polynomial is its terms sorted in descending
 * graded lexicographic order (total degree first, then variable 0 before
 * variable 1 …). Polynomials are immutable values; every operation returns a
 * new one. Rational coefficients live one level up, in `RatFunc`, which keeps
 * numerator and denominator integral.
 */

export type Monomial = readonly number[];

export interface Term {
  readonly m: Monomial;
  readonly c: bigint;
}

export interface Poly {
  /** Non-zero terms, descending in graded lex order. Empty for the zero polynomial. */
  readonly terms: readonly Term[];
}

/**
 * A map key for a monomial: for up to 6 variables with exponents and total
 * degree below 128 (every form the search meets), the number
 * deg·128⁶ + e₀·128⁵ + … + e₅, which also orders monomials in graded lex
 * order; otherwise the exponents as text. Numbers and strings never collide.
 */
const POW128 = [128 ** 5, 128 ** 4, 128 ** 3, 128 ** 2, 128, 1];
const DEG_UNIT = 128 ** 6;
function key(m: Monomial): number | string {
  if (m.length <= 6) {
    let k = 0;
    let d = 0;
    let ok = true;
    for (let i = 0; i < m.length; i++) {
      const e = m[i]!;
      if (e >= 128) ok = false;
      d += e;
      k += e * POW128[i]!;
    }
    if (ok && d < 128) return d * DEG_UNIT + k;
  }
  return m.join(',');
}

function trim(m: number[]): number[] {
  let n = m.length;
  while (n > 0 && m[n - 1] === 0) n--;
  m.length = n;
  return m;
}

function degreeOf(m: Monomial): number {
  let d = 0;
  for (const e of m) d += e;
  return d;
}

/** Graded lex comparison: positive when a comes before b (is larger). */
function compareMonomials(a: Monomial, b: Monomial): number {
  const da = degreeOf(a);
  const db = degreeOf(b);
  if (da !== db) return da - db;
  const n = Math.max(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a[k] ?? 0;
    const y = b[k] ?? 0;
    if (x !== y) return x - y;
  }
  return 0;
}

function fromMap(map: Map<number | string, Term>): Poly {
  const terms: Term[] = [];
  const keys: number[] = [];
  let numeric = true;
  for (const [k, t] of map) {
    if (t.c === 0n) continue;
    terms.push(t);
    if (typeof k === 'number') keys.push(k);
    else numeric = false;
  }
  if (!numeric) {
    terms.sort((a, b) => compareMonomials(b.m, a.m));
    return { terms };
  }
  // The numeric keys are in graded lex order already.
  const order = keys.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]!);
  return { terms: order.map((i) => terms[i]!) };
}

export const ZERO_POLY: Poly = { terms: [] };
export const ONE_POLY: Poly = { terms: [{ m: [], c: 1n }] };

export function constPoly(c: bigint): Poly {
  return c === 0n ? ZERO_POLY : { terms: [{ m: [], c }] };
}

/** The polynomial x_k. */
export function varPoly(k: number): Poly {
  const m = new Array<number>(k + 1).fill(0);
  m[k] = 1;
  return { terms: [{ m, c: 1n }] };
}

export const isZeroPoly = (p: Poly): boolean => p.terms.length === 0;
export const isConstPoly = (p: Poly): boolean => p.terms.length === 0 || (p.terms.length === 1 && p.terms[0]!.m.length === 0);
/** The constant value, or undefined when p has a variable. */
export const constValue = (p: Poly): bigint | undefined => (p.terms.length === 0 ? 0n : isConstPoly(p) ? p.terms[0]!.c : undefined);

export function polyEquals(a: Poly, b: Poly): boolean {
  if (a.terms.length !== b.terms.length) return false;
  for (let k = 0; k < a.terms.length; k++) {
    const x = a.terms[k]!;
    const y = b.terms[k]!;
    if (x.c !== y.c || key(x.m) !== key(y.m)) return false;
  }
  return true;
}

function addInto(map: Map<number | string, Term>, m: Monomial, c: bigint): void {
  const k = key(m);
  const t = map.get(k);
  map.set(k, t ? { m: t.m, c: t.c + c } : { m, c });
}

/** Both term lists are sorted: one merge, no map and no sort. */
export function addPoly(a: Poly, b: Poly): Poly {
  if (a.terms.length === 0) return b;
  if (b.terms.length === 0) return a;
  const x = a.terms;
  const y = b.terms;
  const out: Term[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const cmp = compareMonomials(x[i]!.m, y[j]!.m);
    if (cmp > 0) out.push(x[i++]!);
    else if (cmp < 0) out.push(y[j++]!);
    else {
      const c = x[i]!.c + y[j]!.c;
      if (c !== 0n) out.push({ m: x[i]!.m, c });
      i++;
      j++;
    }
  }
  while (i < x.length) out.push(x[i++]!);
  while (j < y.length) out.push(y[j++]!);
  return { terms: out };
}

export function negPoly(a: Poly): Poly {
  return { terms: a.terms.map((t) => ({ m: t.m, c: -t.c })) };
}

export function subPoly(a: Poly, b: Poly): Poly {
  return addPoly(a, negPoly(b));
}

export function scalePoly(a: Poly, c: bigint): Poly {
  if (c === 0n) return ZERO_POLY;
  if (c === 1n) return a;
  return { terms: a.terms.map((t) => ({ m: t.m, c: t.c * c })) };
}

function mulMono(a: Monomial, b: Monomial): number[] {
  const n = Math.max(a.length, b.length);
  const m = new Array<number>(n);
  for (let k = 0; k < n; k++) m[k] = (a[k] ?? 0) + (b[k] ?? 0);
  return m;
}

export function mulPoly(a: Poly, b: Poly): Poly {
  if (a.terms.length === 0 || b.terms.length === 0) return ZERO_POLY;
  if (isConstPoly(a)) return scalePoly(b, a.terms[0]!.c);
  if (isConstPoly(b)) return scalePoly(a, b.terms[0]!.c);
  const map = new Map<number | string, Term>();
  for (const x of a.terms) for (const y of b.terms) addInto(map, mulMono(x.m, y.m), x.c * y.c);
  return fromMap(map);
}

export function bigAbs(a: bigint): bigint {
  return a < 0n ? -a : a;
}

export function bigGcd(a: bigint, b: bigint): bigint {
  a = bigAbs(a);
  b = bigAbs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Positive gcd of the coefficients (0 for the zero polynomial). */
export function content(p: Poly): bigint {
  let g = 0n;
  for (const t of p.terms) {
    g = bigGcd(g, t.c);
    if (g === 1n) return 1n;
  }
  return g;
}

/** Divides every coefficient by `c`, which must divide them all. */
export function divideExactScalar(p: Poly, c: bigint): Poly {
  if (c === 1n) return p;
  return { terms: p.terms.map((t) => ({ m: t.m, c: t.c / c })) };
}

export function maxNorm(p: Poly): bigint {
  let n = 0n;
  for (const t of p.terms) {
    const a = bigAbs(t.c);
    if (a > n) n = a;
  }
  return n;
}

/** Largest exponent of each variable across the terms. */
function maxExponents(p: Poly): number[] {
  const out: number[] = [];
  for (const t of p.terms) for (let k = 0; k < t.m.length; k++) out[k] = Math.max(out[k] ?? 0, t.m[k]!);
  for (let k = 0; k < out.length; k++) out[k] ??= 0;
  return out;
}

/** Smallest exponent of each variable across the terms: the monomial content. */
export function minExponents(p: Poly): number[] {
  if (p.terms.length === 0) return [];
  let out = [...p.terms[0]!.m];
  for (const t of p.terms) {
    const n = Math.min(out.length, t.m.length);
    out.length = n;
    for (let k = 0; k < n; k++) out[k] = Math.min(out[k]!, t.m[k]!);
  }
  return trim(out);
}

function divMono(a: Monomial, b: Monomial): number[] | undefined {
  if (b.length > a.length) {
    for (let k = a.length; k < b.length; k++) if (b[k]! > 0) return undefined;
  }
  const m = new Array<number>(a.length);
  for (let k = 0; k < a.length; k++) {
    const e = a[k]! - (b[k] ?? 0);
    if (e < 0) return undefined;
    m[k] = e;
  }
  return trim(m);
}

/** Divides every term by the monomial `m`, which must divide them all. */
export function divideMonomial(p: Poly, m: Monomial): Poly {
  if (m.length === 0) return p;
  return { terms: p.terms.map((t) => ({ m: divMono(t.m, m)!, c: t.c })) };
}

export function monomialPoly(m: Monomial, c: bigint): Poly {
  return { terms: [{ m: trim([...m]), c }] };
}

/**
 * a / b when b divides a exactly over the integers, else undefined.
 * Sparse division in graded lex order: the leading term of the remainder
 * must be divisible by the leading term of b at every step.
 */
export function exactDivide(a: Poly, b: Poly): Poly | undefined {
  if (b.terms.length === 0) throw new RangeError('polynomial division by zero');
  if (a.terms.length === 0) return ZERO_POLY;
  if (isConstPoly(b)) {
    const c = b.terms[0]!.c;
    for (const t of a.terms) if (t.c % c !== 0n) return undefined;
    return { terms: a.terms.map((t) => ({ m: t.m, c: t.c / c })) };
  }
  if (b.terms.length === 1) {
    const { m, c } = b.terms[0]!;
    const out: Term[] = [];
    for (const t of a.terms) {
      const q = divMono(t.m, m);
      if (!q || t.c % c !== 0n) return undefined;
      out.push({ m: q, c: t.c / c });
    }
    return { terms: out };
  }
  // Quick rejections: degrees per variable.
  const ea = maxExponents(a);
  const eb = maxExponents(b);
  for (let k = 0; k < eb.length; k++) if (eb[k]! > (ea[k] ?? 0)) return undefined;
  const lb = b.terms[0]!;
  const rem = new Map<number | string, Term>();
  for (const t of a.terms) rem.set(key(t.m), t);
  const quot: Term[] = [];
  const limit = a.terms.length * 4 + 64 * b.terms.length + 10_000;
  for (let steps = 0; rem.size > 0; steps++) {
    if (steps > limit * 100) return undefined;
    let lt: Term | undefined;
    for (const t of rem.values()) if (!lt || compareMonomials(t.m, lt.m) > 0) lt = t;
    const qm = divMono(lt!.m, lb.m);
    if (!qm || lt!.c % lb.c !== 0n) return undefined;
    const qc = lt!.c / lb.c;
    quot.push({ m: qm, c: qc });
    for (const t of b.terms) {
      const m = mulMono(qm, t.m);
      const k = key(trim(m));
      const cur = rem.get(k);
      const c = (cur?.c ?? 0n) - qc * t.c;
      if (c === 0n) rem.delete(k);
      else rem.set(k, { m, c });
    }
  }
  quot.sort((x, y) => compareMonomials(y.m, x.m));
  return { terms: quot };
}

/** Substitutes the integer `x` for variable `v`. */
export function evalVar(p: Poly, v: number, x: bigint): Poly {
  const map = new Map<number | string, Term>();
  const powers: bigint[] = [1n];
  for (const t of p.terms) {
    const e = t.m[v] ?? 0;
    while (powers.length <= e) powers.push(powers[powers.length - 1]! * x);
    let m: Monomial = t.m;
    if (e > 0) {
      const mm = [...t.m];
      mm[v] = 0;
      m = trim(mm);
    }
    addInto(map, m, t.c * powers[e]!);
  }
  return fromMap(map);
}

/** Variables that occur in p. */
export function varsOf(p: Poly): Set<number> {
  const s = new Set<number>();
  for (const t of p.terms) for (let k = 0; k < t.m.length; k++) if (t.m[k]! > 0) s.add(k);
  return s;
}

/** Multiplies by x_v^e. */
export function shiftVar(p: Poly, v: number, e: number): Poly {
  if (e === 0) return p;
  return {
    terms: p.terms.map((t) => {
      const m = [...t.m];
      while (m.length <= v) m.push(0);
      m[v]! += e;
      return { m, c: t.c };
    }),
  };
}
