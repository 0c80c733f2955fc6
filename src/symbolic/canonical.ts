/**
 * Canonical form and a stable hash: trees equal up to commutativity,
 * associativity and rational normalisation (including constant folding and
 * cancellation of common factors, for generic inputs) have the same
 * canonical tree and therefore the same hash.
 *
 * The canonical tree is the rational normal form (`poly/rational-form.ts`),
 * whose atoms have canonical arguments and sorted commutative arguments. No
 * rewrite rules are applied: rules are not confluent with the normal form,
 * and applying them could send two rationally equal trees to different
 * forms. Where a tree has no rational form (a divisor identically zero, or a
 * form past the term budget) the canonical tree is the tree with the
 * arguments of commutative operators sorted.
 */
import { createHash } from 'node:crypto';
import { toPrefix } from '../render/prefix.js';
import type { Domain } from './domains.js';
import { op, type Node } from './node.js';
import { formToTree, rationalForm } from './poly/rational-form.js';
import { FormTooLarge, ZeroDivision } from './poly/ratfunc.js';
import { opSpec } from './registry.js';

const caches: Record<Domain, WeakMap<Node, Node>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };

/**
 * The canonical tree of `tree` in `domain`.
 *
 * @example
 * canonical(parse('Add(I,Mul(U,1))').tree, 'reg') === canonical(parse('Add(U,I)').tree, 'reg') // true
 */
export function canonical(tree: Node, domain: Domain): Node {
  const cache = caches[domain];
  const hit = cache.get(tree);
  if (hit) return hit;
  let out: Node;
  try {
    out = formToTree(rationalForm(tree, domain));
  } catch (e) {
    if (!(e instanceof ZeroDivision || e instanceof FormTooLarge)) throw e;
    out = sortCommutative(tree);
  }
  cache.set(tree, out);
  return out;
}

function sortCommutative(tree: Node): Node {
  if (tree.kind !== 'op') return tree;
  const args = tree.args.map(sortCommutative);
  if (args.length === 2 && opSpec(tree.op).properties.commutative && toPrefix(args[0]!) > toPrefix(args[1]!)) args.reverse();
  return op(tree.op, ...args);
}

/**
 * A stable 64-bit hash (16 hex digits) of the canonical form and the domain:
 * the same across runs and machines.
 *
 * @example
 * canonicalHash(parse('1 - i/u').tree, 'reg') === canonicalHash(parse('(u - i)/u').tree, 'reg') // true
 */
export function canonicalHash(tree: Node, domain: Domain): string {
  return createHash('sha256').update(`${domain}\n${toPrefix(canonical(tree, domain))}`).digest('hex').slice(0, 16);
}
