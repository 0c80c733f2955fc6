/**
 * SGD with momentum and Adam over named variables, with every slot held in
 * plain tensors so a checkpoint can store the exact optimizer state and a
 * resumed run continues bit-for-bit. Gradients are clipped by global norm
 * first; weight decay is L2 added to the gradient (as PyTorch's SGD does).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { tf } from '../detect/tf.js';
import { hostKernel } from './host-kernel.js';

export type OptimizerKind = 'sgd' | 'adam';

export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  readonly momentum: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Global gradient-norm clip; 0 disables. */
  readonly clipNorm: number;
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, clipNorm: 10 };

/** The serialisable state: update count and, per parameter, its slots (momentum; or Adam's m and v). */
export interface OptimizerState {
  readonly kind: OptimizerKind;
  readonly t: number;
  readonly slots: Record<string, Float32Array[]>;
}

/**
 * The update runs as one plain loop over each parameter's values rather
 * than as tensor ops: a dozen element-wise kernels per parameter tensor (an
 * Adam step of a detector was several hundred kernel calls) become one pass,
 * and the slots live in Float32Arrays that a checkpoint stores as they are.
 */
export class Optimizer {
  private t = 0;
  private readonly slots = new Map<string, Float32Array[]>();
  constructor(readonly cfg: OptimizerConfig) {}

  get updates(): number {
    return this.t;
  }

  /**
   * One update of `params` by `grads` (keyed by parameter name) at rate `lr`.
   * Returns the gradient norm before clipping.
   */
  step(params: readonly [string, tfc.Variable][], grads: ReadonlyMap<string, tfc.Tensor>, lr: number): number {
    const arrays = new Map<string, Float32Array>();
    for (const [name] of params) {
      const g = grads.get(name);
      if (g) arrays.set(name, g.dataSync() as Float32Array);
    }
    return this.stepArrays(params, arrays, lr);
  }

  /** `step` with the gradients as plain arrays (e.g. summed over data-parallel workers). */
  stepArrays(params: readonly [string, tfc.Variable][], grads: ReadonlyMap<string, Float32Array>, lr: number): number {
    let sq = 0;
    for (const [name] of params) {
      const g = grads.get(name);
      if (g) for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
    }
    const norm = Math.sqrt(sq);
    const scale = this.cfg.clipNorm > 0 && norm > this.cfg.clipNorm ? this.cfg.clipNorm / norm : 1;
    this.t += 1;
    const { kind, momentum, weightDecay, beta1, beta2, eps } = this.cfg;
    const c1 = 1 - beta1 ** this.t, c2 = 1 - beta2 ** this.t;
    for (const [name, v] of params) {
      const g = grads.get(name);
      if (!g) continue;
      const wd = weightDecay > 0 && v.shape.length > 1 ? weightDecay : 0;
      let slots = this.slots.get(name);
      const fresh = !slots;
      if (!slots) {
        slots = kind === 'sgd' ? [new Float32Array(v.size)] : [new Float32Array(v.size), new Float32Array(v.size)];
        this.slots.set(name, slots);
      }
      const state = slots;
      // The updated weights are written straight into a new tensor's memory (host-kernel.ts).
      const [next] = hostKernel(tf, [v], [v.shape], ([w], [x]) => {
        if (kind === 'sgd') sgdUpdate(w as Float32Array, x!, g, state[0]!, fresh, scale, wd, lr, momentum);
        else adamUpdate(w as Float32Array, x!, g, state[0]!, state[1]!, scale, wd, lr / c1, 1 / c2, beta1, beta2, eps);
      });
      v.assign(next as tfc.Tensor);
      next!.dispose();
    }
    return norm;
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const [n, ts] of this.slots) slots[n] = ts.map((a) => Float32Array.from(a));
    return { kind: this.cfg.kind, t: this.t, slots };
  }

  /** Restores a saved state; `shapes` gives each parameter's shape. */
  setState(s: OptimizerState, shapes: ReadonlyMap<string, number[]>): void {
    if (s.kind !== this.cfg.kind) throw new Error(`checkpoint optimizer is ${s.kind}, not ${this.cfg.kind}`);
    this.dispose();
    this.t = s.t;
    for (const [n, arrs] of Object.entries(s.slots)) {
      const shape = shapes.get(n);
      if (!shape) throw new Error(`checkpoint optimizer state names unknown parameter ${n}`);
      const size = shape.reduce((a, d) => a * d, 1);
      if (arrs.some((a) => a.length !== size)) throw new Error(`checkpoint optimizer state for ${n} does not match its shape ${shape.join('×')}`);
      this.slots.set(n, arrs.map((a) => Float32Array.from(a)));
    }
  }

  dispose(): void {
    this.slots.clear();
  }
}

// The update loops take everything as arguments: read from a closure's context, the
// constants were reloaded every iteration (3.5× slower, measured at FCOS's 345k weights).

/** x ← x − lr·buf with buf ← momentum·buf + g (buf ← g on the first update), g scaled and with weight decay. */
function sgdUpdate(x0: Float32Array, x: Float32Array, g: Float32Array, buf: Float32Array, fresh: boolean, scale: number, wd: number, lr: number, momentum: number): void {
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]! * scale + wd * x0[i]!;
    const b = fresh ? gi : buf[i]! * momentum + gi;
    buf[i] = b;
    x[i] = x0[i]! - lr * b;
  }
}

/** Adam: x ← x − (lr/c1)·m / (√(s/c2) + eps), with `lrc1` = lr/c1 and `ic2` = 1/c2 the bias corrections folded in. */
function adamUpdate(x0: Float32Array, x: Float32Array, g: Float32Array, m: Float32Array, s: Float32Array, scale: number, wd: number, lrc1: number, ic2: number, beta1: number, beta2: number, eps: number): void {
  const k1 = 1 - beta1, k2 = 1 - beta2;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i]! * scale + wd * x0[i]!;
    const mi = m[i]! * beta1 + gi * k1;
    const si = s[i]! * beta2 + gi * gi * k2;
    m[i] = mi;
    s[i] = si;
    x[i] = x0[i]! - (lrc1 * mi) / (Math.sqrt(si * ic2) + eps);
  }
}

/**
 * The learning rate at `step` of `total`: linear warm-up from lr/10 over
 * `warmup` steps, then ×0.1 at 75% and again at 90% of training (the step
 * schedule of the reference's 1× runs, compressed).
 *
 * @example lrAt(0, 1000, 0.01, 100) // 0.001
 */
export function lrAt(step: number, total: number, base: number, warmup: number): number {
  if (step < warmup) return base * (0.1 + (0.9 * step) / warmup);
  if (step >= 0.9 * total) return base * 0.01;
  if (step >= 0.75 * total) return base * 0.1;
  return base;
}
