/**
 * Expression → tfjs function: the lowered plan's value steps (`lower.ts`),
 * each built by its registry entry's `tensor` builder (the same guards as
 * the float64 evaluator, in float32): constants become scalars, inputs are
 * the given tensors, axis ops act along the last (class) axis.
 * Differentiable by tfjs's autograd on every backend.
 *
 * Shapes follow the evaluator: inputs are N×C (classification) or N (reg), a
 * constant subtree stays a scalar, Dot keeps the class axis at width 1; an
 * axis op whose arguments have no class axis (constants) is taken over that
 * single value, as `evaluate` does: its builder runs on the values as 1×1
 * and the result is a scalar again.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { DOMAINS, type Domain, type InputName } from '../symbolic/domains.js';
import { EvalError } from '../symbolic/evaluate.js';
import { lower } from '../symbolic/lower.js';
import type { Node } from '../symbolic/node.js';
import type { Tf } from '../symbolic/op-spec.js';

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
  const plan = lower(tree, domain);
  const build = (tf: Tf, inputs: TensorInputs): tfc.Tensor => {
    const vals = new Array<tfc.Tensor>(plan.steps.length);
    plan.steps.forEach((s, k) => {
      switch (s.kind) {
        case 'const':
          vals[k] = tf.scalar(s.value);
          break;
        case 'input': {
          const t = inputs[s.name];
          if (!t) throw new EvalError(`input ${s.name} is used but not given`);
          vals[k] = t;
          break;
        }
        case 'op': {
          const args = s.args.map((j) => vals[j]!);
          if (s.spec.axis && args.every((a) => a.rank === 0)) {
            const one = args.map((a) => tf.reshape(a, [1, 1]));
            vals[k] = tf.reshape(s.spec.tensor(tf, one[0]!, one[1]), []);
          } else vals[k] = s.spec.tensor(tf, args[0]!, args[1]);
          break;
        }
        default:
          throw new EvalError(`a value plan has no ${s.kind} step`);
      }
    });
    return vals[plan.root]!;
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
