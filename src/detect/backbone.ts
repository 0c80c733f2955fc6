/**
 * Backbones, one typed table entry per name: each returns the feature maps
 * C2–C5 (strides 4, 8, 16, 32) that the feature pyramid reads.
 *
 * - `tiny`: five 3×3 stride-2 convolutions (a stride-1 one after each from
 *   stride 4 on), ReLU, no normalisation: fast enough for `npm start`.
 * - `resnet18`, `resnet50`: torchvision's ResNet (BasicBlock / Bottleneck,
 *   stride on the 3×3 convolution, "pytorch" style as mmdetection), with
 *   frozen BatchNorm (a converted checkpoint's statistics) or GroupNorm
 *   (training from scratch), and torchvision's parameter names, so that a
 *   converted state_dict loads by name (weights.ts).
 *
 * Every backbone names its stem and its four stages (C2–C5), so that
 * `frozenStages` keeps the first ones fixed as mmdetection's ResNet does.
 */
import { UserError } from '../util/errors.js';
import { applyNorm, initNorm, type NormKind } from './norm.js';
import type { Params } from './params.js';
import { tf, type Tensor4D, type Variable } from './tf.js';

export const BACKBONES = ['tiny', 'resnet18', 'resnet50'] as const;
export type BackboneKind = (typeof BACKBONES)[number];

export interface BackboneSpec {
  readonly summary: string;
  /** Channels of C2, C3, C4, C5. */
  readonly channels: readonly [number, number, number, number];
  /** FPN width and head convolutions mmdetection would use with it (tiny: sized for a CPU). */
  readonly fpnChannels: number;
  readonly headConvs: number;
  /** Parameter-name prefixes of the stem, then of stages 1–4 (the ones producing C2–C5). */
  readonly stages: readonly [readonly string[], readonly string[], readonly string[], readonly string[], readonly string[]];
  readonly init: (p: Params, norm: NormKind) => void;
  readonly run: (p: Params, norm: NormKind, x: Tensor4D) => Tensor4D[];
}

/** Channels of the tiny backbone's five stages (strides 2…32). */
export const TINY_CHANNELS = [16, 32, 48, 64, 96] as const;

function initTiny(p: Params): void {
  let cin = 3;
  TINY_CHANNELS.forEach((c, i) => {
    p.conv(`backbone.${i}.down`, 3, cin, c);
    // A second, stride-1 convolution from stride 4 on adds depth where it is cheap.
    if (i > 0) p.conv(`backbone.${i}.conv`, 3, c, c);
    cin = c;
  });
}

function runTiny(p: Params, x: Tensor4D): Tensor4D[] {
  const stages: Tensor4D[] = [];
  TINY_CHANNELS.forEach((_, i) => {
    x = p.applyConv(`backbone.${i}.down`, x, 2);
    if (i > 0) x = p.applyConv(`backbone.${i}.conv`, x, 1);
    stages.push(x);
  });
  return stages.slice(1);
}

interface ResNetShape {
  readonly blocks: readonly [number, number, number, number];
  readonly bottleneck: boolean;
}

const expansion = (r: ResNetShape): number => (r.bottleneck ? 4 : 1);

function initResNet(r: ResNetShape, p: Params, norm: NormKind): void {
  p.conv('backbone.conv1', 7, 3, 64, { bias: false });
  initNorm(p, 'backbone.bn1', norm, 64);
  let cin = 64;
  r.blocks.forEach((n, li) => {
    const planes = 64 * 2 ** li, cout = planes * expansion(r);
    for (let b = 0; b < n; b++) {
      const name = `backbone.layer${li + 1}.${b}`;
      const stride = b === 0 && li > 0 ? 2 : 1;
      if (r.bottleneck) {
        p.conv(`${name}.conv1`, 1, cin, planes, { bias: false });
        p.conv(`${name}.conv2`, 3, planes, planes, { bias: false });
        p.conv(`${name}.conv3`, 1, planes, cout, { bias: false });
        for (const [k, c] of [[1, planes], [2, planes], [3, cout]] as const) initNorm(p, `${name}.bn${k}`, norm, c);
      } else {
        p.conv(`${name}.conv1`, 3, cin, planes, { bias: false });
        p.conv(`${name}.conv2`, 3, planes, planes, { bias: false });
        initNorm(p, `${name}.bn1`, norm, planes);
        initNorm(p, `${name}.bn2`, norm, planes);
      }
      if (stride !== 1 || cin !== cout) {
        p.conv(`${name}.downsample.0`, 1, cin, cout, { bias: false });
        initNorm(p, `${name}.downsample.1`, norm, cout);
      }
      cin = cout;
    }
  });
}

function runResNet(r: ResNetShape, p: Params, norm: NormKind, x: Tensor4D): Tensor4D[] {
  // PyTorch pads symmetrically; tfjs's 'same' pads stride-2 convolutions unevenly, so padding is explicit.
  x = applyNorm(p, 'backbone.bn1', norm, p.applyConv('backbone.conv1', x, 2, false, 3), true);
  x = tf.maxPool(x, 3, 2, 1);
  const outs: Tensor4D[] = [];
  r.blocks.forEach((n, li) => {
    for (let b = 0; b < n; b++) {
      const name = `backbone.layer${li + 1}.${b}`;
      const stride = b === 0 && li > 0 ? 2 : 1;
      let y: Tensor4D;
      if (r.bottleneck) {
        y = applyNorm(p, `${name}.bn1`, norm, p.applyConv(`${name}.conv1`, x, 1, false, 0), true);
        y = applyNorm(p, `${name}.bn2`, norm, p.applyConv(`${name}.conv2`, y, stride, false, 1), true);
        y = applyNorm(p, `${name}.bn3`, norm, p.applyConv(`${name}.conv3`, y, 1, false, 0), false);
      } else {
        y = applyNorm(p, `${name}.bn1`, norm, p.applyConv(`${name}.conv1`, x, stride, false, 1), true);
        y = applyNorm(p, `${name}.bn2`, norm, p.applyConv(`${name}.conv2`, y, 1, false, 1), false);
      }
      const identity = p.has(`${name}.downsample.0.w`)
        ? applyNorm(p, `${name}.downsample.1`, norm, p.applyConv(`${name}.downsample.0`, x, stride, false, 0), false)
        : x;
      x = tf.relu(tf.add(y, identity)) as Tensor4D;
    }
    outs.push(x);
  });
  return outs;
}

const RESNET_STAGES: BackboneSpec['stages'] = [['backbone.conv1.', 'backbone.bn1.'], ['backbone.layer1.'], ['backbone.layer2.'], ['backbone.layer3.'], ['backbone.layer4.']];

const RESNET18: ResNetShape = { blocks: [2, 2, 2, 2], bottleneck: false };
const RESNET50: ResNetShape = { blocks: [3, 4, 6, 3], bottleneck: true };

export const BACKBONE_TABLE: Record<BackboneKind, BackboneSpec> = {
  tiny: {
    summary: 'five strided 3×3 convolutions, no normalisation (fast on a CPU)',
    channels: [TINY_CHANNELS[1], TINY_CHANNELS[2], TINY_CHANNELS[3], TINY_CHANNELS[4]],
    fpnChannels: 32,
    headConvs: 2,
    // The stride-2 convolution is the stem; each later stage's pair of convolutions one stage.
    stages: [['backbone.0.'], ['backbone.1.'], ['backbone.2.'], ['backbone.3.'], ['backbone.4.']],
    init: (p) => initTiny(p),
    run: (p, _norm, x) => runTiny(p, x),
  },
  resnet18: {
    summary: 'ResNet-18 (torchvision layout)',
    channels: [64, 128, 256, 512],
    fpnChannels: 256,
    headConvs: 4,
    stages: RESNET_STAGES,
    init: (p, norm) => initResNet(RESNET18, p, norm),
    run: (p, norm, x) => runResNet(RESNET18, p, norm, x),
  },
  resnet50: {
    summary: 'ResNet-50 (torchvision layout)',
    channels: [256, 512, 1024, 2048],
    fpnChannels: 256,
    headConvs: 4,
    stages: RESNET_STAGES,
    init: (p, norm) => initResNet(RESNET50, p, norm),
    run: (p, norm, x) => runResNet(RESNET50, p, norm, x),
  },
};

/** The values `frozenStages` takes: -1 freezes nothing, 0 the stem, k the stem and stages 1…k (mmdetection's `frozen_stages`). */
export const FROZEN_STAGES = [-1, 0, 1, 2, 3, 4] as const;

/**
 * The frozen stages a run uses: `requested` when given, else mmdetection's
 * rule for its ResNet configurations, 1 (stem and first stage) when the
 * backbone starts from converted pretrained weights and -1 (nothing) for a
 * randomly initialised one, whose early layers have nothing worth keeping.
 */
export function resolveFrozenStages(requested: number | undefined, pretrained: boolean): number {
  const n = requested ?? (pretrained ? 1 : -1);
  if (!(FROZEN_STAGES as readonly number[]).includes(n)) throw new UserError(`frozen stages must be an integer from -1 to 4 (-1: none, 0: the stem, k: the stem and stages 1…k), got ${n}`);
  return n;
}

/** Whether parameter `name` of backbone `kind` lies in its first `frozenStages` stages (the stem counting as stage 0). */
export function isFrozen(kind: BackboneKind, frozenStages: number, name: string): boolean {
  return BACKBONE_TABLE[kind].stages.slice(0, frozenStages + 1).some((prefixes) => prefixes.some((pre) => name.startsWith(pre)));
}

/**
 * The parameters an optimiser updates: all but the frozen stages'. Those get
 * no gradient and keep their values; their normalisation runs as at
 * evaluation (frozen BatchNorm always does; GroupNorm has no training mode),
 * as mmdetection puts frozen stages in eval mode.
 */
export function trainableEntries(p: Params, kind: BackboneKind, frozenStages: number): [string, Variable][] {
  return p.entries().filter(([name]) => !isFrozen(kind, frozenStages, name));
}
