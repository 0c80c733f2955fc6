/**
 * The rewrite engine: rules from `rules/` matched bottom-up, each step
 * recorded with the rule's name and its side condition. Bounded by explicit
 * limits (steps, size) and by the rules themselves never growing a tree.
 *
 * Commutative operators (registry `properties.commutative`) match with their
 * arguments in either order. A rewrite that would lower the natural shape of
 * an argument of Softmax or Dot is refused (see `shape.ts`).
 */
import type { Domain } from '../domains.js';
import { constant, instantiate, op, size, type ConstNode, type Node } from '../node.js';
import { parseTemplate } from '../parse/index.js';
import { opSpec } from '../registry.js';
import type { Rule, SideCondition } from '../rules/index.js';
import { ALL_RULES } from '../rules/index.js';
import { shapeOf } from '../shape.js';

export interface Step {
  readonly rule: string;
  readonly before: Node;
  readonly after: Node;
  /** The side condition instantiated, e.g. { kind: 'nonzero', on: U }. */
  readonly condition?: { readonly kind: SideCondition['kind']; readonly on: Node };
}

export interface RewriteLimits {
  /** Most rule applications in one call. */
  readonly maxSteps: number;
}

export const DEFAULT_LIMITS: RewriteLimits = { maxSteps: 2000 };

interface CompiledRule {
  readonly rule: Rule;
  readonly lhs: Node;
  readonly rhs: Node;
}

let compiled: CompiledRule[] | undefined;
function compiledRules(): CompiledRule[] {
  compiled ??= ALL_RULES.map((rule) => {
    const lhs = parseTemplate(rule.lhs);
    const rhs = parseTemplate(rule.rhs);
    if (size(rhs) > size(lhs)) throw new Error(`rule ${rule.name} lengthens: ${rule.lhs} => ${rule.rhs}`);
    return { rule, lhs, rhs };
  });
  return compiled;
}

/** Binds pattern variables of `pat` against `t`; repeated variables must bind the same (interned) tree. */
export function match(pat: Node, t: Node, env: Record<string, Node> = {}): Record<string, Node> | undefined {
  if (pat.kind === 'pattern') {
    const b = env[pat.name];
    if (b) return b === t ? env : undefined;
    return { ...env, [pat.name]: t };
  }
  if (pat.kind !== 'op') return pat === t ? env : undefined;
  if (t.kind !== 'op' || t.op !== pat.op) return undefined;
  const direct = matchArgs(pat.args, t.args, env);
  if (direct) return direct;
  if (pat.args.length === 2 && opSpec(pat.op).properties.commutative) return matchArgs(pat.args, [t.args[1]!, t.args[0]!], env);
  return undefined;
}

function matchArgs(ps: readonly Node[], ts: readonly Node[], env: Record<string, Node>): Record<string, Node> | undefined {
  let e: Record<string, Node> | undefined = env;
  for (let k = 0; k < ps.length && e; k++) e = match(ps[k]!, ts[k]!, e);
  return e;
}

/** The exact value of an operator on constant arguments, from the registry's `exact` facet. */
function foldConstants(n: Node): Node | undefined {
  if (n.kind !== 'op' || !n.args.every((a) => a.kind === 'const')) return undefined;
  const exact = opSpec(n.op).exact;
  const [a, b] = n.args as [ConstNode, ConstNode | undefined];
  const v = exact?.(a.value, b?.value ?? a.value);
  return v ? constant(v) : undefined;
}

/**
 * Applies the rules bottom-up until none applies or the step limit is reached.
 *
 * @example
 * rewrite(parse('Sub(1,Sig(Neg(Neg(X))))').tree, 'binary').tree // Sig(Neg(X))
 */
export function rewrite(tree: Node, domain: Domain, limits: RewriteLimits = DEFAULT_LIMITS): { tree: Node; steps: Step[] } {
  const steps: Step[] = [];
  const rules = compiledRules();
  const memo = new Map<Node, Node>();
  const atNode = (n: Node): Node => {
    for (let guard = 0; guard < 64 && steps.length < limits.maxSteps; guard++) {
      let next: Node | undefined = foldConstants(n);
      if (next) steps.push({ rule: 'fold-constants', before: n, after: next });
      for (const r of next ? [] : rules) {
        const env = match(r.lhs, n);
        if (!env) continue;
        const req = r.rule.requires;
        if (req && shapeOf(env[req.variable]!, domain) < shapeOf(env[req.than]!, domain)) continue;
        next = instantiate(r.rhs, env);
        const cond = r.rule.when;
        steps.push({ rule: r.rule.name, before: n, after: next, ...(cond ? { condition: { kind: cond.kind, on: env[cond.variable]! } } : {}) });
        break;
      }
      if (!next) return n;
      // The right side may expose new matches below: rebuild it bottom-up.
      n = next.kind === 'op' ? rebuild(next) : next;
    }
    return n;
  };
  const rebuild = (n: Node): Node => {
    if (n.kind !== 'op') return n;
    const spec = opSpec(n.op);
    const safe = n.args.map((a) => {
      const mark = steps.length;
      const b = go(a);
      if (!spec.axis || shapeOf(b, domain) === shapeOf(a, domain)) return b;
      steps.length = mark; // refused: its steps did not happen
      return a;
    });
    const same = safe.every((a, k) => a === n.args[k]);
    return atNode(same ? n : op(n.op, ...safe));
  };
  const go = (n: Node): Node => {
    const hit = memo.get(n);
    if (hit) return hit;
    const out = rebuild(n);
    memo.set(n, out);
    return out;
  };
  return { tree: go(tree), steps };
}

