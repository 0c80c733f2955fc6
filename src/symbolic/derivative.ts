/**
 * Exact partial derivatives, built only from the registry: each elementwise
 * operator's `derivative` templates (local partials over ?a, ?b) and the axis
 * operators' `vjp` templates (over the cotangent ?g).
 *
 * The derivative of a tree with respect to an input is the gradient of the
 * sum of the tree's natural-shape output (Dot's result counted once per
 * sample, not once per class). For an elementwise tree that is exactly the
 * elementwise derivative. It is computed in reverse mode over the interned
 * DAG, so a shared subtree is differentiated once.
 *
 * Broadcasting: when an N×1 argument meets an N×C one, its cotangent is the
 * sum over classes of the contribution, `Dot(k, 1)`; a contribution that does
 * not itself vary over classes sums to C·k, with C written as a tree
 * (`Dot(1, Add(Mul(0, X), 1))`, the number of classes) because the language
 * has no symbol for it.
 *
 * Like the templates, the result describes the unguarded function (no 1e-20,
 * no clamp); at a kink (Relu, Abs at 0) the evaluator's guarded Div gives the
 * subgradient 0.
 */
import { DOMAINS, type Domain, type InputName } from './domains.js';
import { constant, input, instantiate, inputsOf, op, type Node } from './node.js';
import { parseTemplate } from './parse/index.js';
import { opSpec } from './registry.js';
import { shapeOf } from './shape.js';
import { lightSimplify, mk } from './simplify/light.js';

const templateCache = new Map<string, Node>();
function template(src: string): Node {
  let t = templateCache.get(src);
  if (!t) {
    t = parseTemplate(src);
    templateCache.set(src, t);
  }
  return t;
}

/** The number of classes C as a tree of the domain (a full N×C matrix of ones, summed over classes). */
function classCount(domain: Domain): Node {
  const x = input(DOMAINS[domain].inputs[0]!.name);
  return op('Dot', constant(1), op('Add', op('Mul', constant(0), x), constant(1)));
}

/**
 * ∂(Σ tree)/∂wrt as a lightly simplified tree of the same domain.
 *
 * @example
 * toPrefix(derivative(parse('Log(Sig(X))', { domain: 'binary' }).tree, 'X', 'binary'))
 * // 'Mul(Div(1,Sig(X)),Mul(Sig(X),Sub(1,Sig(X))))'
 */
export function derivative(tree: Node, wrt: InputName, domain: Domain): Node {
  if (!inputsOf(tree).has(wrt)) return constant(0);
  // Unique nodes that depend on wrt, children before parents.
  const order: Node[] = [];
  const seen = new Set<Node>();
  const visit = (n: Node): void => {
    if (seen.has(n) || !inputsOf(n).has(wrt)) return;
    seen.add(n);
    if (n.kind === 'op') for (const a of n.args) visit(a);
    order.push(n);
  };
  visit(tree);

  const cot = new Map<Node, Node>([[tree, constant(1)]]);
  const give = (target: Node, k: Node, semantic: number): void => {
    if (!inputsOf(target).has(wrt)) return;
    if (k.kind === 'const' && k.value.n === 0n) return;
    if (shapeOf(target, domain) < semantic) {
      k = shapeOf(k, domain) === 2 ? mk('Dot', [k, constant(1)], domain) : mk('Mul', [classCount(domain), k], domain);
    }
    const prev = cot.get(target);
    cot.set(target, prev ? mk('Add', [prev, k], domain) : k);
  };

  for (let j = order.length - 1; j >= 0; j--) {
    const n = order[j]!;
    const g = cot.get(n);
    if (!g || n.kind !== 'op') continue;
    const spec = opSpec(n.op);
    const [a, b] = n.args as [Node, Node | undefined];
    const bind: Record<string, Node> = { a, g };
    if (b) bind['b'] = b;
    const semantic = Math.max(...n.args.map((x) => shapeOf(x, domain)));
    if (spec.vjp) {
      spec.vjp.forEach((t, k) => give(n.args[k]!, lightSimplify(instantiate(template(t), bind), domain), semantic));
    } else {
      spec.derivative.forEach((t, k) => give(n.args[k]!, mk('Mul', [g, lightSimplify(instantiate(template(t), bind), domain)], domain), semantic));
    }
  }
  return cot.get(input(wrt)) ?? constant(0);
}
