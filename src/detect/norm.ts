/**
 * The normalisations mmdetection's configurations use: frozen BatchNorm
 * (statistics and affine fixed, from a checkpoint; what pretrained ResNets
 * run with) and GroupNorm (trainable affine; what its heads and its
 * from-scratch backbones use). Both act on NHWC maps.
 */
import type { Params } from './params.js';
import { groupNorm } from '../train/group-norm.js';
import { tf, type Tensor1D, type Tensor4D } from './tf.js';

export const NORMS = ['frozen-bn', 'gn'] as const;
export type NormKind = (typeof NORMS)[number];

/** PyTorch's BatchNorm and GroupNorm epsilon. */
const EPS = 1e-5;

/** GroupNorm's group count: 32 as mmdetection, fewer for narrow layers so that each group keeps ≥ 4 channels. */
function groupsFor(channels: number): number {
  let g = Math.min(32, Math.max(1, Math.floor(channels / 4)));
  while (channels % g !== 0) g--;
  return g;
}

/** Creates the tensors of norm layer `name` over `channels` (torchvision's names: weight, bias, running_mean, running_var). */
export function initNorm(p: Params, name: string, kind: NormKind, channels: number): void {
  if (kind === 'gn') {
    p.constant(`${name}.weight`, [channels], 1);
    p.constant(`${name}.bias`, [channels], 0);
    return;
  }
  p.buffer(`${name}.weight`, [channels], 1);
  p.buffer(`${name}.bias`, [channels], 0);
  p.buffer(`${name}.running_mean`, [channels], 0);
  p.buffer(`${name}.running_var`, [channels], 1);
}

/** Applies norm layer `name`, then ReLU when asked. */
export function applyNorm(p: Params, name: string, kind: NormKind, x: Tensor4D, relu: boolean): Tensor4D {
  const w = p.tensor(`${name}.weight`) as Tensor1D, b = p.tensor(`${name}.bias`) as Tensor1D;
  if (kind === 'frozen-bn') {
    const scale = tf.mul(w, tf.rsqrt(tf.add(p.tensor(`${name}.running_var`), EPS)));
    const shift = tf.sub(b, tf.mul(p.tensor(`${name}.running_mean`), scale));
    const y = tf.add(tf.mul(x, scale), shift) as Tensor4D;
    return relu ? tf.relu(y) : y;
  }
  return groupNorm(tf, x, w, b, groupsFor(x.shape[3]), EPS, relu);
}
