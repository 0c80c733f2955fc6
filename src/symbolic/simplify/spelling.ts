/**
 * The simplifier's internal spelling. Subtraction and division are two
 * spellings of addition and multiplication by an inverse, so inside the
 * simplifier they are lowered to one form and every algebraic fact is stated
 * once (`rules/algebra.ts`):
 *
 * - Sub(a, b) is Add(a, Neg(b));
 * - Div(a, b) is Mul(a, Div(1, b)): `Div(1, ·)` is the reciprocal, the
 *   integer power −1 (the language has no power operator, and an internal
 *   one would be an operator users could write).
 *
 * `raise` prints a lowered tree back in the language's own operators:
 * Add(a, Neg(b)) as Sub(a, b), Mul(a, Div(1, b)) as Div(a, b), Neg(Div(1, b))
 * as Div(−1, b), a negative constant term as a subtraction, and constant
 * factors first (2 * x rather than x * 2). Both are pure respellings:
 * the value is the same function (guards aside: Div(a, b) and a·(1/b) differ
 * only where the 1e-20 guard matters, which the simplifier ignores, see
 * SEMANTICS.md), and `raise(lower(t))` is never larger than `t`.
 */
import { constant, op, type Node, type OpNode } from '../node.js';
import * as R from '../rational.js';

const lowered = new WeakMap<Node, Node>();
const raised = new WeakMap<Node, Node>();

/** True for the reciprocal Div(1, x) of the lowered spelling. */
export const isReciprocal = (n: Node): boolean => n.kind === 'op' && n.op === 'Div' && n.args[0]!.kind === 'const' && R.isOne(n.args[0]!.value);
/**
 * True for Div(1, c) with c a constant other than ±1: how the lowered
 * spelling divides by a constant (x / 3 is Mul(x, Div(1, 3))), kept unfolded
 * so that it raises back to a division.
 */
export const isConstantDivision = (n: Node): boolean => {
  if (!isReciprocal(n)) return false;
  const c = divisor(n);
  return c.kind === 'const' && !(c.value.d === 1n && (c.value.n === 1n || c.value.n === -1n));
};

/** x of the reciprocal Div(1, x). */
const divisor = (n: Node): Node => (n as OpNode).args[1]!;

/**
 * `tree` with every Sub and Div lowered to Add, Mul, Neg and the reciprocal.
 *
 * @example
 * toPrefix(lower(parse('Div(Sub(U,I),E)').tree)) // 'Mul(Add(U,Neg(I)),Div(1,E))'
 */
export function lower(tree: Node): Node {
  if (tree.kind !== 'op') return tree;
  const hit = lowered.get(tree);
  if (hit) return hit;
  const args = tree.args.map(lower);
  const [a, b] = args as [Node, Node];
  let out: Node;
  if (tree.op === 'Sub') out = op('Add', a, op('Neg', b));
  else if (tree.op === 'Div' && !isReciprocal(tree)) out = op('Mul', a, op('Div', constant(1), b));
  else out = args.every((x, k) => x === tree.args[k]) ? tree : op(tree.op, ...args);
  lowered.set(tree, out);
  return out;
}

/**
 * `tree` printed back in the language's operators (see the module comment).
 *
 * @example
 * toPrefix(raise(parse('Mul(Add(U,Neg(I)),Div(1,E))').tree)) // 'Div(Sub(U,I),E)'
 */
export function raise(tree: Node): Node {
  if (tree.kind !== 'op') return tree;
  const hit = raised.get(tree);
  if (hit) return hit;
  const args = tree.args.map(raise);
  const out = respell(tree.op, args) ?? (args.every((x, k) => x === tree.args[k]) ? tree : op(tree.op, ...args));
  raised.set(tree, out);
  return out;
}

const isNeg = (n: Node): n is OpNode => n.kind === 'op' && n.op === 'Neg';
/** The opposite of a negative constant, else undefined. */
const opposite = (n: Node): Node | undefined => (n.kind === 'const' && n.value.n < 0n ? constant(R.neg(n.value)) : undefined);

function respell(name: string, [a, b]: Node[]): Node | undefined {
  if (name === 'Add') {
    if (isNeg(b!)) return op('Sub', a!, b!.args[0]!);
    if (isNeg(a!)) return op('Sub', b!, a!.args[0]!);
    const nb = opposite(b!);
    if (nb && a!.kind !== 'const') return op('Sub', a!, nb);
    const na = opposite(a!);
    if (na && b!.kind !== 'const') return op('Sub', b!, na);
  } else if (name === 'Mul') {
    if (isReciprocal(b!)) return op('Div', a!, divisor(b!));
    if (isReciprocal(a!)) return op('Div', b!, divisor(a!));
    if (b!.kind === 'const' && a!.kind !== 'const') return op('Mul', b!, a!);
  } else if (name === 'Neg' && isReciprocal(a!)) {
    return op('Div', constant(-1), divisor(a!));
  }
  return undefined;
}
