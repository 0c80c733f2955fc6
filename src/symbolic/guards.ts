/**
 * Where the guards of SEMANTICS.md decide a value: a divisor or a log's
 * argument near 0, a square root's argument near or below 0, an Exp near its
 * clamp, or NaN. There the exact symbolic forms (which describe the
 * unguarded function) and the evaluator may differ, so numeric comparisons
 * of symbolic results skip such points.
 */
import type { Domain } from './domains.js';
import { evaluateRaw, type Inputs } from './evaluate.js';
import type { Node } from './node.js';
import { opSpec } from './registry.js';

/**
 * True when some guard is active at some element of `inputs`.
 *
 * @example
 * guardsActive(parse('Div(1,U)').tree, 'reg', { U: col([0]) }) // true
 */
export function guardsActive(tree: Node, domain: Domain, inputs: Inputs): boolean {
  const risky: Node[] = [];
  const walk = (n: Node): void => {
    if (n.kind !== 'op') return;
    for (const g of opSpec(n.op).properties.guarded ?? []) risky.push(g === 'value' ? n : n.args[g]!);
    n.args.forEach(walk);
  };
  walk(tree);
  return risky.some((g) => evaluateRaw(g, domain, inputs).data.some((v) => Math.abs(v) < 1e-6 || Math.abs(v) > 1e30 || Number.isNaN(v)));
}

