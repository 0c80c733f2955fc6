/**
 * Exact constant folding, in one place: an operator applied to constants is
 * replaced by its exact rational value where the registry entry's `exact`
 * facet gives one (Add(1,2) is 3, Sig(0) is 1/2, Log(2) stays). The rewrite
 * engine, light simplification and the rational form's atoms all fold here.
 */
import { constant, op, type ConstNode, type Node } from '../node.js';
import type { OpName } from '../op-names.js';
import * as R from '../rational.js';
import { opSpec } from '../registry.js';
import { isConstantDivision } from './spelling.js';

/**
 * The constant `name(args)` equals, or undefined when an argument is not a
 * constant or the value is not rational (or not defined, as 1/0).
 *
 * @example
 * foldConstants('Div', [constant(1), constant(3)]) // the constant 1/3
 */
export function foldConstants(name: OpName, args: readonly Node[]): ConstNode | undefined {
  const exact = opSpec(name).exact;
  if (!exact) return undefined;
  const [a, b] = args;
  if (a?.kind !== 'const' || (b && b.kind !== 'const')) return undefined;
  const v = exact(a.value, b?.kind === 'const' ? b.value : R.ZERO);
  return v ? constant(v) : undefined;
}

const folded = new WeakMap<Node, Node>();

const foldedLowered = new WeakMap<Node, Node>();

/**
 * `tree` with every operator on constants folded, bottom-up. With
 * `lowered`, the reciprocal of a constant, Div(1, c) (c ≠ ±1), stays: in the
 * simplifier's lowered spelling it is how a division by c is written
 * (`spelling.ts`), and is folded once the tree is raised.
 *
 * @example
 * foldTree(parse('Add(U,Neg(Div(1,4)))').tree) // Add(U,-0.25)
 */
export function foldTree(tree: Node, lowered = false): Node {
  if (tree.kind !== 'op') return tree;
  const cache = lowered ? foldedLowered : folded;
  const hit = cache.get(tree);
  if (hit) return hit;
  const args = tree.args.map((a) => foldTree(a, lowered));
  const out = (lowered && isConstantDivision(tree) ? undefined : foldConstants(tree.op, args)) ?? (args.every((a, k) => a === tree.args[k]) ? tree : op(tree.op, ...args));
  cache.set(tree, out);
  return out;
}
