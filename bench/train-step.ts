/**
 * The fixed training step `bench:train` times and profiles: one detector on
 * one fixed batch (8 smooth-random 128×128 images, 1–3 boxes each, 5
 * classes), its default losses, Adam. The PyTorch peer (train_peer.py) builds
 * the same network, batch and losses from the spec `peerSpec` returns.
 */
import { createDetector } from '../src/detect/create-detector.js';
import { TINY_CHANNELS } from '../src/detect/backbone.js';
import { MAX_LOG_RATIO } from '../src/detect/boxes.js';
import { fcosConfig } from '../src/detect/fcos.js';
import type { NetConfig } from '../src/detect/network.js';
import { RPN_STDS } from '../src/detect/rpn.js';
import { twoStageConfig } from '../src/detect/two-stage.js';
import { tf } from '../src/detect/tf.js';
import type { DetectorKind, ImageTargets } from '../src/detect/types.js';
import { SeededRng as Rng } from '../src/util/rng.js';
import { DEFAULT_OPTIMIZER, Optimizer } from '../src/train/optimizer.js';
import { createStepper } from '../src/train/parallel.js';
import { DEFAULT_LOSSES, makeDetectorLosses, recipeOf } from '../src/train/trainer.js';

export const B = 8, S = 128, C = 5;

export interface Batch {
  readonly images: Float32Array;
  readonly targets: ImageTargets[];
}

/** A fixed batch: smooth random images and 1–3 boxes per image. */
export function makeBatch(): Batch {
  const rng = new Rng(42);
  const images = new Float32Array(B * S * S * 3);
  for (let i = 0; i < images.length; i++) images[i] = rng.next();
  const targets = Array.from({ length: B }, () => {
    const k = 1 + rng.int(3);
    const boxes = new Float32Array(4 * k), labels = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      const w = 14 + rng.next() * 70, x = rng.next() * (S - w), y = rng.next() * (S - w);
      boxes.set([x, y, x + w, y + w], 4 * j);
      labels[j] = rng.int(C);
    }
    return { boxes, labels };
  });
  return { images, targets };
}

/** The trunk as the peer builds it: the tiny backbone's stage widths and the pyramid. */
function trunkSpec(net: NetConfig): object {
  if (net.backbone !== 'tiny') throw new Error(`the PyTorch peer builds the tiny backbone, not ${net.backbone}`);
  return { channels: TINY_CHANNELS, fpn: net.fpn, levels: net.levels, extra: net.extra };
}

/**
 * What the PyTorch peer needs to build the same step (see train_peer.py):
 * every size, count and threshold read from the configuration the detector
 * is built from (`fcosConfig()`, `twoStageConfig('faster-rcnn')`, the
 * default losses and their recipe), none restated here.
 */
export function peerSpec(detector: DetectorKind, imagesFile: string, batch: Batch): object {
  const losses = { ...DEFAULT_LOSSES[detector], regWeight: recipeOf({ detector, regLoss: DEFAULT_LOSSES[detector].reg }).regWeight };
  const common = {
    detector,
    images: imagesFile,
    batch: B,
    size: S,
    classes: C,
    losses,
    targets: batch.targets.map((t) => ({ boxes: Array.from(t.boxes), labels: Array.from(t.labels) })),
  };
  if (detector === 'fcos') {
    const f = fcosConfig();
    return { ...common, net: trunkSpec(f.net), headConvs: f.towerConvs, radius: f.radius };
  }
  if (detector === 'faster-rcnn') {
    const t = twoStageConfig(detector);
    const [stage, ...more] = t.stages;
    if (!stage || more.length || t.mask || t.classAgnostic) throw new Error('the PyTorch peer builds one class-specific box stage without masks');
    return {
      ...common,
      net: trunkSpec(t.net),
      rcnn: {
        rpn: { ...t.rpn, stds: RPN_STDS },
        // P2–P5 pool RoIs; the coarsest level only proposes (two-stage.ts).
        roiLevels: t.net.levels.length - 1,
        roiSamples: t.roiSamples,
        roiPosFraction: t.roiPosFraction,
        roiOut: t.roiOut,
        samplingRatio: t.samplingRatio,
        finestScale: t.finestScale,
        fcs: t.fcs,
        iou: stage.iou,
        stds: stage.stds,
        maxLogRatio: MAX_LOG_RATIO,
      },
    };
  }
  throw new Error(`no PyTorch peer for ${detector}`);
}

/** Trainable parameters (values) of `detector` as the step builds it. */
export function paramCount(detector: DetectorKind): number {
  const det = createDetector(detector, C, new Rng(0));
  const n = det.params.entries().reduce((a, [, v]) => a + v.size, 0);
  det.params.dispose();
  return n;
}

/** One training step (forward, losses, backward, Adam) of `detector` on the fixed batch; `dispose` frees it. */
export function makeStep(detector: DetectorKind, batch: Batch): { step: () => number; dispose: () => void } {
  const det = createDetector(detector, C, new Rng(0));
  const losses = makeDetectorLosses(detector, DEFAULT_LOSSES[detector].cls, DEFAULT_LOSSES[detector].reg);
  const entries = det.params.entries();
  const nameOf = new Map(entries.map(([n, v]) => [v.name, n]));
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 });
  const x = tf.tensor4d(batch.images, [batch.targets.length, S, S, 3]);
  const rng = new Rng(1);
  const step = (): number => {
    const { value, grads } = tf.variableGrads(() => tf.addN(Object.values(det.losses(x, batch.targets, losses, rng))) as tf.Scalar, entries.map(([, v]) => v));
    opt.step(entries, new Map(Object.entries(grads).map(([vn, g]) => [nameOf.get(vn)!, g])), 2e-3);
    const v = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return v;
  };
  return {
    step,
    dispose: () => {
      x.dispose();
      opt.dispose();
      det.params.dispose();
    },
  };
}

/** The same step split over `workers` data-parallel worker threads (src/train/parallel.ts). */
export async function makeParallelStep(detector: DetectorKind, batch: Batch, workers: number): Promise<{ step: () => Promise<number>; dispose: () => Promise<void> }> {
  const det = createDetector(detector, C, new Rng(0));
  const { cls, reg } = DEFAULT_LOSSES[detector];
  const losses = makeDetectorLosses(detector, cls, reg);
  const stepper = await createStepper(workers, det, losses, { detector, numClasses: C, seed: 0, clsLoss: cls, regLoss: reg, recipe: losses.recipe, backend: 'wasm' }, batch.targets.length);
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 });
  const rng = new Rng(1);
  const host = { images: batch.images, shape: [batch.targets.length, S, S, 3] as [number, number, number, number], targets: batch.targets };
  return {
    step: async () => {
      const { values } = await stepper.step(host, rng);
      await stepper.update(opt, 2e-3);
      return values['loss']!;
    },
    dispose: async () => {
      await stepper.close();
      det.params.dispose();
    },
  };
}

/** Per-kernel totals of one profiled step, largest first, and the step's wall time. */
export async function profileStep(step: () => number): Promise<{ wallMs: number; kernelMs: number; kernels: { name: string; ms: number; calls: number }[] }> {
  step();
  const t = performance.now();
  const info = await tf.profile(() => {
    step();
  });
  const wallMs = performance.now() - t;
  const by = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = by.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += Number(k.kernelTimeMs) || 0;
    e.calls += 1;
    by.set(k.name, e);
  }
  const kernels = [...by].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
  return { wallMs, kernelMs: kernels.reduce((a, k) => a + k.ms, 0), kernels };
}
