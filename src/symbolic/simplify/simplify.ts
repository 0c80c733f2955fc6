/**
 * The simplifier: rewrite rules (`rules/`) and the exact rational normal
 * form, alternated until nothing changes. Each step is recorded with its
 * rule name and side condition. The result is never larger than the input
 * (if a pass would grow it, the input is returned) and is numerically equal
 * to it on the domain wherever the guards are inactive: the rules and the
 * rational form describe the unguarded function, for generic inputs.
 *
 * The tree is lowered once (`spelling.ts`: Sub and Div become Add, Mul, Neg
 * and the reciprocal), rewritten and normalised in that spelling, and raised
 * back to the language's operators at the end.
 */
import { toInfix } from '../../render/infix.js';
import { EXP_CLAMP } from '../constants.js';
import type { Domain } from '../domains.js';
import { op, size, type Node } from '../node.js';
import { constValue } from '../poly/poly.js';
import { formToTree, rationalForm } from '../poly/rational-form.js';
import { FormTooLarge, ZeroDivision } from '../poly/ratfunc.js';
import { ALL_OPS, opSpec } from '../registry.js';
import { shapeOf } from '../shape.js';
import { rewrite, type Step } from './rewrite.js';
import { foldTree } from './fold.js';
import { isReciprocal, lower, raise } from './spelling.js';

const RATIONAL: ReadonlySet<string> = new Set(ALL_OPS.filter((o) => o.properties.rational).map((o) => o.name));

export interface Simplified {
  readonly tree: Node;
  readonly steps: readonly Step[];
  /** Side conditions of the steps taken, as text: `u ≠ 0`. Deduplicated. */
  readonly conditions: readonly string[];
}

export interface SimplifyOptions {
  /** Rounds of rules + rational form. Default 6. */
  readonly maxRounds?: number;
  /** Skip the rational normal form (rules only). */
  readonly rulesOnly?: boolean;
}

/**
 * Simplifies an expression.
 *
 * @example
 * simplify(parse('Div(Mul(U,I),U)').tree, 'reg') // { tree: I, conditions: ['u ≠ 0'], … }
 */
export function simplify(tree: Node, domain: Domain, options: SimplifyOptions = {}): Simplified {
  const lowered: Step[] = [];
  let t = lower(foldTree(tree));
  for (let round = 0; round < (options.maxRounds ?? 6); round++) {
    const r = rewrite(t, domain);
    lowered.push(...r.steps);
    const next = options.rulesOnly ? r.tree : rationalStep(r.tree, domain, lowered);
    if (next === t) break;
    t = next;
  }
  const out = foldTree(raise(t));
  // Nothing applied: a respelling alone is kept only where it is shorter.
  if (size(out) > size(tree) || (lowered.length === 0 && size(out) === size(tree))) return { tree, steps: [], conditions: [] };
  const steps = lowered.map((s): Step => ({ ...s, before: raise(s.before), after: raise(s.after), ...(s.condition ? { condition: { ...s.condition, on: raise(s.condition.on) } } : {}) }));
  const conditions = [...new Set(steps.flatMap((s) => (s.condition ? [conditionText(s.condition, domain)] : [])))];
  return { tree: out, steps, conditions };
}

function conditionText(c: NonNullable<Step['condition']>, domain: Domain): string {
  const x = toInfix(c.on, domain);
  return c.kind === 'nonzero' ? `${x} ≠ 0` : `${x} ≤ ${EXP_CLAMP}`;
}

/** Replaces maximal rational subtrees (lowered) by their normal form (lowered) where that is smaller once raised. */
function rationalStep(tree: Node, domain: Domain, steps: Step[]): Node {
  const memo = new Map<Node, Node>();
  const go = (n: Node): Node => {
    if (n.kind !== 'op') return n;
    const hit = memo.get(n);
    if (hit) return hit;
    let out: Node | undefined;
    // −x and 1/x have no form shorter than x's own: reduce x instead.
    if (RATIONAL.has(n.op) && n.op !== 'Neg' && !isReciprocal(n)) {
      const nf = normalForm(n, domain);
      if (nf && size(nf.tree) < size(raise(n))) {
        out = lower(nf.tree);
        steps.push(...nf.steps.map((s) => ({ ...s, after: lower(s.after) })));
      }
    }
    if (!out) {
      const spec = opSpec(n.op);
      const args = n.args.map((a) => {
        const mark = steps.length;
        const b = go(a);
        if (!spec.axis || shapeOf(b, domain) === shapeOf(a, domain)) return b;
        steps.length = mark; // refused: its steps did not happen
        return a;
      });
      out = args.every((a, k) => a === n.args[k]) ? n : op(n.op, ...args);
    }
    memo.set(n, out);
    return out;
  };
  return go(tree);
}

/** The rational normal form of `n` as a tree, recording the divisors it cancelled as conditions. */
function normalForm(n: Node, domain: Domain): { tree: Node; steps: Step[] } | undefined {
  let cand: Node;
  let den: Node;
  try {
    // A smaller budget than the default: a form this large would not be shorter anyway.
    const f = rationalForm(n, domain, { maxTerms: 2000 });
    cand = formToTree(f);
    den = formToTree({ ...f, numerator: f.denominator, denominator: { terms: [{ m: [], c: 1n }] } });
  } catch (e) {
    if (e instanceof ZeroDivision || e instanceof FormTooLarge) return undefined;
    throw e;
  }
  const local: Step[] = [];
  for (const d of divisors(n)) {
    // d's zeros are excluded only if d still divides the result's denominator.
    try {
      const q = rationalForm(op('Div', den, d), domain);
      if (constValue(q.denominator) === undefined) local.push({ rule: 'cancel-common-factor', before: n, after: cand, condition: { kind: 'nonzero', on: d } });
    } catch {
      // d is identically zero: normalForm already failed above in that case.
    }
  }
  local.push({ rule: 'rational-normal-form', before: n, after: cand });
  return { tree: cand, steps: local };
}

/** Non-constant divisors of Div nodes in a rational subtree (not inside atoms). */
function divisors(n: Node): Node[] {
  const out = new Set<Node>();
  const walk = (m: Node): void => {
    if (m.kind !== 'op' || !RATIONAL.has(m.op)) return;
    if (m.op === 'Div' && m.args[1]!.kind !== 'const') out.add(m.args[1]!);
    m.args.forEach(walk);
  };
  walk(n);
  return [...out];
}
