/**
 * The shared convolutional trunk: a backbone (backbone.ts) and mmdetection's
 * FPN. Laterals (1×1) on C_lo…C5, a top-down pathway with nearest
 * up-sampling, a 3×3 output convolution per level, and levels above 5 built
 * either as FCOS builds them (P6 = stride-2 3×3 conv of P5's output, P7 = the
 * same of ReLU(P6)) or as Faster R-CNN does (P6 = P5 subsampled by 2).
 */
import { BACKBONE_TABLE, type BackboneKind } from './backbone.js';
import type { DetectorOptions } from './types.js';
import type { NormKind } from './norm.js';
import type { Params } from './params.js';
import { tf, type Tensor4D } from './tf.js';

export interface NetConfig {
  readonly backbone: BackboneKind;
  /** Normalisation of ResNet backbones (tiny has none). */
  readonly norm: NormKind;
  /** Channels of every pyramid level. */
  readonly fpn: number;
  /** Pyramid levels as log2(stride), e.g. [3, 4, 5, 6, 7] for strides 8…128. */
  readonly levels: readonly number[];
  /** How levels above 5 are made: `conv` (FCOS, on P5's output) or `pool` (Faster R-CNN). */
  readonly extra: 'conv' | 'pool';
}

export function strides(cfg: NetConfig): number[] {
  return cfg.levels.map((l) => 2 ** l);
}

const inputLevels = (cfg: NetConfig): number[] => cfg.levels.filter((l) => l <= 5);

/** Creates the backbone and pyramid parameters. */
export function initTrunk(p: Params, cfg: NetConfig): void {
  const bb = BACKBONE_TABLE[cfg.backbone];
  bb.init(p, cfg.norm);
  for (const l of inputLevels(cfg)) {
    const cin = bb.channels[l - 2]!;
    p.conv(`fpn.lateral${l}`, 1, cin, cfg.fpn, { std: Math.sqrt(1 / cin) });
    p.conv(`fpn.out${l}`, 3, cfg.fpn, cfg.fpn, { std: Math.sqrt(1 / (9 * cfg.fpn)) });
  }
  if (cfg.extra === 'conv') for (const l of cfg.levels.filter((x) => x > 5)) p.conv(`fpn.extra${l}`, 3, cfg.fpn, cfg.fpn, { std: Math.sqrt(1 / (9 * cfg.fpn)) });
}

/** Runs the trunk: one feature map per pyramid level, finest first. */
export function runTrunk(p: Params, cfg: NetConfig, images: Tensor4D): Tensor4D[] {
  const c = BACKBONE_TABLE[cfg.backbone].run(p, cfg.norm, images);
  const out = new Map<number, Tensor4D>();
  let top: Tensor4D | undefined;
  for (const l of [...inputLevels(cfg)].sort((a, b) => b - a)) {
    let lat = p.applyConv(`fpn.lateral${l}`, c[l - 2]!, 1, false);
    if (top) lat = tf.add(lat, tf.image.resizeNearestNeighbor(top, [lat.shape[1], lat.shape[2]])) as Tensor4D;
    top = lat;
    out.set(l, p.applyConv(`fpn.out${l}`, lat, 1, false));
  }
  for (const l of cfg.levels.filter((x) => x > 5).sort((a, b) => a - b)) {
    const below = out.get(l - 1)!;
    out.set(
      l,
      cfg.extra === 'pool'
        ? (tf.maxPool(below, 1, 2, 'valid') as Tensor4D)
        : p.applyConv(`fpn.extra${l}`, l === 6 ? below : tf.relu(below), 2, false, 1),
    );
  }
  return cfg.levels.map((l) => out.get(l)!);
}

/** The trunk of a detector built with `opts` on pyramid `levels`. */
export function netFor(opts: DetectorOptions, levels: readonly number[], extra: NetConfig['extra']): NetConfig {
  const backbone = opts.backbone ?? 'tiny';
  return { backbone, norm: opts.norm ?? 'gn', fpn: opts.fpnChannels ?? BACKBONE_TABLE[backbone].fpnChannels, levels, extra };
}

/** Head convolutions per tower: the option, else the backbone's default. */
export function headConvsFor(opts: DetectorOptions): number {
  return opts.headConvs ?? BACKBONE_TABLE[opts.backbone ?? 'tiny'].headConvs;
}
