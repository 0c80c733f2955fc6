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
  private bound: { views: ReadonlyMap<string, Float32Array[]>; initialized: Uint8Array; index: ReadonlyMap<string, number> } | undefined;
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
      if (g) sq += sumSquares(g);
    }
    const norm = Math.sqrt(sq);
    const scale = clipScale(this.cfg, norm);
    const t = this.tick();
    for (const [name, v] of params) {
      const g = grads.get(name);
      if (!g) continue;
      const fresh = !this.has(name);
      const state = this.slotsOf(name, v.size);
      // The updated weights are written straight into a new tensor's memory (host-kernel.ts).
      const [next] = hostKernel(tf, [v], [v.shape], ([w], [x]) => updateValues(this.cfg, t, lr, scale, weightDecayOf(this.cfg, v.shape), w as Float32Array, x!, g, state, fresh));
      v.assign(next as tfc.Tensor);
      next!.dispose();
    }
    return norm;
  }

  /** Counts one update and returns the new count (the bias corrections' t); `stepArrays` calls it, and data-parallel workers' updates through their stepper. */
  tick(): number {
    return ++this.t;
  }

  /**
   * Keeps the slots in caller-owned arrays from now on (data-parallel
   * workers update them in shared memory): `views` gives each parameter's
   * slot arrays and `initialized` (by the index `index` gives) marks the
   * parameters that have had an update. The state so far moves into them.
   */
  bindSlots(views: ReadonlyMap<string, Float32Array[]>, initialized: Uint8Array, index: ReadonlyMap<string, number>): void {
    for (const [name, arrs] of this.slots) {
      const into = views.get(name);
      if (!into) throw new Error(`optimizer state for ${name}, which the shared slots do not hold`);
      arrs.forEach((a, k) => into[k]!.set(a));
      initialized[index.get(name)!] = 1;
    }
    this.slots.clear();
    this.bound = { views, initialized, index };
  }

  /** Takes the slots back into the optimizer's own arrays (after data-parallel workers stop). */
  unbindSlots(): void {
    const b = this.bound;
    if (!b) return;
    this.bound = undefined;
    for (const [name, arrs] of b.views) if (b.initialized[b.index.get(name)!]) this.slots.set(name, arrs.map((a) => Float32Array.from(a)));
  }

  private has(name: string): boolean {
    return this.bound ? this.bound.initialized[this.bound.index.get(name)!] === 1 : this.slots.has(name);
  }

  private slotsOf(name: string, size: number): Float32Array[] {
    if (this.bound) {
      this.bound.initialized[this.bound.index.get(name)!] = 1;
      return this.bound.views.get(name)!;
    }
    let slots = this.slots.get(name);
    if (!slots) {
      slots = Array.from({ length: slotCount(this.cfg.kind) }, () => new Float32Array(size));
      this.slots.set(name, slots);
    }
    return slots;
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const [n, ts] of this.slots) slots[n] = ts.map((a) => Float32Array.from(a));
    const b = this.bound;
    if (b) for (const [n, ts] of b.views) if (b.initialized[b.index.get(n)!]) slots[n] = ts.map((a) => Float32Array.from(a));
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
    const b = this.bound;
    if (b) {
      b.initialized.fill(0);
      this.bindSlots(b.views, b.initialized, b.index);
    }
  }

  dispose(): void {
    this.slots.clear();
  }
}

/** Slot arrays per parameter: the momentum buffer; Adam's m and v. */
export function slotCount(kind: OptimizerKind): number {
  return kind === 'sgd' ? 1 : 2;
}

/** Σ g², in float64. */
export function sumSquares(g: Float32Array): number {
  let sq = 0;
  for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  return sq;
}

/** The factor the gradients are scaled by for a global norm `norm` (clipping). */
export function clipScale(cfg: OptimizerConfig, norm: number): number {
  return cfg.clipNorm > 0 && norm > cfg.clipNorm ? cfg.clipNorm / norm : 1;
}

/** Weight decay applies to filters and matrices, not to biases and norms' affines. */
export function weightDecayOf(cfg: OptimizerConfig, shape: readonly number[]): number {
  return cfg.weightDecay > 0 && shape.length > 1 ? cfg.weightDecay : 0;
}

/**
 * One parameter's update, the t-th: x ← update of x0 by g (scaled by
 * `scale`, with weight decay `wd`) and the slots. `fresh`: the parameter's
 * first update (momentum starts as the gradient). x may be x0 itself.
 */
export function updateValues(cfg: OptimizerConfig, t: number, lr: number, scale: number, wd: number, x0: Float32Array, x: Float32Array, g: Float32Array, slots: Float32Array[], fresh: boolean): void {
  if (cfg.kind === 'sgd') sgdUpdate(x0, x, g, slots[0]!, fresh, scale, wd, lr, cfg.momentum);
  else adamUpdate(x0, x, g, slots[0]!, slots[1]!, scale, wd, lr / (1 - cfg.beta1 ** t), 1 / (1 - cfg.beta2 ** t), cfg.beta1, cfg.beta2, cfg.eps);
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
