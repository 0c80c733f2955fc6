/**
 * Exact rational normal form of an expression.
 *
 * Conventions (what the form means):
 * - It describes the *unguarded* function: Div is a/b (no 1e-20), Exp has no
 *   clamp, Log no offset. It agrees with the evaluator wherever the guards
 *   are inactive.
 * - U, I, E (and every input) are generic values: a common factor is
 *   cancelled even though it could vanish (i/i is 1), as in SymPy's `cancel`.
 * - Non-rational subterms (Log, Exp, Sig, Sqrt, Softmax, Dot, …) are atoms:
 *   their arguments are put into normal form recursively, and equal atoms are
 *   one variable, so the rational structure around them still reduces.
 * - Variables are ordered: the domain's inputs by infix name (e, i, u), then
 *   the atoms by their canonical prefix text. Terms print in descending
 *   graded lex order; coefficients are integers with no common factor across
 *   numerator and denominator; the denominator's lowest term is positive.
 *
 * Why our own code: measured, mathjs.rationalize leaves a common factor e
 * and 0.333… coefficients on Autoloss-B reg; nerdamer reads `E` as Euler's
 * number and fails to parse `(-C)/(-1)`; algebrite leaves (−5−u)³ in the
 * denominator; the compute-engine returns NaN. The tests use mathjs only as
 * an independent numeric cross-check where it is right.
 */
import { toInfix } from '../../render/infix.js';
import { toPrefix } from '../../render/prefix.js';
import { DOMAINS, type Domain } from '../domains.js';
import { constant, input, op, type Node } from '../node.js';
import * as R from '../rational.js';
import { ALL_OPS, opSpec } from '../registry.js';
import { shapeOf } from '../shape.js';
import { foldConstants } from '../simplify/fold.js';
import { isConstPoly, isZeroPoly, type Poly, varPoly, constValue } from './poly.js';
import { isSingleFactor, polyToInfix } from './print.js';
import { FormTooLarge, ZeroDivision, normalizeSign, rfAdd, rfConst, rfDiv, rfMul, rfNeg, rfPoly, rfSub, type RatFunc } from './ratfunc.js';

const RATIONAL_OPS: ReadonlySet<string> = new Set(ALL_OPS.filter((o) => o.properties.rational).map((o) => o.name));

/** A variable of a rational form: an input or an atom (a non-rational subterm in canonical form). */
export interface FormVariable {
  readonly tree: Node;
  /** Infix text, parenthesised if needed as a factor. */
  readonly infix: string;
  /** Sort key: inputs before atoms, then by name. */
  readonly key: string;
}

export interface RationalForm {
  readonly domain: Domain;
  readonly numerator: Poly;
  readonly denominator: Poly;
  readonly variables: readonly FormVariable[];
}

interface Context {
  readonly domain: Domain;
  /** Canonical atom for each original non-rational subtree. */
  readonly atomOf: Map<Node, Node>;
  /** Variable index of each input or canonical atom. */
  readonly index: Map<Node, number>;
  readonly maxTerms: number;
}

/** Terms allowed in a numerator plus denominator before giving up (see FormTooLarge). */
const DEFAULT_MAX_TERMS = 20_000;

/**
 * The reduced numerator and denominator of `tree`.
 *
 * @example
 * const f = rationalForm(resolveLoss('autoloss-b-reg').tree, 'reg');
 * rationalFormJson(f) // { numerator: '3*e*u + 12*e + 3*i + 3*u + 18', denominator: '-3*e*u + i*u + u^2 - 15*e + 5*i + 5*u' }
 * @throws ZeroDivision when a divisor is identically zero; FormTooLarge past `maxTerms`.
 */
export function rationalForm(tree: Node, domain: Domain, options: { maxTerms?: number } = {}): RationalForm {
  const maxTerms = options.maxTerms ?? DEFAULT_MAX_TERMS;
  const atomOf = new Map<Node, Node>();
  const found = new Map<string, Node>();
  collectAtoms(tree, domain, atomOf, found);
  const vars: FormVariable[] = [];
  for (const spec of DOMAINS[domain].inputs) {
    vars.push({ tree: input(spec.name), infix: spec.infix, key: `0${spec.infix}` });
  }
  for (const [k, atom] of found) vars.push({ tree: atom, infix: atomInfix(atom, domain), key: `1${k}` });
  vars.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const index = new Map<Node, number>(vars.map((v, k) => [v.tree, k]));
  const rf = normalizeSign(toRatFunc(tree, { domain, atomOf, index, maxTerms }));
  // Drop variables that cancelled out, keeping indices stable by renumbering.
  return compact({ domain, numerator: rf.num, denominator: rf.den, variables: vars });
}

function atomInfix(atom: Node, domain: Domain): string {
  const s = toInfix(atom, domain);
  return /^[A-Za-z_][A-Za-z0-9_]*(\(.*\))?$/.test(s) && balanced(s) ? s : `(${s})`;
}

function balanced(s: string): boolean {
  // A call like f(a) + g(b) matches the regex but is not one factor.
  let depth = 0;
  for (let k = 0; k < s.length; k++) {
    if (s[k] === '(') depth++;
    else if (s[k] === ')') {
      depth--;
      if (depth === 0 && k !== s.length - 1) return false;
    }
  }
  return true;
}

/** Finds the maximal non-rational subterms and puts each into canonical form. */
function collectAtoms(tree: Node, domain: Domain, atomOf: Map<Node, Node>, found: Map<string, Node>): void {
  const seen = new Set<Node>();
  const go = (n: Node): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'named' || (n.kind === 'op' && !RATIONAL_OPS.has(n.op))) {
      const atom = canonicalAtom(n, domain);
      atomOf.set(n, atom);
      if (atom.kind !== 'const') found.set(toPrefix(atom), atom);
      return;
    }
    if (n.kind === 'op') n.args.forEach(go);
  };
  go(tree);
}

const atomCache: Record<Domain, WeakMap<Node, Node>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };

/** A non-rational node with each argument in rational normal form; folded to a constant when exact. */
export function canonicalAtom(n: Node, domain: Domain): Node {
  if (n.kind !== 'op') return n;
  const cache = atomCache[domain];
  const hit = cache.get(n);
  if (hit) return hit;
  const spec = opSpec(n.op);
  const args = n.args.map((a) => {
    let t: Node;
    try {
      t = formToTree(rationalForm(a, domain));
    } catch (e) {
      // An argument without a form (divides by zero, or too large) stays as written.
      if (!(e instanceof ZeroDivision || e instanceof FormTooLarge)) throw e;
      t = a;
    }
    return spec.axis && shapeOf(t, domain) !== shapeOf(a, domain) ? a : t;
  });
  let out: Node;
  // Dot(a, b) and Dot(b, a) are one atom.
  if (spec.properties.commutative && args.length === 2 && toPrefix(args[0]!) > toPrefix(args[1]!)) args.reverse();
  out = foldConstants(n.op, args) ?? op(n.op, ...args);
  cache.set(n, out);
  return out;
}

function toRatFunc(tree: Node, ctx: Context): RatFunc {
  const memo = new Map<Node, RatFunc>();
  const go = (n: Node): RatFunc => {
    const hit = memo.get(n);
    if (hit) return hit;
    let out: RatFunc;
    switch (n.kind) {
      case 'const':
        out = rfConst(n.value.n, n.value.d);
        break;
      case 'input':
        out = rfPoly(varPoly(ctx.index.get(n)!));
        break;
      case 'pattern':
        throw new Error(`pattern variable ?${n.name} has no rational form`);
      case 'named':
      case 'op': {
        if (n.kind === 'op' && RATIONAL_OPS.has(n.op)) {
          const [a, b] = n.args.map(go) as [RatFunc, RatFunc];
          if (n.op === 'Div' && isZeroPoly(b.num)) {
            throw new ZeroDivision(`division by zero: the divisor ${toInfix(n.args[1]!, ctx.domain)} is identically zero`);
          }
          out = n.op === 'Add' ? rfAdd(a, b) : n.op === 'Sub' ? rfSub(a, b) : n.op === 'Mul' ? rfMul(a, b) : n.op === 'Div' ? rfDiv(a, b) : rfNeg(a);
        } else {
          const atom = ctx.atomOf.get(n)!;
          out = atom.kind === 'const' ? rfConst(atom.value.n, atom.value.d) : rfPoly(varPoly(ctx.index.get(atom)!));
        }
        break;
      }
    }
    if (out.num.terms.length + out.den.terms.length > ctx.maxTerms) throw new FormTooLarge(`the rational form exceeds ${ctx.maxTerms} terms`);
    memo.set(n, out);
    return out;
  };
  return go(tree);
}

/** Renumbers variables so that only those still present remain. */
function compact(f: RationalForm): RationalForm {
  const used = new Set<number>();
  for (const p of [f.numerator, f.denominator]) for (const t of p.terms) t.m.forEach((e, k) => e > 0 && used.add(k));
  if (used.size === f.variables.length) return f;
  const keep = [...used].sort((a, b) => a - b);
  const map = (p: Poly): Poly => ({
    terms: p.terms.map((t) => {
      const m = keep.map((k) => t.m[k] ?? 0);
      while (m.length && m[m.length - 1] === 0) m.pop();
      return { m, c: t.c };
    }),
  });
  return { domain: f.domain, numerator: map(f.numerator), denominator: map(f.denominator), variables: keep.map((k) => f.variables[k]!) };
}

/**
 * The form as `{numerator, denominator}` infix strings (lower-case input names, `^` for powers).
 *
 * @example
 * rationalFormJson(rationalForm(parse('1 - i/u').tree, 'reg')) // { numerator: '-i + u', denominator: 'u' }
 */
export function rationalFormJson(f: RationalForm): { numerator: string; denominator: string } {
  const names = f.variables.map((v) => v.infix);
  return { numerator: polyToInfix(f.numerator, names), denominator: polyToInfix(f.denominator, names) };
}

/** One infix line: `(num) / (den)`, or just the numerator when the denominator is 1. */
export function rationalFormInfix(f: RationalForm): string {
  const { numerator, denominator } = rationalFormJson(f);
  if (denominator === '1') return numerator;
  const n = f.numerator.terms.length > 1 ? `(${numerator})` : numerator;
  const d = isSingleFactor(f.denominator) ? denominator : `(${denominator})`;
  return `${n} / ${d}`;
}

function polyToTree(p: Poly, vars: readonly FormVariable[]): Node {
  if (isZeroPoly(p)) return constant(0);
  let out: Node | undefined;
  for (const t of p.terms) {
    let m: Node | undefined;
    t.m.forEach((e, k) => {
      for (let j = 0; j < e; j++) m = m ? op('Mul', m, vars[k]!.tree) : vars[k]!.tree;
    });
    const abs = t.c < 0n ? -t.c : t.c;
    const term = !m ? constant(abs) : abs === 1n ? m : op('Mul', constant(abs), m);
    out = out ? op(t.c < 0n ? 'Sub' : 'Add', out, term) : t.c > 0n ? term : m ? op('Neg', term) : constant(t.c);
  }
  return out!;
}

/**
 * The form as an expression tree (numerator, divided by the denominator unless it is 1).
 *
 * @example
 * toInfix(formToTree(rationalForm(parse('Div(Mul(2,U),Mul(4,U))').tree, 'reg')), 'reg') // '1 / 2'
 */
export function formToTree(f: RationalForm): Node {
  const dc = constValue(f.denominator);
  const nc = constValue(f.numerator);
  if (nc !== undefined && dc !== undefined) return constant(R.rat(nc, dc));
  const num = polyToTree(f.numerator, f.variables);
  if (dc === 1n) return num;
  // A constant denominator stays a division: (i + u) / 3 rather than 1/3 * (i + u).
  if (isConstPoly(f.denominator) && dc !== undefined) return op('Div', num, constant(dc));
  return op('Div', num, polyToTree(f.denominator, f.variables));
}

/** Total degree and number of terms of numerator and denominator. */
export function formStats(f: RationalForm): { numDegree: number; denDegree: number; numTerms: number; denTerms: number } {
  const deg = (p: Poly) => p.terms.reduce((d, t) => Math.max(d, t.m.reduce((s, e) => s + e, 0)), 0);
  return { numDegree: deg(f.numerator), denDegree: deg(f.denominator), numTerms: f.numerator.terms.length, denTerms: f.denominator.terms.length };
}

