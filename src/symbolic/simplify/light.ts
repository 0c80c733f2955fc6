/**
 * Light simplification: exact constant folding through the registry's `exact`
 * facets, dropping +0, ×1, /1, double negation, and ×0. Cheap and local, used
 * to keep derivatives and instantiated templates readable; the full simplifier
 * (`simplify.ts`) goes further.
 *
 * Shape rule: a rewrite that lowers the natural shape of an argument of
 * Softmax or Dot is refused (see `shape.ts`), so the function never changes.
 */
import type { Domain } from '../domains.js';
import { constant, op, type Node } from '../node.js';
import type { OpName } from '../op-names.js';
import * as R from '../rational.js';
import { opSpec } from '../registry.js';
import { shapeOf } from '../shape.js';

const isConst = (n: Node, v?: number): boolean => n.kind === 'const' && (v === undefined || R.equals(n.value, R.rat(v)));

/**
 * Builds `name(args)` applying the local rules. Arguments are assumed already light.
 *
 * @example
 * mk('Mul', constant(1), input('X')) // X
 */
export function mk(name: OpName, ...args: Node[]): Node {
  const [a, b] = args as [Node, Node | undefined];
  const spec = opSpec(name);
  if (spec.exact && a.kind === 'const' && (spec.arity === 1 || b!.kind === 'const')) {
    const v = spec.exact(a.value, b?.kind === 'const' ? b.value : R.ZERO);
    if (v) return constant(v);
  }
  switch (name) {
    case 'Add':
      if (isConst(a, 0)) return b!;
      if (isConst(b!, 0)) return a;
      if (b!.kind === 'op' && b!.op === 'Neg') return mk('Sub', a, b!.args[0]!);
      if (b!.kind === 'const' && b!.value.n < 0n) return op('Sub', a, constant(R.neg(b!.value)));
      break;
    case 'Sub':
      if (isConst(b!, 0)) return a;
      if (isConst(a, 0)) return mk('Neg', b!);
      if (b!.kind === 'op' && b!.op === 'Neg') return mk('Add', a, b!.args[0]!);
      break;
    case 'Mul':
      if (isConst(a, 0) || isConst(b!, 0)) return constant(0);
      if (isConst(a, 1)) return b!;
      if (isConst(b!, 1)) return a;
      if (isConst(a, -1)) return mk('Neg', b!);
      if (isConst(b!, -1)) return mk('Neg', a);
      if (a.kind === 'op' && a.op === 'Neg') return mk('Neg', mk('Mul', a.args[0]!, b!));
      if (b!.kind === 'op' && b!.op === 'Neg') return mk('Neg', mk('Mul', a, b!.args[0]!));
      // Constants first: 2*x rather than x*2.
      if (b!.kind === 'const' && a.kind !== 'const') return op('Mul', b!, a);
      break;
    case 'Div':
      if (isConst(a, 0)) return constant(0);
      if (isConst(b!, 1)) return a;
      if (isConst(b!, -1)) return mk('Neg', a);
      if (a.kind === 'op' && a.op === 'Neg') return mk('Neg', mk('Div', a.args[0]!, b!));
      if (b!.kind === 'op' && b!.op === 'Neg') return mk('Neg', mk('Div', a, b!.args[0]!));
      break;
    case 'Neg':
      if (a.kind === 'op' && a.op === 'Neg') return a.args[0]!;
      if (a.kind === 'op' && a.op === 'Sub') return op('Sub', a.args[1]!, a.args[0]!);
      break;
    default:
      break;
  }
  return op(name, ...args);
}

/**
 * Rebuilds `tree` bottom-up through `mk`.
 *
 * @example
 * lightSimplify(parse('Add(Mul(1,U),0)').tree, 'reg') // U
 */
export function lightSimplify(tree: Node, domain: Domain): Node {
  const memo = new Map<Node, Node>();
  const go = (n: Node): Node => {
    if (n.kind !== 'op') return n;
    const hit = memo.get(n);
    if (hit) return hit;
    let args = n.args.map(go);
    if (opSpec(n.op).axis) args = args.map((a, k) => keepShape(n.args[k]!, a, domain));
    const out = mk(n.op, ...args);
    memo.set(n, out);
    return out;
  };
  return go(tree);
}

/** `next` if it has the natural shape of `prev`, else `prev` (for arguments of axis operators). */
export function keepShape(prev: Node, next: Node, domain: Domain): Node {
  return shapeOf(next, domain) === shapeOf(prev, domain) ? next : prev;
}
