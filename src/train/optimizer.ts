/**
 * SGD with momentum and Adam over named variables, with every slot held in
 * plain tensors so a checkpoint can store the exact optimizer state and a
 * resumed run continues bit-for-bit. Gradients are clipped by global norm
 * first; weight decay is L2 added to the gradient (as PyTorch's SGD does).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { tf } from '../detect/tf.js';

export type OptimizerKind = 'sgd' | 'adam';
export const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam'];

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

export class Optimizer {
  private t = 0;
  private readonly slots = new Map<string, tfc.Tensor[]>();
  constructor(readonly cfg: OptimizerConfig) {}

  get updates(): number {
    return this.t;
  }

  /**
   * One update of `params` by `grads` (keyed by parameter name) at rate `lr`.
   * Returns the gradient norm before clipping.
   */
  step(params: readonly [string, tfc.Variable][], grads: ReadonlyMap<string, tfc.Tensor>, lr: number): number {
    const norm = tf.tidy(() => {
      const sq = params.map(([n]) => grads.get(n)).filter((g): g is tfc.Tensor => g !== undefined).map((g) => tf.sum(tf.square(g)));
      return sq.length ? Math.sqrt(tf.addN(sq).dataSync()[0]!) : 0;
    });
    const scale = this.cfg.clipNorm > 0 && norm > this.cfg.clipNorm ? this.cfg.clipNorm / norm : 1;
    this.t += 1;
    const { kind, momentum, weightDecay, beta1, beta2, eps } = this.cfg;
    for (const [name, v] of params) {
      const g0 = grads.get(name);
      if (!g0) continue;
      const old = this.slots.get(name);
      const next = tf.tidy(() => {
        let g = scale === 1 ? g0 : tf.mul(g0, scale);
        if (weightDecay > 0 && v.shape.length > 1) g = tf.add(g, tf.mul(v, weightDecay));
        if (kind === 'sgd') {
          const buf = old ? tf.add(tf.mul(old[0]!, momentum), g) : g.clone();
          v.assign(tf.sub(v, tf.mul(buf, lr)));
          return [buf];
        }
        const m = tf.add(tf.mul(old ? old[0]! : tf.zerosLike(g), beta1), tf.mul(g, 1 - beta1));
        const s = tf.add(tf.mul(old ? old[1]! : tf.zerosLike(g), beta2), tf.mul(tf.square(g), 1 - beta2));
        const mh = tf.div(m, 1 - beta1 ** this.t), sh = tf.div(s, 1 - beta2 ** this.t);
        v.assign(tf.sub(v, tf.mul(tf.div(mh, tf.add(tf.sqrt(sh), eps)), lr)));
        return [m, s];
      });
      old?.forEach((t) => t.dispose());
      this.slots.set(name, next);
    }
    return norm;
  }

  getState(): OptimizerState {
    const slots: Record<string, Float32Array[]> = {};
    for (const [n, ts] of this.slots) slots[n] = ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));
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
      this.slots.set(n, arrs.map((a) => tf.tensor(a, shape)));
    }
  }

  dispose(): void {
    for (const ts of this.slots.values()) ts.forEach((t) => t.dispose());
    this.slots.clear();
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
