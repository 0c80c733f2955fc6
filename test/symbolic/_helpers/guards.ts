/**
 * Where the guards of SEMANTICS.md decide a value (a divisor or a log's
 * argument near 0, a square root's argument below 0, an Exp near its clamp),
 * the exact symbolic forms and the evaluator may differ; property tests skip
 * those points.
 */
import type { Domain } from '../../../src/symbolic/domains.js';
import { evaluateRaw, type Inputs } from '../../../src/symbolic/evaluate.js';
import type { Node } from '../../../src/symbolic/node.js';

export function guardsActive(tree: Node, domain: Domain, inputs: Inputs): boolean {
  const risky: Node[] = [];
  const walk = (n: Node): void => {
    if (n.kind !== 'op') return;
    if (n.op === 'Div') risky.push(n.args[1]!);
    if (n.op === 'Log' || n.op === 'Sqrt') risky.push(n.args[0]!);
    if (n.op === 'Exp') risky.push(n);
    n.args.forEach(walk);
  };
  walk(tree);
  return risky.some((g) => evaluateRaw(g, domain, inputs).data.some((v) => Math.abs(v) < 1e-6 || Math.abs(v) > 1e30 || Number.isNaN(v)));
}

/** |a−b| ≤ tol·(1+|b|) wherever both are finite, and non-finite at the same places otherwise. */
export function closeOnBatch(a: Float64Array, b: Float64Array, tol: number): boolean {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (Math.abs(x - y) > tol * (1 + Math.abs(y))) return false;
  }
  return true;
}
