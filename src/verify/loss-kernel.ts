/**
 * A loss compiled once for verification: its value and its gradient with
 * respect to the inputs the properties look at (u, i, e for regression; the
 * logits x for classification), per sample row.
 */
import { resolveLoss } from '../symbolic/builtins.js';
import { compileKernel, type CompiledKernel } from '../symbolic/compile-js.js';
import type { Domain, InputName } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';

/** A loss as the verifier accepts it: an expression or built-in name, or a parsed tree with its domain. */
export type LossLike = string | { readonly tree: Node; readonly domain: Domain };

export interface KernelRun {
  /** rows×cols, the value broadcast over classes as `evaluate` gives it. */
  readonly value: Float64Array;
  /** ∂(Σ value)/∂input for each differentiated input. */
  readonly grads: Partial<Record<InputName, Float64Array>>;
}

export class LossKernel {
  readonly kernel: CompiledKernel;
  readonly wrt: readonly InputName[];

  constructor(
    readonly tree: Node,
    readonly domain: Domain,
  ) {
    this.wrt = domain === 'reg' ? ['U', 'I', 'E'] : ['X'];
    this.kernel = compileKernel(tree, domain, { wrt: this.wrt });
  }

  /**
   * Parses (when given text) and compiles a loss.
   *
   * @example
   * LossKernel.from('giou').run({ U: Float64Array.of(2), I: Float64Array.of(1), E: Float64Array.of(3) }, 1, 1).value // [1 - 1/2 + 1/3]
   */
  static from(loss: LossLike, domain?: Domain): LossKernel {
    if (typeof loss === 'string') {
      const r = resolveLoss(loss, domain ? { domain } : {});
      return new LossKernel(r.tree, r.domain);
    }
    return new LossKernel(loss.tree, loss.domain);
  }

  run(inputs: Partial<Record<InputName, Float64Array>>, rows: number, cols: number): KernelRun {
    const value = new Float64Array(rows * cols);
    const grads: Partial<Record<InputName, Float64Array>> = {};
    for (const w of this.wrt) grads[w] = new Float64Array(rows * cols);
    this.kernel.run(inputs, rows, cols, { value, grads });
    return { value, grads };
  }
}
