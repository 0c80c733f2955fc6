/**
 * LaTeX printer in the paper's notation (SEMANTICS.md, "Syntax"): x, y, w;
 * Q as `w y`, NY as `1-y`; i, u, e; σ, erf, gd, softmax as operator names;
 * `\frac` for division.
 *
 * The registry entries give each operator's template and precedence; this
 * file alone decides parentheses and spacing:
 * - an argument is parenthesized only when its precedence is below what its
 *   slot asks for (slots the template delimits itself ask for nothing), or
 *   when it would put a minus sign straight after another operator;
 * - `\log`, `\sin`, `\cos`, `\tanh` take a single atom without parentheses
 *   (`\log \sigma\left(x\right)`, as the paper writes it);
 * - products are juxtaposed (`w y \left(1+…\right)`) except after an
 *   undelimited function application or before a number, where `\cdot`
 *   keeps them readable;
 * - `a + (−b)` prints as `a-b` and `a + (−2)` as `a-2` (display only: the
 *   tree is not changed).
 * The printer never emits unbalanced braces or `\left`/`\right` pairs: every
 * piece is closed where it is opened.
 */
import { DOMAINS, type Domain, type InputName } from '../symbolic/domains.js';
import type { Node, OpNode } from '../symbolic/node.js';
import type { OpName } from '../symbolic/op-names.js';
import { PREC } from '../symbolic/op-spec.js';
import { toDecimal, type Rat } from '../symbolic/rational.js';
import { NAMED_CONSTANTS, opSpec } from '../symbolic/registry.js';
import { simplify } from '../symbolic/simplify/simplify.js';

/** A printed piece and what its neighbours need to know about it. */
export interface Printed {
  readonly text: string;
  /** Binding strength of the piece's outermost construct (PREC). */
  readonly prec: number;
  /** Ends with a function applied without delimiters (`\log x`): a following factor needs `\cdot`. */
  readonly open: boolean;
  /** Starts with a digit (a following-number juxtaposition would read as one number). */
  readonly lead: 'digit' | 'minus' | 'frac' | 'other';
  /** Starts with a function applied without delimiters (`\log x`): a preceding factor takes `\cdot`. */
  readonly head: boolean;
}

/** One printer per operator (every registry entry has one: its template unless `SPECIAL` says otherwise). */
export type LatexVisitor = {
  readonly [K in OpName]: (args: readonly Printed[], node: OpNode, print: (n: Node) => Printed) => Printed;
};

/** Tall content (fractions, roots, exponents) needs parentheses that grow with it; flat content reads better with plain ones. */
const isTall = (text: string): boolean => /\\frac|\\sqrt|\^\{|\\left\\langle/.test(text);
const wrapText = (text: string): string => (isTall(text) ? `\\left(${text}\\right)` : `(${text})`);

function piece(text: string, prec: number, open = false, head = false): Printed {
  const lead = text.startsWith('-') ? 'minus' : /^\d|^\./.test(text) ? 'digit' : text.startsWith('\\frac') ? 'frac' : 'other';
  return { text, prec, open, lead, head };
}

/** Places an argument in a slot that asks for precedence `min` (0: the template delimits it). */
function slot(arg: Printed, min: number, atStart: boolean): { text: string; wrapped: boolean } {
  if (min === 0) return { text: arg.text, wrapped: false };
  if (arg.prec < min || (!atStart && arg.lead === 'minus')) return { text: wrapText(arg.text), wrapped: true };
  return { text: arg.text, wrapped: false };
}

/** Fills the registry's template for `name` with the printed arguments. */
function fromTemplate(name: OpName, args: readonly Printed[]): Printed {
  const spec = opSpec(name).latex;
  let open = false;
  // A template's own \left( … \right) around a flat argument becomes plain ( … ).
  const template = spec.template.replace(/\\left\((#[12])\\right\)/g, (m: string, slotRef: string) => (isTall(args[Number(slotRef[1]) - 1]!.text) ? m : `(${slotRef})`));
  const text = template.replace(/( ?)#([12])/g, (m: string, space: string, d: string, offset: number) => {
    const k = Number(d) - 1;
    const min = spec.args[k] ?? 0;
    const s = slot(args[k]!, min, offset === 0);
    if (offset + m.length === template.length && min > 0 && !s.wrapped) {
      // A named function ending in a bare argument (`\log x`) is open; `-#1` is open when its argument is.
      open = template.startsWith('\\') || args[k]!.open;
    }
    // `\log #1` with a parenthesized argument reads `\log\left(…\right)`.
    return (s.wrapped ? '' : space) + s.text;
  });
  return piece(text, spec.prec, open, open && spec.template.startsWith('\\'));
}

function negativeConstant(n: Node): Rat | undefined {
  return n.kind === 'const' && n.value.n < 0n ? n.value : undefined;
}

/** `a+b`, or `a-b` when b is Neg(b') or a negative constant. */
function sum(args: readonly Printed[], node: OpNode, print: (n: Node) => Printed): Printed {
  const right = node.args[1]!;
  const c = negativeConstant(right);
  if (c) return difference(args[0]!, printConst({ n: -c.n, d: c.d }));
  if (right.kind === 'op' && right.op === 'Neg') return difference(args[0]!, print(right.args[0]!));
  return fromTemplate('Add', args);
}

function difference(a: Printed, b: Printed): Printed {
  const sub = opSpec('Sub').latex;
  const l = slot(a, sub.args[0]!, true);
  const r = slot(b, sub.args[1]!, false);
  return piece(`${l.text}-${r.text}`, sub.prec, !r.wrapped && b.open, !l.wrapped && a.head);
}

/** Juxtaposition where it reads unambiguously, `\cdot` elsewhere. */
function product(args: readonly Printed[]): Printed {
  const mul = opSpec('Mul').latex;
  const [a, b] = args as [Printed, Printed];
  const l = slot(a, mul.args[0]!, true);
  const r = slot(b, mul.args[1]!, false);
  const leftOpen = !l.wrapped && a.open;
  const rightLead = r.wrapped ? 'other' : b.lead;
  // `y \\cdot \\log x` as the paper writes it; `x \\cdot 2` and `2 \\cdot \\frac{1}{3}` are not one number.
  const dot = leftOpen || (!r.wrapped && b.head) || rightLead === 'digit' || (rightLead === 'frac' && /\d$/.test(l.text));
  return piece(`${l.text}${dot ? ' \\cdot ' : ' '}${r.text}`, mul.prec, !r.wrapped && b.open, !l.wrapped && a.head);
}

/**
 * How each operator prints: its registry entry's LaTeX template, except the
 * two whose layout depends on their arguments (a sum that absorbs a leading
 * minus, a product that juxtaposes where that reads unambiguously).
 */
const SPECIAL: Partial<LatexVisitor> = { Add: sum, Mul: product };
const visit = (name: OpName): LatexVisitor[OpName] => SPECIAL[name] ?? ((a: readonly Printed[]) => fromTemplate(name, a));

/** A rational constant: `3`, `0.25`, `\frac{1}{3}`, `-2`. */
function printConst(v: Rat): Printed {
  const d = toDecimal(v);
  if (d !== undefined) return piece(d, d.startsWith('-') ? PREC.neg : PREC.atom);
  const frac = `\\frac{${v.n < 0n ? -v.n : v.n}}{${v.d}}`;
  return v.n < 0n ? piece(`-${frac}`, PREC.neg) : piece(frac, PREC.atom);
}

function printInput(domain: Domain | undefined, name: InputName): Printed {
  const spec = domain ? DOMAINS[domain].inputs.find((i) => i.name === name) : undefined;
  // Outside its domain (or with none given) an input keeps its prefix name, in roman type.
  if (!spec) return piece(`\\mathrm{${name}}`, PREC.atom);
  const prec = spec.latexCompound === 'product' ? PREC.mul : spec.latexCompound === 'sum' ? PREC.add : PREC.atom;
  return piece(spec.latex, prec);
}

/** Printed form with its precedence facts, for printers that compose LaTeX (the rational form, derivatives). */
export function latexPiece(tree: Node, domain?: Domain): Printed {
  const memo = new Map<Node, Printed>();
  const go = (n: Node): Printed => {
    const hit = memo.get(n);
    if (hit) return hit;
    let out: Printed;
    switch (n.kind) {
      case 'const':
        out = printConst(n.value);
        break;
      case 'named':
        out = piece(NAMED_CONSTANTS[n.name].latex, PREC.atom);
        break;
      case 'input':
        out = printInput(domain, n.name);
        break;
      case 'pattern':
        out = piece(`?${n.name}`, PREC.atom);
        break;
      case 'op':
        out = visit(n.op)(n.args.map(go), n, go);
        break;
    }
    memo.set(n, out);
    return out;
  };
  return go(tree);
}

export interface LatexOptions {
  /** `raw` (default): the tree as written; `simplified`: after the symbolic engine's `simplify`. */
  readonly mode?: 'raw' | 'simplified';
}

/**
 * LaTeX of a tree in the paper's notation for `domain`: as written, or simplified.
 *
 * @example
 * toLatex(parse('Neg(Mul(Q,Log(Sig(X))))', { domain: 'binary' }).tree, 'binary')
 * // '-w y \\log \\sigma\\left(x\\right)'
 */
export function toLatex(tree: Node, domain?: Domain, options: LatexOptions = {}): string {
  if (options.mode === 'simplified') {
    if (!domain) throw new Error('toLatex: the simplified mode needs the domain');
    return latexPiece(simplify(tree, domain).tree, domain).text;
  }
  return latexPiece(tree, domain).text;
}
