/**
 * The shared convolutional trunk: a strided backbone and a top-down feature
 * pyramid. Kept tiny so that a detector trains on two CPU cores.
 */
import type { Params } from './params.js';
import { tf, type Tensor4D } from './tf.js';

export interface NetConfig {
  /** Channels of the backbone stages; stage i has stride 2^(i+1). */
  readonly channels: readonly number[];
  /** Channels of every pyramid level. */
  readonly fpn: number;
  /** Pyramid levels as log2(stride), e.g. [3, 4, 5] for strides 8, 16, 32. */
  readonly levels: readonly number[];
}

export const DEFAULT_NET: NetConfig = { channels: [16, 32, 48, 64, 96], fpn: 32, levels: [3, 4, 5] };

export function strides(cfg: NetConfig): number[] {
  return cfg.levels.map((l) => 2 ** l);
}

/** Creates the backbone and pyramid parameters. */
export function initTrunk(p: Params, cfg: NetConfig): void {
  let cin = 3;
  cfg.channels.forEach((c, i) => {
    p.conv(`backbone.${i}.down`, 3, cin, c);
    // A second, stride-1 convolution from stride 4 on adds depth where it is cheap.
    if (i > 0) p.conv(`backbone.${i}.conv`, 3, c, c);
    cin = c;
  });
  for (const l of cfg.levels) {
    p.conv(`fpn.lateral${l}`, 1, cfg.channels[l - 1]!, cfg.fpn, { std: Math.sqrt(1 / cfg.channels[l - 1]!) });
    p.conv(`fpn.out${l}`, 3, cfg.fpn, cfg.fpn, { std: Math.sqrt(1 / (9 * cfg.fpn)) });
  }
}

/** Runs the trunk: one feature map per pyramid level, finest first. */
export function runTrunk(p: Params, cfg: NetConfig, images: Tensor4D): Tensor4D[] {
  const stages: Tensor4D[] = [];
  let x = images;
  cfg.channels.forEach((_, i) => {
    x = p.applyConv(`backbone.${i}.down`, x, 2);
    if (i > 0) x = p.applyConv(`backbone.${i}.conv`, x, 1);
    stages.push(x);
  });
  const levels = [...cfg.levels].sort((a, b) => b - a);
  const out = new Map<number, Tensor4D>();
  let top: Tensor4D | undefined;
  for (const l of levels) {
    let lat = p.applyConv(`fpn.lateral${l}`, stages[l - 1]!, 1, false);
    if (top) lat = tf.add(lat, tf.image.resizeNearestNeighbor(top, [lat.shape[1], lat.shape[2]])) as Tensor4D;
    top = lat;
    out.set(l, p.applyConv(`fpn.out${l}`, lat, 1, false));
  }
  return cfg.levels.map((l) => out.get(l)!);
}
