/**
 * Printing polynomials in infix: terms in descending graded lex order, the
 * variables of a monomial in table order, `^` for powers, integer
 * coefficients (`3*e*u + 12*e - 5`).
 */
import type { Poly, Term } from './poly.js';

/** Prints one monomial's factors; `names[k]` is variable k, already parenthesised if needed. */
function factors(t: Term, names: readonly string[]): string[] {
  const out: string[] = [];
  t.m.forEach((e, k) => {
    if (e === 1) out.push(names[k]!);
    else if (e > 1) out.push(`${names[k]!}^${e}`);
  });
  return out;
}

/**
 * The polynomial as infix text.
 *
 * @example
 * polyToInfix(p, ['e', 'i', 'u']) // '3*e*u + 12*e + 3*i + 3*u + 18'
 */
export function polyToInfix(p: Poly, names: readonly string[]): string {
  if (p.terms.length === 0) return '0';
  return p.terms
    .map((t, k) => {
      const neg = t.c < 0n;
      const abs = neg ? -t.c : t.c;
      const fs = factors(t, names);
      const body = fs.length === 0 ? abs.toString() : abs === 1n ? fs.join('*') : `${abs}*${fs.join('*')}`;
      if (k === 0) return neg ? `-${body}` : body;
      return neg ? ` - ${body}` : ` + ${body}`;
    })
    .join('');
}

/** True when the printed polynomial is a single factor that needs no parentheses as a divisor. */
export function isSingleFactor(p: Poly): boolean {
  if (p.terms.length !== 1) return false;
  const t = p.terms[0]!;
  const nonzero = t.m.filter((e) => e > 0);
  if (nonzero.length === 0) return t.c > 0n;
  return t.c === 1n && nonzero.length === 1 && nonzero[0] === 1;
}
