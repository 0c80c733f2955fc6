/**
 * LaTeX of a reduced rational form (numerator and denominator polynomials
 * from the symbolic engine) in the paper's style: `\frac{3eu+12e+3i+3u+18}{…}`,
 * terms in the form's order, coefficients before variables, single-letter
 * factors juxtaposed without spaces, powers as `u^{2}`.
 *
 * The types are structural so that this printer depends only on the shape
 * of a form: integer coefficients, exponent vectors over `variables`.
 */
import type { Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { PREC } from '../symbolic/op-spec.js';
import { latexPiece } from './latex.js';

export interface FormLike {
  readonly domain: Domain;
  readonly numerator: PolyLike;
  readonly denominator: PolyLike;
  readonly variables: readonly { readonly tree: Node }[];
}
export interface PolyLike {
  readonly terms: readonly { readonly m: readonly number[]; readonly c: bigint }[];
}

const SIMPLE = /^(?:\d+|[a-z](?:\^\{\d+\})?)$/;

function factorText(tree: Node, domain: Domain, power: number): string {
  const p = latexPiece(tree, domain);
  // Juxtaposed factors: a sum (1-y) or a bare function (\log u) needs parentheses; a power's base unless it is one letter.
  const needs = p.prec < PREC.mul || p.open || (power > 1 && !/^[a-z]$/.test(p.text));
  const base = needs ? `\\left(${p.text}\\right)` : p.text;
  return power > 1 ? `${base}^{${power}}` : base;
}

function joinFactors(parts: readonly string[]): string {
  let out = '';
  parts.forEach((f, k) => {
    if (k > 0) out += SIMPLE.test(parts[k - 1]!) && SIMPLE.test(f) && !/^\d/.test(f) ? '' : ' ';
    out += f;
  });
  return out;
}

/** One polynomial as LaTeX: `-3eu+iu+u^{2}-15e+5i+5u`. */
function polyLatex(p: PolyLike, variables: FormLike['variables'], domain: Domain): string {
  if (p.terms.length === 0) return '0';
  return p.terms
    .map((t, k) => {
      const neg = t.c < 0n;
      const abs = neg ? -t.c : t.c;
      const fs: string[] = [];
      t.m.forEach((e, v) => {
        if (e > 0) fs.push(factorText(variables[v]!.tree, domain, e));
      });
      const body = fs.length === 0 ? abs.toString() : joinFactors(abs === 1n ? fs : [abs.toString(), ...fs]);
      return neg ? `-${body}` : k === 0 ? body : `+${body}`;
    })
    .join('');
}

/**
 * The form as one LaTeX fraction (or a polynomial when the denominator is 1).
 *
 * @example
 * rationalLatex(rationalForm(parse('autoloss-b-reg').tree, 'reg'))
 * // '\\frac{3eu+12e+3i+3u+18}{-3eu+iu+u^{2}-15e+5i+5u}'
 */
export function rationalLatex(form: FormLike): string {
  const num = polyLatex(form.numerator, form.variables, form.domain);
  const den = form.denominator;
  if (den.terms.length === 1 && den.terms[0]!.c === 1n && den.terms[0]!.m.every((e) => e === 0)) return num;
  return `\\frac{${num}}{${polyLatex(den, form.variables, form.domain)}}`;
}
