/**
 * The optimisation simulation: free predictions are optimised directly under
 * the candidate loss for a fixed number of steps (boxes from random starts
 * toward their targets, logits toward their labels), and the task metric's
 * improvement decides: mean IoU for `reg`, average precision of the scores
 * for `binary`, accuracy for `multi`.
 *
 * The optimiser is Adam, whose steps do not depend on the gradient's scale:
 * published losses differ by orders of magnitude in gradient size (Autoloss-B
 * reg is about 1/area), and a fixed plain-gradient step would favour some by
 * accident. Box steps are scaled by the target's size.
 */
import { pairGeometry, boxGradient, type Box } from './box-geometry.js';
import { encodeLogitPoint, type LogitPoint } from './logit-points.js';
import type { LossKernel } from './loss-kernel.js';
import { makeRng as seededRng, type Rng } from '../util/rng.js';
import type { InputName } from '../symbolic/domains.js';

export interface SimulationOptions {
  /** Optimisation steps. Default 150. */
  readonly steps?: number;
  /** Boxes or samples optimised together. Default 48. */
  readonly samples?: number;
  /** Classes per sample (background included for multi). Default 5. */
  readonly classes?: number;
  /** Adam step: logits per step; boxes per step in units of the target's side. Default 0.05. */
  readonly lr?: number;
  /** Smallest metric improvement that passes. Default 0.1. */
  readonly threshold?: number;
  /** Seed of the starting points. Default 1. */
  readonly seed?: number;
  /** Source of the starting points; overrides `seed`. */
  readonly rng?: Rng;
}

export interface SimulationResult {
  readonly metric: 'mean-iou' | 'ap' | 'accuracy';
  readonly before: number;
  readonly after: number;
  readonly improvement: number;
  readonly threshold: number;
  readonly steps: number;
  readonly pass: boolean;
  /** Why it failed, when it did. */
  readonly reason?: string;
}

/**
 * Optimises free predictions under the loss and scores the metric's improvement.
 *
 * @example
 * simulate(LossKernel.from('giou')).pass // true
 * simulate(LossKernel.from('Div(I,U)')).pass // false
 */
export function simulate(k: LossKernel, options: SimulationOptions = {}): SimulationResult {
  const o = {
    steps: options.steps ?? 150,
    samples: options.samples ?? 48,
    classes: options.classes ?? 5,
    lr: options.lr ?? 0.05,
    threshold: options.threshold ?? 0.1,
  };
  const rng = options.rng ?? seededRng(options.seed ?? 1);
  // Many steps of one loss: generated code pays off here.
  const jit = k.on('jit');
  return k.domain === 'reg' ? simulateBoxes(jit, o, rng) : simulateLogits(jit, o, rng);
}

type Resolved = { steps: number; samples: number; classes: number; lr: number; threshold: number };

class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(n: number) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  /** The step for each parameter (to subtract), scaled by `scale[k]`. */
  step(g: Float64Array, lr: number, scale?: Float64Array): Float64Array {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const out = new Float64Array(g.length);
    for (let j = 0; j < g.length; j++) {
      this.m[j] = b1 * this.m[j]! + (1 - b1) * g[j]!;
      this.v[j] = b2 * this.v[j]! + (1 - b2) * g[j]! * g[j]!;
      const den = Math.sqrt(this.v[j]! / c2);
      // A zero gradient moves nothing, whatever its scale elsewhere.
      out[j] = den > 0 ? (lr * (this.m[j]! / c1)) / den * (scale ? scale[j]! : 1) : 0;
    }
    return out;
  }
}

function result(metric: SimulationResult['metric'], before: number, after: number, o: Resolved, reason?: string): SimulationResult {
  const improvement = after - before;
  const pass = reason === undefined && improvement >= o.threshold;
  return {
    metric,
    before,
    after,
    improvement,
    threshold: o.threshold,
    steps: o.steps,
    pass,
    ...(reason ? { reason } : pass ? {} : { reason: `${metric} improved by ${improvement.toFixed(3)}, below ${o.threshold}` }),
  };
}

function simulateBoxes(k: LossKernel, o: Resolved, rng: Rng): SimulationResult {
  const n = o.samples;
  const targets: Box[] = [];
  const p = new Float64Array(4 * n);
  const scale = new Float64Array(4 * n);
  for (let b = 0; b < n; b++) {
    const tw = 8 * 64 ** rng();
    const th = 8 * 64 ** rng();
    const cx = 1000 * rng();
    const cy = 1000 * rng();
    targets.push([cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2]);
    const w = tw * Math.exp(1.2 * (rng() - 0.5));
    const h = th * Math.exp(1.2 * (rng() - 0.5));
    const px = cx + 0.8 * (rng() - 0.5) * tw;
    const py = cy + 0.8 * (rng() - 0.5) * th;
    p.set([px - w / 2, py - h / 2, px + w / 2, py + h / 2], 4 * b);
    scale.set([tw, th, tw, th], 4 * b);
  }
  const box = (b: number): Box => [p[4 * b]!, p[4 * b + 1]!, p[4 * b + 2]!, p[4 * b + 3]!];
  const meanIou = () => {
    let s = 0;
    for (let b = 0; b < n; b++) {
      const g = pairGeometry(box(b), targets[b]!);
      s += g.I / g.U;
    }
    return s / n;
  };
  const before = meanIou();
  const adam = new Adam(4 * n);
  const U = new Float64Array(n);
  const I = new Float64Array(n);
  const E = new Float64Array(n);
  for (let step = 0; step < o.steps; step++) {
    const gs = targets.map((t, b) => pairGeometry(box(b), t));
    gs.forEach((g, b) => {
      U[b] = g.U;
      I[b] = g.I;
      E[b] = g.E;
    });
    const run = k.run({ U, I, E }, n, 1);
    const grad = new Float64Array(4 * n);
    for (let b = 0; b < n; b++) {
      if (!Number.isFinite(run.value[b]!)) return result('mean-iou', before, meanIou(), o, `loss is ${run.value[b]} at step ${step}`);
      const gb = boxGradient(gs[b]!, run.grads.U![b]!, run.grads.I![b]!, run.grads.E![b]!);
      if (!gb.every(Number.isFinite)) return result('mean-iou', before, meanIou(), o, `gradient is not finite at step ${step}`);
      grad.set(gb, 4 * b);
    }
    const d = adam.step(grad, o.lr, scale);
    for (let j = 0; j < p.length; j++) p[j]! -= d[j]!;
    // Keep every box a box: an edge that crosses its opposite is held just short of it.
    for (let b = 0; b < n; b++) {
      for (const [a, c] of [[0, 2], [1, 3]] as const) {
        const min = 1e-3 * scale[4 * b + a]!;
        if (p[4 * b + c]! - p[4 * b + a]! < min) {
          const mid = (p[4 * b + c]! + p[4 * b + a]!) / 2;
          p[4 * b + a] = mid - min / 2;
          p[4 * b + c] = mid + min / 2;
        }
      }
    }
  }
  return result('mean-iou', before, meanIou(), o);
}

function simulateLogits(k: LossKernel, o: Resolved, rng: Rng): SimulationResult {
  const n = o.samples;
  const C = Math.max(2, o.classes);
  const binary = k.domain === 'binary';
  const targets: number[] = [];
  const ws: number[] = [];
  const x = new Float64Array(n * C);
  for (let r = 0; r < n; r++) {
    // binary: −1 is background; multi: the last class is.
    targets.push(Math.floor(rng() * (C + (binary ? 1 : 0))) - (binary ? 1 : 0));
    ws.push(0.3 + 0.7 * rng());
    for (let c = 0; c < C; c++) x[r * C + c] = 4 * (rng() - 0.5);
  }
  const inputs: Partial<Record<InputName, Float64Array>> = {};
  for (let r = 0; r < n; r++) {
    const row = encodeLogitPoint(k.domain, { logits: new Array<number>(C).fill(0), target: targets[r]!, w: ws[r]! } as LogitPoint);
    for (const [name, v] of Object.entries(row) as [InputName, Float64Array][]) {
      if (name === 'X') continue;
      (inputs[name] ??= new Float64Array(n * C)).set(v, r * C);
    }
  }
  const metric = binary ? 'ap' : 'accuracy';
  const score = () => (binary ? averagePrecision(x, targets, C) : accuracy(x, targets, C));
  const before = score();
  const adam = new Adam(n * C);
  for (let step = 0; step < o.steps; step++) {
    const run = k.run({ ...inputs, X: x }, n, C);
    const bad = run.value.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) return result(metric, before, score(), o, `loss is ${run.value[bad]} at step ${step}`);
    if (!run.grads.X!.every(Number.isFinite)) return result(metric, before, score(), o, `gradient is not finite at step ${step}`);
    const d = adam.step(run.grads.X!, o.lr);
    for (let j = 0; j < x.length; j++) x[j]! -= d[j]!;
  }
  return result(metric, before, score(), o);
}

/** Fraction of samples whose target logit is strictly the largest (ties count as wrong). */
export function accuracy(x: Float64Array, targets: readonly number[], C: number): number {
  let ok = 0;
  targets.forEach((t, r) => {
    const xt = x[r * C + t]!;
    let best = true;
    for (let c = 0; c < C; c++) if (c !== t && !(x[r * C + c]! < xt)) best = false;
    if (best) ok++;
  });
  return ok / targets.length;
}

/** Average precision of all (sample, class) scores against the one-hot targets; ties rank negatives first. */
export function averagePrecision(x: Float64Array, targets: readonly number[], C: number): number {
  const items = Array.from(x, (s, j) => ({ s, pos: targets[Math.floor(j / C)] === j % C }));
  items.sort((a, b) => b.s - a.s || Number(a.pos) - Number(b.pos));
  const total = items.filter((i) => i.pos).length;
  if (total === 0) return 0;
  let tp = 0;
  let ap = 0;
  items.forEach((it, k) => {
    if (it.pos) {
      tp++;
      ap += tp / (k + 1);
    }
  });
  return ap / total;
}
