/**
 * A loss compiled once for verification: its value and its gradient with
 * respect to the inputs the properties look at (u, i, e for regression; the
 * logits x for classification), per sample row.
 */
import { resolveLoss } from '../symbolic/builtins.js';
import { compileKernel, type CompiledKernel } from '../symbolic/compile-js.js';
import type { Domain, InputName } from '../symbolic/domains.js';
import { lower } from '../symbolic/lower.js';
import type { Node } from '../symbolic/node.js';
import { tapeKernel, TapeWorkspace } from './tape-kernel.js';

/**
 * How a loss is executed: `tape` interprets it over the batch with shared
 * loops (cheapest for a one-shot check of a candidate), `jit` generates
 * JavaScript for it (cheapest when it runs many times).
 */
export type KernelBackend = 'tape' | 'jit';

/** A loss as the verifier accepts it: an expression or built-in name, or a parsed tree with its domain. */
export type LossLike = string | { readonly tree: Node; readonly domain: Domain };

export interface KernelRun {
  /** rows×cols, the value broadcast over classes as `evaluate` gives it. */
  readonly value: Float64Array;
  /** ∂(Σ value)/∂input for each differentiated input. */
  readonly grads: Partial<Record<InputName, Float64Array>>;
}

export class LossKernel {
  readonly wrt: readonly InputName[];
  private full?: CompiledKernel;
  private valueOnly?: CompiledKernel;

  constructor(
    readonly tree: Node,
    readonly domain: Domain,
    readonly backend: KernelBackend = 'tape',
    /** The tape's intermediate values; pass one to share it between kernels that do not run concurrently. */
    private readonly workspace: TapeWorkspace = new TapeWorkspace(),
  ) {
    this.wrt = domain === 'reg' ? ['U', 'I', 'E'] : ['X'];
    // Validates the tree against the domain now, so that a bad loss fails here rather than mid-check.
    this.valueOnly = this.build([]);
  }

  private build(wrt: readonly InputName[]): CompiledKernel {
    return this.backend === 'jit' ? compileKernel(this.tree, this.domain, { wrt }) : tapeKernel(lower(this.tree, this.domain, { wrt }), this.workspace);
  }

  /** The value-and-gradient kernel, built on first use: most candidates are rejected on values alone. */
  get kernel(): CompiledKernel {
    return (this.full ??= this.build(this.wrt));
  }

  /** The same loss on another backend. */
  on(backend: KernelBackend): LossKernel {
    return backend === this.backend ? this : new LossKernel(this.tree, this.domain, backend);
  }

  /**
   * Parses (when given text) and compiles a loss.
   *
   * @example
   * LossKernel.from('giou').run({ U: Float64Array.of(2), I: Float64Array.of(1), E: Float64Array.of(3) }, 1, 1).value // [1 - 1/2 + 1/3]
   */
  static from(loss: LossLike, domain?: Domain, backend: KernelBackend = 'tape'): LossKernel {
    if (typeof loss === 'string') {
      const r = resolveLoss(loss, domain ? { domain } : {});
      return new LossKernel(r.tree, r.domain, backend);
    }
    return new LossKernel(loss.tree, loss.domain, backend);
  }

  /**
   * Value and gradients on rows×cols inputs; `into` reuses arrays of at least
   * that size. With `gradients` false only the value is computed (the
   * gradient arrays are left as they were).
   */
  run(inputs: Partial<Record<InputName, Float64Array>>, rows: number, cols: number, into?: KernelRun, gradients = true): KernelRun {
    const n = rows * cols;
    const value = into && into.value.length >= n ? into.value : new Float64Array(n);
    const grads: Partial<Record<InputName, Float64Array>> = {};
    for (const w of this.wrt) {
      const g = into?.grads[w];
      grads[w] = g && g.length >= n ? g : new Float64Array(n);
    }
    if (gradients) this.kernel.run(inputs, rows, cols, { value, grads });
    else this.valueOnly!.run(inputs, rows, cols, { value });
    return { value, grads };
  }
}
