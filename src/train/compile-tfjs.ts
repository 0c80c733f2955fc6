/**
 * Expression → tfjs function, built from the registry's `tensor` builders
 * only (the same guards as the float64 evaluator, in float32): constants
 * become scalars, inputs are the given tensors, Softmax and Dot act along the
 * last (class) axis. Differentiable by tfjs's autograd on every backend.
 *
 * Shapes follow the evaluator: inputs are N×C (classification) or N (reg), a
 * constant subtree stays a scalar, Dot keeps the class axis at width 1; a
 * Dot or Softmax whose argument has no class axis (a constant) is taken over
 * that single value, as `evaluate` does: the Dot of scalars is their product,
 * the Softmax of one value is 1.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { DOMAINS, type Domain, type InputName } from '../symbolic/domains.js';
import { EvalError } from '../symbolic/evaluate.js';
import type { Node } from '../symbolic/node.js';
import type { Tf } from '../symbolic/op-spec.js';
import { toNumber } from '../symbolic/rational.js';
import { NAMED_CONSTANTS, opSpec } from '../symbolic/registry.js';

export type TensorInputs = Partial<Record<InputName, tfc.Tensor>>;

export interface TfjsLoss {
  readonly tree: Node;
  readonly domain: Domain;
  /**
   * The value with its natural shape (a scalar, N×1 after Dot, or the inputs'
   * shape). Runs inside `tf.tidy`: only the result survives.
   */
  natural(tf: Tf, inputs: TensorInputs): tfc.Tensor;
  /** The value broadcast to the inputs' shape, as `evaluate` returns it. */
  full(tf: Tf, inputs: TensorInputs): tfc.Tensor;
}

/**
 * Compiles a validated tree of `domain` into tfjs.
 *
 * @example
 * const loss = compileTfjs(parse('Sub(1,Div(I,U))').tree, 'reg');
 * loss.full(tf, { I: tf.tensor1d([1, 1]), U: tf.tensor1d([2, 4]) }); // [0.5, 0.75]
 */
export function compileTfjs(tree: Node, domain: Domain): TfjsLoss {
  const classAxis = DOMAINS[domain].classAxis;
  checkTree(tree, domain, classAxis);
  const build = (tf: Tf, inputs: TensorInputs): tfc.Tensor => {
    const memo = new Map<Node, tfc.Tensor>();
    const go = (n: Node): tfc.Tensor => {
      const hit = memo.get(n);
      if (hit) return hit;
      let out: tfc.Tensor;
      switch (n.kind) {
        case 'const':
          out = tf.scalar(toNumber(n.value));
          break;
        case 'named':
          out = tf.scalar(NAMED_CONSTANTS[n.name].value);
          break;
        case 'input': {
          const t = inputs[n.name];
          if (!t) throw new EvalError(`input ${n.name} is used but not given`);
          out = t;
          break;
        }
        case 'pattern':
          throw new EvalError(`pattern variable ?${n.name} cannot be compiled`);
        case 'op': {
          const spec = opSpec(n.op);
          const args = n.args.map(go);
          if (spec.axis === 'dot' && args.every((a) => a.rank === 0)) out = tf.mul(args[0]!, args[1]!);
          else if (spec.axis === 'softmax' && args[0]!.rank === 0) out = tf.reshape(tf.softmax(tf.reshape(args[0]!, [1, 1])), []);
          else out = spec.tensor(tf, args[0]!, args[1]);
          break;
        }
      }
      memo.set(n, out);
      return out;
    };
    return go(tree);
  };
  const natural = (tf: Tf, inputs: TensorInputs): tfc.Tensor => tf.tidy(() => build(tf, inputs));
  return {
    tree,
    domain,
    natural,
    full: (tf, inputs) =>
      tf.tidy(() => {
        const v = build(tf, inputs);
        const shape = fullShape(domain, inputs);
        return v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i]) ? v : tf.broadcastTo(v, shape);
      }),
  };
}

/** The shape of the domain's inputs (all given inputs share it). */
export function fullShape(domain: Domain, inputs: TensorInputs): number[] {
  for (const spec of DOMAINS[domain].inputs) {
    const t = inputs[spec.name];
    if (t) return t.shape;
  }
  throw new EvalError(`no inputs given; domain ${domain} takes ${DOMAINS[domain].inputs.map((i) => i.name).join(', ')}`);
}

function checkTree(n: Node, domain: Domain, classAxis: boolean): void {
  if (n.kind === 'input' && !DOMAINS[domain].inputs.some((i) => i.name === n.name)) throw new EvalError(`input ${n.name} is not an input of domain ${domain}`);
  if (n.kind === 'pattern') throw new EvalError(`pattern variable ?${n.name} cannot be compiled`);
  if (n.kind !== 'op') return;
  if (opSpec(n.op).axis && !classAxis) throw new EvalError(`${n.op} needs a class axis, which domain ${domain} does not have`);
  for (const a of n.args) checkTree(a, domain, classAxis);
}
