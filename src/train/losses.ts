/**
 * Losses as the detectors call them, with the training semantics of
 * SEMANTICS.md ("How the reference trains") and mmdetection's reduction:
 * the per-element loss times the sample weights, then summed and divided by
 * `avgFactor + ε` (ε = float32 machine epsilon) when an average factor is
 * given, else averaged.
 *
 * - `multi` (two-stage): logits N×(C+1) with background last; Y one-hot over
 *   C+1; Z the detached IoU for positive samples and 1 for background,
 *   broadcast over classes. A per-sample loss is the expression's value when
 *   it reduces the class axis (Dot), its sum over classes otherwise.
 * - `binary` (one-stage): logits N×C; PY one-hot of the label without the
 *   background column; Q = PY·IoU (detached); NY = 1 − PY; the elementwise
 *   loss is multiplied by α_t = 0.25·PY + 0.75·(1 − PY) and reduced over N×C.
 * - `reg`: I, U, E from the boxes (`boxes.ts`), reduced over N.
 * Built-in `ce` and `focal` are native (log-softmax cross-entropy; sigmoid
 * focal loss α = 0.25, γ = 2 on binary cross-entropy with logits), so focal's
 * α is applied once. Expressions run as fused kernels or as tfjs ops,
 * whichever `fused.ts`'s `preferFused` measured faster on the backend.
 *
 * On the host backends (`cpu`, `wasm`) the targets (Y, Z; PY, Q, NY, α_t) are
 * built in one JavaScript pass over the labels instead of a dozen tfjs ops
 * over N×C, and `ce` and `focal` run as one-pass JavaScript ops with their
 * analytic gradients; other backends keep the tfjs-op formulations, which are
 * also the tests' references.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import { builtinLoss, resolveLoss } from '../symbolic/builtins.js';
import { FOCAL_ALPHA, FOCAL_GAMMA } from '../symbolic/constants.js';
import type { Domain, InputName } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import type { Tf } from '../symbolic/op-spec.js';
import { shapeOf } from '../symbolic/shape.js';
import { getTf } from './backend.js';
import { onHostMemory } from './backend-names.js';
import { hostKernel } from './host-kernel.js';
import { boxTerms, detach } from './boxes.js';
import { compileTfjs, type TensorInputs } from './compile-tfjs.js';
import { compileFused, preferFused } from './fused.js';
import { UserError } from '../util/errors.js';

/** float32 machine epsilon, mmdetection's guard on the average factor. */
const EPS = 1.1920928955078125e-7;

/** A loss spec the user gave that cannot be used where it was given; the CLI prints it as a user error. */
export class LossSpecError extends UserError {
  override readonly name = 'LossSpecError';
}

export interface ClsArgs {
  /** N×(C+1) for multi (background last); N×C for binary. */
  readonly logits: tfc.Tensor2D;
  /** int32 class index per sample; C is background. */
  readonly labels: tfc.Tensor1D;
  /** Detached IoU of each sample's prediction with its target, 0 for background. */
  readonly ious: tfc.Tensor1D;
  readonly weights?: tfc.Tensor1D;
  readonly avgFactor?: number;
}
export type ClsLoss = (args: ClsArgs) => tfc.Scalar;

export interface RegArgs {
  /** N×4 predicted boxes x1, y1, x2, y2. */
  readonly pred: tfc.Tensor2D;
  readonly target: tfc.Tensor2D;
  readonly weights?: tfc.Tensor1D;
  readonly avgFactor?: number;
}
export type RegLoss = (args: RegArgs) => tfc.Scalar;

/** How an expression is run: a fused kernel, tfjs ops, or whichever suits the active backend. */
export type KernelChoice = 'auto' | 'fused' | 'tfjs';
export interface LossOptions {
  readonly kernel?: KernelChoice;
}

/**
 * mmdetection's `weight_reduce_loss` with reduction 'mean'. A 1-D weight on an
 * N×C loss weighs each sample's row.
 *
 * @example
 * reduceLoss(tf, tf.tensor1d([1, 3]), tf.tensor1d([1, 0]), 1) // ≈ 1
 */
export function reduceLoss(tf: Tf, loss: tfc.Tensor, weights?: tfc.Tensor, avgFactor?: number): tfc.Scalar {
  return tf.tidy(() => {
    let l = loss;
    if (weights) l = tf.mul(l, weights.rank === 1 && l.rank === 2 ? tf.reshape(weights, [-1, 1]) : weights);
    return (avgFactor === undefined ? tf.mean(l) : tf.div(tf.sum(l), avgFactor + EPS)) as tfc.Scalar;
  });
}

function resolve(spec: string, domain: Domain): { tree: Node; builtin?: string } {
  try {
    const r = resolveLoss(spec, { domain });
    return { tree: r.tree, builtin: r.builtin?.name };
  } catch (e) {
    const b = builtinLoss(spec.trim());
    const what = domain === 'reg' ? 'regression loss' : `classification loss (domain ${domain})`;
    if (b) throw new LossSpecError(`${what}: built-in '${b.name}' is a ${b.domain} loss; expected a ${domain} loss`);
    throw new LossSpecError(`${what} '${spec}': ${(e as Error).message}; expected an expression of domain ${domain} or a built-in name`);
  }
}

type Runner = (tf: Tf, inputs: TensorInputs) => tfc.Tensor;

/**
 * The expression's full-shape value, as a fused kernel or tfjs ops
 * (`preferFused` decides for `auto`); with `perRow`, for a tree whose value
 * is one per row, that value as N×1.
 */
function runner(tree: Node, domain: Domain, wrt: readonly InputName[], kernel: KernelChoice, perRow = false): Runner {
  const generic = compileTfjs(tree, domain);
  const tfjs: Runner = perRow ? (tf, inputs) => tf.slice(generic.full(tf, inputs), [0, 0], [-1, 1]) : generic.full;
  if (kernel === 'tfjs') return tfjs;
  const compiled = compileFused(tree, domain, wrt);
  const fused: Runner = perRow && compiled.rows ? compiled.rows : compiled.full;
  if (kernel === 'fused') return fused;
  return (tf, inputs) => (preferFused(tf.getBackend()) ? fused(tf, inputs) : tfjs(tf, inputs));
}

/** Softmax cross-entropy per sample, −log softmax(logits)[label], as tfjs ops (the reference formulation; host backends run `hostSoftmaxCrossEntropy`). */
export function softmaxCrossEntropy(tf: Tf, logits: tfc.Tensor2D, labels: tfc.Tensor1D): tfc.Tensor1D {
  return tf.tidy(() => {
    const y = tf.oneHot(tf.cast(labels, 'int32'), logits.shape[1]);
    return tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1)) as tfc.Tensor1D;
  });
}

/**
 * `softmaxCrossEntropy` (0 for a label outside the columns, as a zero one-hot
 * row gives) as one tfjs op. The labels are data (no gradient).
 *
 * The probabilities are the backend's softmax (on wasm XNNPACK's vectorised
 * one, several times faster than scalar exponentials in JavaScript or in
 * tfjs's Exp, which bound this loss). The loss is not −log p_y, which
 * underflows with p_y, but (max − x_y) − log p_max: p_max = 1/Σe^(x−max) is
 * at least 1/C, so this is the log-sum-exp form with the sum read off the
 * softmax. The backward pass writes dy·(p − onehot) from the saved
 * probabilities.
 */
export function hostSoftmaxCrossEntropy(tf: Tf, logits: tfc.Tensor2D, labels: tfc.Tensor1D): tfc.Tensor1D {
  const [n, c] = logits.shape;
  const lab = labels.dataSync();
  const op = tf.customGrad((...args: unknown[]) => {
    const x = args[0] as tfc.Tensor2D;
    const save = args[1] as (ts: tfc.Tensor[]) => void;
    const p = tf.softmax(x);
    const [value] = hostKernel(tf, [x, p], [[n]], ([xs, ps], [value]) => {
      for (let k = 0, o = 0; k < n; k++, o += c) {
        const y = Math.trunc(lab[k]!);
        if (!(y >= 0 && y < c)) continue;
        let top = o;
        for (let j = o + 1; j < o + c; j++) if (xs![j]! > xs![top]!) top = j;
        value![k] = xs![top]! - xs![o + y]! - Math.log(ps![top]!);
      }
    });
    save([p]);
    return {
      value: value!,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) =>
        hostKernel(tf, [dy, saved[0]!], [[n, c]], ([d, ps], [out]) => {
          for (let k = 0, o = 0; k < n; k++, o += c) {
            const y = Math.trunc(lab[k]!);
            // A label outside the columns has a zero loss and gradient.
            if (!(y >= 0 && y < c)) continue;
            const g = d![k]!;
            for (let j = o; j < o + c; j++) out![j] = g * ps![j]!;
            out![o + y] = g * (ps![o + y]! - 1);
          }
        })[0]!,
    };
  });
  return op(logits) as tfc.Tensor1D;
}

/**
 * Sigmoid focal loss per element (mmdetection's `py_sigmoid_focal_loss`):
 * BCE-with-logits(x, t)·(α·t + (1−α)(1−t))·pt^γ with pt = (1−p)t + p(1−t),
 * as tfjs ops (the reference formulation; host backends run `hostSigmoidFocal`).
 */
export function sigmoidFocal(tf: Tf, logits: tfc.Tensor2D, targets: tfc.Tensor2D, alpha = FOCAL_ALPHA, gamma = FOCAL_GAMMA): tfc.Tensor2D {
  return tf.tidy(() => {
    const p = tf.sigmoid(logits);
    const pt = tf.add(tf.mul(tf.sub(1, p), targets), tf.mul(p, tf.sub(1, targets)));
    const weight = tf.mul(tf.add(tf.mul(alpha, targets), tf.mul(1 - alpha, tf.sub(1, targets))), tf.pow(pt, gamma));
    // max(x,0) − x·t + log(1 + e^−|x|): stable binary cross-entropy with logits.
    const bce = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mul(bce, weight) as tfc.Tensor2D;
  });
}

/**
 * `sigmoidFocal` with the targets one-hot of `labels` (a label ≥ C, the
 * background, gives a zero row), as one tfjs op: one JavaScript pass computes
 * each element's value and derivative in float64; the backward pass
 * multiplies by the cotangent. The labels are data.
 *
 * p = σ(x) and 1 − p = σ(−x) come from the backend's sigmoid (XNNPACK's
 * vectorized one on wasm), each relatively accurate, so BCE = −log u with u
 * the probability of the target (u = p for t = 1, 1 − p for t = 0), taken as
 * −log1p(−p_t) when u is near 1; one logarithm per element is left to the
 * loop. Where u is near float32's underflow (|x| > ~69, subnormal or zero
 * and no longer relatively accurate) the stable form
 * max(x,0) − x·t + log1p(e^−|x|) is used.
 */
export function hostSigmoidFocal(tf: Tf, logits: tfc.Tensor2D, labels: tfc.Tensor1D, alpha = FOCAL_ALPHA, gamma = FOCAL_GAMMA): tfc.Tensor2D {
  const [n, c] = logits.shape;
  const lab = labels.dataSync();
  const op = tf.customGrad((...args: unknown[]) => {
    const xt = args[0] as tfc.Tensor2D;
    const save = args[1] as (ts: tfc.Tensor[]) => void;
    const [value, grad] = hostKernel(tf, [xt, tf.sigmoid(xt), tf.sigmoid(tf.neg(xt))], [[n, c], [n, c]], ([x, sp, sn], [value, grad]) => {
      // pt^γ and pt^(γ−1) by multiplication for the usual integer γ: Math.pow dominated the loop.
      const square = gamma === 2;
      for (let k = 0; k < n; k++) {
        const y = Math.trunc(lab[k]!);
        for (let j = 0, i = k * c; j < c; j++, i++) {
          const t = j === y ? 1 : 0;
          const p = sp![i]!;
          const q = sn![i]!;
          const pt = t ? q : p;
          const u = t ? p : q;
          const a = t ? alpha : 1 - alpha;
          let bce: number;
          if (pt < 0.5) bce = -Math.log1p(-pt);
          else if (u > 1e-30) bce = -Math.log(u);
          else {
            const v = x![i]!;
            bce = Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)));
          }
          const ptg1 = square ? pt : Math.pow(pt, gamma - 1);
          const ptg = square ? pt * pt : Math.pow(pt, gamma);
          value![i] = bce * a * ptg;
          // d/dv: bce′ = p − t, pt′ = p(1 − p)(1 − 2t).
          grad![i] = a * ((p - t) * ptg + bce * gamma * ptg1 * p * q * (1 - 2 * t));
        }
      }
    });
    save([grad!]);
    return {
      value: value!,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) =>
        hostKernel(tf, [dy, saved[0]!], [[n, c]], ([d, g], [out]) => {
          for (let i = 0; i < n * c; i++) out![i] = d![i]! * g![i]!;
        })[0]!,
    };
  });
  return op(logits) as tfc.Tensor2D;
}

/** Backends whose tensors live in host memory, where targets built in JavaScript cost one pass and no transfer. */
function onHost(tf: Tf): boolean {
  return onHostMemory(tf.getBackend());
}

/**
 * The multi domain's Y (one-hot over C+1) and Z (the IoU for a positive
 * sample, 1 for background, repeated over the classes), both N×(C+1), in one
 * JavaScript pass: the same values as oneHot / where / broadcastTo, without
 * their tfjs ops (broadcastTo alone is a Tile over N×(C+1) on wasm).
 */
function multiTargets(tf: Tf, labels: tfc.Tensor1D, ious: tfc.Tensor1D, n: number, c1: number): { Y: tfc.Tensor2D; Z: tfc.Tensor2D } {
  const [Y, Z] = hostKernel(tf, [labels, ious], [[n, c1], [n, c1]], ([lab, iou], [y, z]) => {
    for (let k = 0; k < n; k++) {
      const l = Math.trunc(lab![k]!);
      if (l >= 0 && l < c1) y![k * c1 + l] = 1;
      z!.fill(l < c1 - 1 ? iou![k]! : 1, k * c1, (k + 1) * c1);
    }
  });
  return { Y: Y as tfc.Tensor2D, Z: Z as tfc.Tensor2D };
}

/** The binary domain's PY, Q = PY·IoU, NY = 1 − PY and α_t (N×C each) in one JavaScript pass. */
function binaryTargets(tf: Tf, labels: tfc.Tensor1D, ious: tfc.Tensor1D, n: number, c: number): { PY: tfc.Tensor2D; Q: tfc.Tensor2D; NY: tfc.Tensor2D; alphaT: tfc.Tensor2D } {
  const [PY, Q, NY, alphaT] = hostKernel(tf, [labels, ious], [[n, c], [n, c], [n, c], [n, c]], ([lab, iou], [py, q, ny, at]) => {
    ny!.fill(1);
    at!.fill(1 - FOCAL_ALPHA);
    for (let k = 0; k < n; k++) {
      const l = Math.trunc(lab![k]!);
      if (!(l >= 0 && l < c)) continue;
      const i = k * c + l;
      py![i] = 1;
      q![i] = iou![k]!;
      ny![i] = 0;
      at![i] = FOCAL_ALPHA;
    }
  }) as tfc.Tensor2D[];
  return { PY: PY!, Q: Q!, NY: NY!, alphaT: alphaT! };
}

/**
 * A classification loss from a built-in name or an expression of `domain`.
 *
 * @example
 * const loss = makeClsLoss('autoloss-a-cls', 'multi');
 * const l = loss({ logits, labels, ious, avgFactor: 8 }); // tf.Scalar
 */
export function makeClsLoss(spec: string, domain: 'multi' | 'binary', options: LossOptions = {}): ClsLoss {
  const { tree, builtin } = resolve(spec, domain);
  const kernel = options.kernel ?? 'auto';
  if (domain === 'multi') {
    const native = builtin === 'ce';
    const perSampleValue = shapeOf(tree, 'multi') === 1;
    const run = native ? undefined : runner(tree, 'multi', ['X'], kernel, perSampleValue);
    return ({ logits, labels, ious, weights, avgFactor }) => {
      const tf = getTf();
      return tf.tidy(() => {
        if (native) return reduceLoss(tf, (onHost(tf) ? hostSoftmaxCrossEntropy : softmaxCrossEntropy)(tf, logits, labels), weights, avgFactor);
        const [n, c1] = logits.shape;
        const { Y, Z } = onHost(tf) ? multiTargets(tf, labels, ious, n, c1) : (() => {
          const lab = tf.cast(labels, 'int32');
          const positive = tf.less(lab, c1 - 1);
          const w = tf.where(positive, tf.cast(ious, 'float32'), tf.onesLike(tf.cast(ious, 'float32')));
          return { Y: tf.cast(tf.oneHot(lab, c1), 'float32'), Z: tf.broadcastTo(tf.reshape(detach(tf, w), [-1, 1]), logits.shape) };
        })();
        const value = run!(tf, { X: logits, Y, Z });
        const perSample = perSampleValue ? tf.reshape(value, [-1]) : tf.sum(value, -1);
        return reduceLoss(tf, perSample, weights, avgFactor);
      });
    };
  }
  const native = builtin === 'focal';
  const run = native ? undefined : runner(tree, 'binary', ['X'], kernel);
  return ({ logits, labels, ious, weights, avgFactor }) => {
    const tf = getTf();
    return tf.tidy(() => {
      const [n, c] = logits.shape;
      if (native && onHost(tf)) return reduceLoss(tf, hostSigmoidFocal(tf, logits, labels), weights, avgFactor);
      const oneHot = () => tf.slice(tf.cast(tf.oneHot(tf.cast(labels, 'int32'), c + 1), 'float32'), [0, 0], [-1, c]) as tfc.Tensor2D;
      if (native) return reduceLoss(tf, sigmoidFocal(tf, logits, oneHot()), weights, avgFactor);
      const { PY, Q, NY, alphaT } = onHost(tf) ? binaryTargets(tf, labels, ious, n, c) : (() => {
        const PY = oneHot();
        const NY = tf.sub(1, PY);
        return { PY, Q: tf.mul(PY, tf.reshape(detach(tf, tf.cast(ious, 'float32')), [-1, 1])), NY, alphaT: tf.add(tf.mul(FOCAL_ALPHA, PY), tf.mul(1 - FOCAL_ALPHA, NY)) };
      })();
      return reduceLoss(tf, tf.mul(run!(tf, { X: logits, Q, PY, NY }), alphaT), weights, avgFactor);
    });
  };
}

/**
 * A regression loss from a built-in name (`iou`, `giou`, `autoloss-a-reg`,
 * `autoloss-b-reg`) or an expression over U, I, E, on boxes.
 *
 * @example
 * const loss = makeRegLoss('giou');
 * loss({ pred, target, weights, avgFactor }); // tf.Scalar
 */
export function makeRegLoss(spec: string, options: LossOptions = {}): RegLoss {
  const { tree } = resolve(spec, 'reg');
  const run = runner(tree, 'reg', ['U', 'I', 'E'], options.kernel ?? 'auto');
  return ({ pred, target, weights, avgFactor }) => {
    const tf = getTf();
    return tf.tidy(() => {
      const { I, U, E } = boxTerms(tf, pred, target);
      return reduceLoss(tf, run(tf, { U, I, E }), weights, avgFactor);
    });
  };
}

/**
 * L1 loss on box deltas (N×4), Faster R-CNN's default regression loss.
 *
 * @example
 * l1Loss(tf.tensor2d([[0, 0, 0, 1]]), tf.zeros([1, 4])) // 0.25
 */
export function l1Loss(pred: tfc.Tensor2D, target: tfc.Tensor2D, weights?: tfc.Tensor, avgFactor?: number): tfc.Scalar {
  const tf = getTf();
  return tf.tidy(() => reduceLoss(tf, tf.abs(tf.sub(pred, target)), weights, avgFactor));
}

/**
 * Smooth-L1 loss on box deltas (mmdetection's, β = 1): 0.5·d²/β below β, d − 0.5·β above.
 *
 * @example
 * smoothL1Loss(tf.tensor2d([[0, 0, 0, 2]]), tf.zeros([1, 4])) // 1.5 / 4
 */
export function smoothL1Loss(pred: tfc.Tensor2D, target: tfc.Tensor2D, weights?: tfc.Tensor, avgFactor?: number, beta = 1): tfc.Scalar {
  const tf = getTf();
  return tf.tidy(() => {
    const d = tf.abs(tf.sub(pred, target));
    // 0.5·min(d,β)²/β + (d − min(d,β)) is the two branches in one formula: tfjs has no
    // gradient for Less, so a where(less(d, β), …) cannot be trained through.
    const m = tf.minimum(d, beta);
    const l = tf.add(tf.div(tf.mul(0.5, tf.square(m)), beta), tf.sub(d, m));
    return reduceLoss(tf, l, weights, avgFactor);
  });
}
