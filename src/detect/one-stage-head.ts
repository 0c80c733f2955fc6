/**
 * The head FCOS and ATSS share, as mmdetection builds it: separate
 * classification and regression towers of 3×3 convolutions, each followed
 * by GroupNorm and ReLU, run on every pyramid level with shared weights; a
 * learnable scale per level for the box branch, and a centerness branch on
 * the box tower.
 */
import { initTrunk, runTrunk, strides, type NetConfig } from './network.js';
import { applyNorm, initNorm } from './norm.js';
import { Params } from './params.js';
import { tf, type Tensor2D, type Tensor4D } from './tf.js';
import type { SeededRng as Rng } from '../util/rng.js';

export interface HeadConfig {
  readonly channels: number;
  readonly towerConvs: number;
  readonly numClasses: number;
  readonly numLevels: number;
}

/** The classification bias that makes every initial score 0.01 (focal-loss prior). */
const PRIOR_BIAS = -Math.log((1 - 0.01) / 0.01);

function initOneStageHead(p: Params, cfg: HeadConfig): void {
  for (let i = 0; i < cfg.towerConvs; i++) {
    // mmdetection initialises its head convolutions with N(0, 0.01²).
    p.conv(`head.cls${i}`, 3, cfg.channels, cfg.channels, { bias: false, std: 0.01 });
    initNorm(p, `head.cls${i}.gn`, 'gn', cfg.channels);
    p.conv(`head.reg${i}`, 3, cfg.channels, cfg.channels, { bias: false, std: 0.01 });
    initNorm(p, `head.reg${i}.gn`, 'gn', cfg.channels);
  }
  p.conv('head.cls', 3, cfg.channels, cfg.numClasses, { std: 0.01, bias: PRIOR_BIAS });
  p.conv('head.box', 3, cfg.channels, 4, { std: 0.01 });
  p.conv('head.ctr', 3, cfg.channels, 1, { std: 0.01 });
  for (let l = 0; l < cfg.numLevels; l++) p.constant(`head.scale${l}`, [], 1);
}

export interface HeadOutputs {
  /** [B·N, C] classification logits, image-major, levels finest first. */
  readonly cls: Tensor2D;
  /** [B·N, 4] raw box outputs, already multiplied by the level scale. */
  readonly box: Tensor2D;
  /** [B·N, 1] centerness logits. */
  readonly ctr: Tensor2D;
  /** Feature size per level. */
  readonly sizes: [number, number][];
  /** Locations per image (N). */
  readonly perImage: number;
}

function runOneStageHead(p: Params, cfg: HeadConfig, feats: readonly Tensor4D[]): HeadOutputs {
  const cls: Tensor4D[] = [], box: Tensor4D[] = [], ctr: Tensor4D[] = [];
  const b = feats[0]!.shape[0];
  feats.forEach((f, l) => {
    let c = f, r = f;
    for (let i = 0; i < cfg.towerConvs; i++) {
      c = applyNorm(p, `head.cls${i}.gn`, 'gn', p.applyConv(`head.cls${i}`, c, 1, false), true);
      r = applyNorm(p, `head.reg${i}.gn`, 'gn', p.applyConv(`head.reg${i}`, r, 1, false), true);
    }
    cls.push(p.applyConv('head.cls', c, 1, false));
    box.push(tf.mul(p.applyConv('head.box', r, 1, false), p.get(`head.scale${l}`)) as Tensor4D);
    ctr.push(p.applyConv('head.ctr', r, 1, false));
  });
  const flat = (ts: Tensor4D[], k: number): Tensor2D =>
    tf.reshape(tf.concat(ts.map((t) => tf.reshape(t, [b, -1, k])), 1), [-1, k]) as Tensor2D;
  const sizes = feats.map((f) => [f.shape[1], f.shape[2]] as [number, number]);
  return { cls: flat(cls, cfg.numClasses), box: flat(box, 4), ctr: flat(ctr, 1), sizes, perImage: sizes.reduce((a, [h, w]) => a + h * w, 0) };
}

export interface OneStageNet {
  readonly params: Params;
  /** Stride of each pyramid level. */
  readonly strides: number[];
  readonly head: HeadConfig;
  /** Trunk and head on a batch of images. */
  readonly forward: (images: Tensor4D) => HeadOutputs;
}

/**
 * The trunk (backbone + FPN) and shared head that FCOS and ATSS both use,
 * with weights drawn from `rng` in one fixed order.
 */
export function createOneStageNet(net: NetConfig, towerConvs: number, numClasses: number, rng: Rng): OneStageNet {
  const params = new Params(rng);
  const st = strides(net);
  const head: HeadConfig = { channels: net.fpn, towerConvs, numClasses, numLevels: st.length };
  initTrunk(params, net);
  initOneStageHead(params, head);
  return { params, strides: st, head, forward: (images) => runOneStageHead(params, head, runTrunk(params, net, images)) };
}
