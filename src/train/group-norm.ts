/**
 * GroupNorm (and the ReLU that follows it in every head and backbone block)
 * over NHWC maps, as one op.
 *
 * Written with tfjs ops, one GroupNorm and ReLU is a reshape, two means, a
 * subtraction, a square, an rsqrt, three broadcasting products and sums and
 * the ReLU, and its gradient about twenty more ops; on wasm each is a
 * separate pass, many through tfjs's slow broadcasting loops. FCOS's head
 * runs forty of them per step. On backends whose tensors live in host memory
 * the op is one JavaScript pass forward (statistics in float64, two-pass
 * variance) and two backward; elsewhere it is the tfjs ops, which stay the
 * reference formulation the tests compare against.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Tf } from '../symbolic/op-spec.js';
import { onHostMemory } from './backend-names.js';
import { channelSums, hostKernel } from './host-kernel.js';

type T4 = tfc.Tensor4D;
type T1 = tfc.Tensor1D;

/** GroupNorm of NHWC `x` over `groups` channel groups with affine `gamma`, `beta` (length C), then ReLU when asked, as tfjs ops. */
export function groupNormOps(tf: Tf, x: T4, gamma: T1, beta: T1, groups: number, eps: number, relu: boolean): T4 {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const grouped = tf.reshape(x, [n, h * w, groups, c / groups]);
    const mean = tf.mean(grouped, [1, 3], true);
    const centred = tf.sub(grouped, mean);
    const variance = tf.mean(tf.square(centred), [1, 3], true);
    const normed = tf.reshape(tf.mul(centred, tf.rsqrt(tf.add(variance, eps))), [n, h, w, c]);
    const y = tf.add(tf.mul(normed, gamma), beta) as T4;
    return relu ? tf.relu(y) : y;
  });
}

/**
 * GroupNorm, then ReLU when asked: one op with an analytic gradient into x,
 * gamma and beta on host-memory backends, `groupNormOps` elsewhere.
 *
 * @example
 * groupNorm(tf, tf.ones([1, 2, 2, 4]), tf.ones([4]), tf.zeros([4]), 2, 1e-5, true); // all zeros
 */
export function groupNorm(tf: Tf, x: T4, gamma: T1, beta: T1, groups: number, eps: number, relu: boolean): T4 {
  const [n, h, w, c] = x.shape;
  if (c % groups !== 0 || gamma.size !== c || beta.size !== c) throw new RangeError(`groupNorm: ${c} channels, ${groups} groups, affine of ${gamma.size} and ${beta.size}`);
  if (!onHostMemory(tf.getBackend())) return groupNormOps(tf, x, gamma, beta, groups, eps, relu);
  const dims: Dims = { n, hw: h * w, c, groups, cg: c / groups };
  const op = tf.customGrad((...args: unknown[]) => {
    const [xt, gt, bt] = args as [T4, T1, T1];
    const save = args[3] as (ts: tfc.Tensor[]) => void;
    const [y, stats] = hostKernel(tf, [xt, gt, bt], [xt.shape, [2, n * groups]], ([xs, gs, bs], [ys, st]) => forward(xs as Float32Array, gs as Float32Array, bs as Float32Array, ys!, st!, dims, eps, relu));
    save([xt, gt, y!, stats!]);
    return {
      value: y!,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        return hostKernel(tf, [dy, ...saved], [[n, h, w, c], [c], [c]], ([d, xs, gs, ys, st], [dx, dg, db]) =>
          backward(d as Float32Array, xs as Float32Array, gs as Float32Array, ys as Float32Array, st as Float32Array, dx!, dg!, db!, dims, relu),
        );
      },
    };
  });
  return op(x, gamma, beta) as T4;
}

interface Dims {
  readonly n: number;
  readonly hw: number;
  readonly c: number;
  readonly groups: number;
  /** Channels per group. */
  readonly cg: number;
}

// The per-channel sums below, like host-kernel.ts's `channelSums`, take several pixels per
// read-modify-write of a channel's float64 sum: one per value made the accumulator's load
// and store the loop's cost.

/** acc[ch] = Σ (x − mean[ch])² over pixels [base, end). */
function centredSquares(x: Float32Array, base: number, end: number, c: number, mean: Float64Array, acc: Float64Array): void {
  acc.fill(0);
  const c4 = 4 * c;
  let i = base;
  for (; i + c4 <= end; i += c4)
    for (let ch = 0; ch < c; ch++) {
      const k = i + ch, m = mean[ch]!;
      const a = x[k]! - m, b = x[k + c]! - m, e = x[k + 2 * c]! - m, f = x[k + 3 * c]! - m;
      acc[ch]! += a * a + b * b + (e * e + f * f);
    }
  for (; i < end; i += c)
    for (let ch = 0; ch < c; ch++) {
      const v = x[i + ch]! - mean[ch]!;
      acc[ch]! += v * v;
    }
}

/**
 * sdz[ch] = Σ dz and sdzx[ch] = Σ dz·x over pixels [base, end), with dz dy
 * through the ReLU (relu′(0) = 0, as tfjs), masked by a product rather than
 * a branch (see `forward`).
 */
function gradSums(dy: Float32Array, x: Float32Array, y: Float32Array, relu: boolean, base: number, end: number, c: number, sdz: Float64Array, sdzx: Float64Array): void {
  sdz.fill(0);
  sdzx.fill(0);
  const c4 = 4 * c;
  let i = base;
  for (; i + c4 <= end; i += c4)
    for (let ch = 0; ch < c; ch++) {
      const k = i + ch, k1 = k + c, k2 = k + 2 * c, k3 = k + 3 * c;
      const d0 = relu ? dy[k]! * +(y[k]! > 0) : dy[k]!;
      const d1 = relu ? dy[k1]! * +(y[k1]! > 0) : dy[k1]!;
      const d2 = relu ? dy[k2]! * +(y[k2]! > 0) : dy[k2]!;
      const d3 = relu ? dy[k3]! * +(y[k3]! > 0) : dy[k3]!;
      sdz[ch]! += d0 + d1 + (d2 + d3);
      sdzx[ch]! += d0 * x[k]! + d1 * x[k1]! + (d2 * x[k2]! + d3 * x[k3]!);
    }
  for (; i < end; i += c)
    for (let ch = 0; ch < c; ch++) {
      const dz = relu ? dy[i + ch]! * +(y[i + ch]! > 0) : dy[i + ch]!;
      sdz[ch]! += dz;
      sdzx[ch]! += dz * x[i + ch]!;
    }
}

/** The group of each channel. */
function groupOf(d: Dims): Int32Array {
  return Int32Array.from({ length: d.c }, (_, ch) => Math.floor(ch / d.cg));
}

/** y and, per image and group, the mean (row 0 of `stats`) and 1/√(variance + eps) (row 1). */
function forward(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, stats: Float32Array, d: Dims, eps: number, relu: boolean): void {
  const { n, hw, c, groups, cg } = d;
  const m = hw * cg, rows = n * groups, gof = groupOf(d);
  const acc = new Float64Array(groups), rstd = new Float64Array(groups);
  // Per channel, then per group: the inner loops run over a pixel's contiguous channels.
  const chAcc = new Float64Array(c), chMean = new Float64Array(c), scale = new Float64Array(c), shift = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    const base = b * hw * c, end = base + hw * c;
    channelSums(x, base, end, c, chAcc);
    acc.fill(0);
    for (let ch = 0; ch < c; ch++) acc[gof[ch]!]! += chAcc[ch]!;
    for (let ch = 0; ch < c; ch++) chMean[ch] = acc[gof[ch]!]! / m;
    centredSquares(x, base, end, c, chMean, chAcc);
    acc.fill(0);
    for (let ch = 0; ch < c; ch++) acc[gof[ch]!]! += chAcc[ch]!;
    for (let g = 0; g < groups; g++) {
      stats[b * groups + g] = chMean[g * cg]!;
      rstd[g] = 1 / Math.sqrt(acc[g]! / m + eps);
      stats[rows + b * groups + g] = rstd[g]!;
    }
    // y = (x − mean)·rstd·gamma + beta = x·scale + shift per channel.
    for (let ch = 0; ch < c; ch++) {
      const r = rstd[gof[ch]!]!;
      scale[ch] = r * gamma[ch]!;
      shift[ch] = beta[ch]! - chMean[ch]! * r * gamma[ch]!;
    }
    if (relu) {
      // max(v, 0) as (v + |v|)/2, exact in float64: activations' signs are close to random, and the select's mispredicted branches made this loop 6× slower.
      for (let i = base; i < end; i += c)
        for (let ch = 0; ch < c; ch++) {
          const v = x[i + ch]! * scale[ch]! + shift[ch]!;
          y[i + ch] = (v + Math.abs(v)) * 0.5;
        }
    } else for (let i = base; i < end; i += c) for (let ch = 0; ch < c; ch++) y[i + ch] = x[i + ch]! * scale[ch]! + shift[ch]!;
  }
}

function backward(dy: Float32Array, x: Float32Array, gamma: Float32Array, y: Float32Array, stats: Float32Array, dx: Float32Array, dgammaOut: Float32Array, dbetaOut: Float32Array, d: Dims, relu: boolean): void {
  const { n, hw, c, groups, cg } = d;
  const m = hw * cg, rows = n * groups, gof = groupOf(d);
  const dgamma = new Float64Array(c), dbeta = new Float64Array(c);
  // Per image: Σ dz and Σ dz·x per channel; the group sums of d(xhat) and d(xhat)·xhat follow from them.
  const sdz = new Float64Array(c), sdzx = new Float64Array(c), mu = new Float64Array(c), r = new Float64Array(c);
  const k1 = new Float64Array(c), k2 = new Float64Array(c), k3 = new Float64Array(c);
  const sumD = new Float64Array(groups), sumDX = new Float64Array(groups);
  for (let b = 0; b < n; b++) {
    const base = b * hw * c, end = base + hw * c, st = b * groups;
    for (let ch = 0; ch < c; ch++) {
      mu[ch] = stats[st + gof[ch]!]!;
      r[ch] = stats[rows + st + gof[ch]!]!;
    }
    gradSums(dy, x, y, relu, base, end, c, sdz, sdzx);
    sumD.fill(0);
    sumDX.fill(0);
    for (let ch = 0; ch < c; ch++) {
      // Σ dz·xhat = r·(Σ dz·x − mu·Σ dz).
      const dzxh = r[ch]! * (sdzx[ch]! - mu[ch]! * sdz[ch]!);
      dbeta[ch]! += sdz[ch]!;
      dgamma[ch]! += dzxh;
      sumD[gof[ch]!]! += gamma[ch]! * sdz[ch]!;
      sumDX[gof[ch]!]! += gamma[ch]! * dzxh;
    }
    // dx = r·(dz·gamma − a − xhat·bb) = dz·k1 + x·k2 + k3 per channel.
    for (let ch = 0; ch < c; ch++) {
      const g = gof[ch]!, a = sumD[g]! / m, bb = sumDX[g]! / m, rc = r[ch]!;
      k1[ch] = rc * gamma[ch]!;
      k2[ch] = -rc * rc * bb;
      k3[ch] = -rc * a + rc * rc * bb * mu[ch]!;
    }
    for (let i = base; i < end; i += c)
      for (let ch = 0; ch < c; ch++) {
        const dz = relu ? dy[i + ch]! * +(y[i + ch]! > 0) : dy[i + ch]!;
        dx[i + ch] = dz * k1[ch]! + x[i + ch]! * k2[ch]! + k3[ch]!;
      }
  }
  dgammaOut.set(dgamma);
  dbetaOut.set(dbeta);
}
