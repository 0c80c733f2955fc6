/**
 * Light simplification: exact constant folding, dropping +0, ×1, /1, ×0,
 * double negation and moving signs outward. Cheap and local, used to keep
 * derivatives and instantiated templates readable; the full simplifier
 * (`simplify.ts`) goes further.
 *
 * It is the rewrite engine with the subset of the rules named in `LIGHT`
 * (no case of its own), in the lowered spelling, raised back to the
 * language's operators (`spelling.ts`). Its side conditions are not
 * recorded: light simplification describes the unguarded function.
 *
 * Shape rule: a rewrite that lowers the natural shape of an argument of
 * Softmax or Dot is refused (see `shape.ts`), so the function never changes.
 */
import type { Domain } from '../domains.js';
import { op, type Node } from '../node.js';
import type { OpName } from '../op-names.js';
import { ALL_RULES } from '../rules/index.js';
import { rewrite } from './rewrite.js';
import { foldTree } from './fold.js';
import { lower, raise } from './spelling.js';

const LIGHT = new Set(['double-neg', 'add-zero', 'mul-one', 'mul-zero', 'mul-minus-one', 'mul-neg-neg', 'mul-neg', 'recip-neg', 'neg-sub']);
const LIGHT_RULES = ALL_RULES.filter((r) => LIGHT.has(r.name));

/** Lowered node → its light form, per domain (shapes differ), kept across calls: derivatives build trees node by node. */
const memos: Record<Domain, WeakMap<Node, Node>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };

/**
 * Light-simplifies `tree`.
 *
 * @example
 * lightSimplify(parse('Add(Mul(1,U),0)').tree, 'reg') // U
 */
export function lightSimplify(tree: Node, domain: Domain): Node {
  return foldTree(raise(rewrite(lower(foldTree(tree)), domain, { rules: LIGHT_RULES, memo: memos[domain] }).tree));
}

/**
 * Builds `name(args)` light-simplified.
 *
 * @example
 * mk('Mul', constant(1), input('X'), 'binary') // X
 */
export function mk(name: OpName, args: readonly Node[], domain: Domain): Node {
  return lightSimplify(op(name, ...args), domain);
}
