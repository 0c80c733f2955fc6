/**
 * Natural shapes of subtrees, as the evaluator gives them before the final
 * broadcast: a constant is a scalar, an input a row (reg) or a full N×C
 * matrix (classification), Dot keeps the class axis at width 1.
 *
 * Only Softmax and Dot can tell a row from a full matrix whose classes hold
 * equal values (softmax of C equal values is 1/C, of one value is 1), so any
 * rewrite that lowers the shape of an axis operator's argument changes the
 * function. The symbolic passes use `shapeOf` to refuse such rewrites.
 */
import { DOMAINS, type Domain } from './domains.js';
import type { Node } from './node.js';
import { opSpec } from './registry.js';

/** 0: scalar (1×1), 1: one value per sample (N×1), 2: one per sample and class (N×C). */
export type Shape = 0 | 1 | 2;

const caches: Record<Domain, WeakMap<Node, Shape>> = { multi: new WeakMap(), binary: new WeakMap(), reg: new WeakMap() };

/**
 * The natural shape of `node` in `domain`.
 *
 * @example
 * shapeOf(parse('Dot(X,Y)').tree, 'multi') // 1
 */
export function shapeOf(node: Node, domain: Domain): Shape {
  if (node.kind === 'input') return DOMAINS[domain].classAxis ? 2 : 1;
  if (node.kind !== 'op') return 0;
  const cache = caches[domain];
  const hit = cache.get(node);
  if (hit !== undefined) return hit;
  let s = 0 as Shape;
  for (const a of node.args) s = Math.max(s, shapeOf(a, domain)) as Shape;
  if (opSpec(node.op).axis === 'dot' && s === 2) s = 1;
  cache.set(node, s);
  return s;
}
