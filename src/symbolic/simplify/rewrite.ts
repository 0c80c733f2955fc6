/**
 * The rewrite engine: rules from `rules/` matched bottom-up, each step
 * recorded with the rule's name and its side condition. Bounded by explicit
 * limits (steps, size), by the rules never growing a tree (checked once
 * instantiated), and by stopping where a rewrite comes back to a tree seen.
 *
 * It works on the lowered spelling (`spelling.ts`: no Sub, Div only as the
 * reciprocal Div(1, ·)), in which the rules are written. Commutative
 * operators (registry `properties.commutative`) match with their arguments
 * in either order. A rewrite that would lower the natural shape of an
 * argument of Softmax or Dot is refused (see `shape.ts`).
 *
 * A step that drops a pattern variable bound to a reciprocal 1/x (0·(1/x) = 0)
 * records x ≠ 0, unless the rule states its own condition.
 */
import type { Domain } from '../domains.js';
import { constant, instantiate, op, size, type Node, type OpNode } from '../node.js';
import type { OpName } from '../op-names.js';
import { parseTemplate } from '../parse/index.js';
import * as R from '../rational.js';
import { opSpec } from '../registry.js';
import type { Rule, SideCondition } from '../rules/index.js';
import { ALL_RULES, requirementHolds } from '../rules/index.js';
import { shapeOf } from '../shape.js';
import { foldConstants, foldTree } from './fold.js';
import { isConstantDivision, isReciprocal, raise } from './spelling.js';

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

const DEFAULT_LIMITS: RewriteLimits = { maxSteps: 2000 };

interface Memo {
  get(n: Node): Node | undefined;
  set(n: Node, out: Node): unknown;
}

export interface RewriteOptions {
  readonly limits?: RewriteLimits;
  /** The rules to try, in order (default: all of `rules/`). */
  readonly rules?: readonly Rule[];
  /** Results of earlier calls with the same rules and domain, reused and extended (steps are not replayed). */
  readonly memo?: Memo;
}

interface CompiledRule {
  readonly rule: Rule;
  readonly lhs: OpNode;
  readonly rhs: Node;
  /** The root operator is commutative (its arguments match either way round). */
  readonly commutative: boolean;
  /** Variables of the left side absent from the right. */
  readonly dropped: readonly string[];
}

const compiledCache = new WeakMap<readonly Rule[], ReadonlyMap<OpName, readonly CompiledRule[]>>();

/** The rules parsed and indexed by the operator at their root; each checked never to lengthen, in either spelling. */
function compiledRules(rules: readonly Rule[]): ReadonlyMap<OpName, readonly CompiledRule[]> {
  const hit = compiledCache.get(rules);
  if (hit) return hit;
  const byOp = new Map<OpName, CompiledRule[]>();
  for (const rule of rules) {
    const lhs = parseTemplate(rule.lhs);
    const rhs = parseTemplate(rule.rhs);
    if (size(rhs) > size(lhs) || size(raise(rhs)) > size(raise(lhs))) throw new Error(`rule ${rule.name} lengthens: ${rule.lhs} => ${rule.rhs}`);
    if (lhs.kind !== 'op') throw new Error(`rule ${rule.name}: the left side must be an operator`);
    const kept = patternNames(rhs);
    const dropped = [...patternNames(lhs)].filter((v) => !kept.has(v));
    byOp.set(lhs.op, [...(byOp.get(lhs.op) ?? []), { rule, lhs, rhs, dropped, commutative: commutative(lhs.op) }]);
  }
  compiledCache.set(rules, byOp);
  return byOp;
}

function patternNames(t: Node, out = new Set<string>()): Set<string> {
  if (t.kind === 'pattern') out.add(t.name);
  else if (t.kind === 'op') for (const a of t.args) patternNames(a, out);
  return out;
}

const commutative = (name: OpName): boolean => opSpec(name).properties.commutative === true;

/**
 * Binds the pattern variables of `pat` against `t` into `env`; repeated
 * variables must bind the same (interned) tree. Constants match as the
 * lowered spelling writes them before folding: −3 as Neg(3), 1/3 as
 * Div(1, 3). On failure the bindings made are undone (`trail` lists them).
 */
function bind(pat: Node, t: Node, env: Record<string, Node>, trail: string[]): boolean {
  if (pat.kind === 'pattern') {
    const b = env[pat.name];
    if (b) return b === t;
    env[pat.name] = t;
    trail.push(pat.name);
    return true;
  }
  if (pat.kind !== 'op') return pat === t;
  if (t.kind === 'const') {
    // A negative constant is the negation of its opposite, a unit fraction ±1/q the reciprocal of ±q.
    const v = t.value;
    if (pat.op === 'Neg' && v.n < 0n) return bind(pat.args[0]!, constant(R.neg(v)), env, trail);
    if (isReciprocal(pat) && v.d > 1n && (v.n === 1n || v.n === -1n)) return bind(pat.args[1]!, constant(v.n * v.d), env, trail);
    return false;
  }
  if (t.kind !== 'op' || t.op !== pat.op) return false;
  const [p0, p1] = pat.args as [Node, Node | undefined];
  const [t0, t1] = t.args as [Node, Node | undefined];
  const mark = trail.length;
  if (bind(p0, t0, env, trail) && (!p1 || bind(p1, t1!, env, trail))) return true;
  undo(env, trail, mark);
  if (p1 && commutative(pat.op) && bind(p0, t1!, env, trail) && bind(p1, t0, env, trail)) return true;
  undo(env, trail, mark);
  return false;
}

function undo(env: Record<string, Node>, trail: string[], mark: number): void {
  while (trail.length > mark) delete env[trail.pop()!];
}

/** Whether pattern `p` can match `t` judging by their roots alone (see `bind` for constants). */
function rootFits(p: Node, t: Node): boolean {
  if (p.kind === 'pattern' || p === t) return true;
  if (p.kind !== 'op') return false;
  return t.kind === 'op' ? t.op === p.op : t.kind === 'const' && (p.op === 'Neg' || p.op === 'Div');
}

/** A cheap filter before `bind`: the arguments' roots fit, in some order. */
function argsMayFit(r: CompiledRule, t: OpNode): boolean {
  const ps = r.lhs.args;
  const t0 = t.args[0]!;
  if (ps.length === 1) return rootFits(ps[0]!, t0);
  const t1 = t.args[1]!;
  return (rootFits(ps[0]!, t0) && rootFits(ps[1]!, t1)) || (r.commutative && rootFits(ps[0]!, t1) && rootFits(ps[1]!, t0));
}

/** The side condition a step of `r` under `env` records, if any. */
function conditionOf(r: CompiledRule, env: Record<string, Node>): Step['condition'] {
  const cond = r.rule.when;
  if (cond) {
    const on = env[cond.variable]!;
    // A nonzero constant needs no condition (1/(1/3) = 3).
    return cond.kind === 'nonzero' && on.kind === 'const' && on.value.n !== 0n ? undefined : { kind: cond.kind, on };
  }
  for (const v of r.dropped) {
    const t = env[v]!;
    if (isReciprocal(t) && (t as OpNode).args[1]!.kind !== 'const') return { kind: 'nonzero', on: (t as OpNode).args[1]! };
  }
  return undefined;
}

/**
 * Applies the rules bottom-up until none applies or the step limit is
 * reached. `tree` and the result are in the lowered spelling (`lower` it
 * first, `raise` the result to print it).
 *
 * @example
 * raise(rewrite(lower(parse('Sub(1,Sig(Neg(Neg(X))))').tree), 'binary').tree) // Sig(Neg(X))
 */
export function rewrite(tree: Node, domain: Domain, options: RewriteOptions = {}): { tree: Node; steps: Step[] } {
  const steps: Step[] = [];
  const limits = options.limits ?? DEFAULT_LIMITS;
  const rules = compiledRules(options.rules ?? ALL_RULES);
  const memo = options.memo ?? new Map<Node, Node>();
  const atNode = (n: Node): Node => {
    const seen = new Set<Node>();
    for (let guard = 0; guard < 64 && steps.length < limits.maxSteps; guard++) {
      // A rewrite that comes back to a tree seen before is a cycle (regrouping back and forth): stop there.
      if (seen.has(n)) return n;
      seen.add(n);
      if (n.kind !== 'op') return n;
      // Div(1, c) is how the lowered spelling divides by a constant: it stays.
      let next: Node | undefined = isConstantDivision(n) ? undefined : foldConstants(n.op, n.args);
      if (next) steps.push({ rule: 'fold-constants', before: n, after: next });
      for (const r of next ? [] : (rules.get(n.op) ?? [])) {
        if (!argsMayFit(r, n)) continue;
        const env: Record<string, Node> = {};
        if (!bind(r.lhs, n, env, []) || !requirementHolds(r.rule.requires, env, domain)) continue;
        next = foldTree(instantiate(r.rhs, env), true);
        // Only a constant matched as Neg(c) or Div(1, c) can make the right side the larger.
        if (size(next) > size(n)) {
          next = undefined;
          continue;
        }
        const condition = conditionOf(r, env);
        steps.push({ rule: r.rule.name, before: n, after: next, ...(condition ? { condition } : {}) });
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

