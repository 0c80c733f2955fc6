/**
 * The fixed training step `bench:train` times and profiles: one detector on
 * one fixed batch (8 smooth-random 128×128 images, 1–3 boxes each, 5
 * classes), its default losses, Adam. The PyTorch peer (train_peer.py) builds
 * the same network, batch and losses from the spec `peerSpec` returns.
 */
import { createDetector } from '../src/detect/create-detector.js';
import { TINY_CHANNELS } from '../src/detect/backbone.js';
import { fcosConfig } from '../src/detect/fcos.js';
import { strides } from '../src/detect/network.js';
import { tf } from '../src/detect/tf.js';
import type { DetectorKind, ImageTargets } from '../src/detect/types.js';
import { SeededRng as Rng } from '../src/util/rng.js';
import { DEFAULT_OPTIMIZER, Optimizer } from '../src/train/optimizer.js';
import { createStepper } from '../src/train/parallel.js';
import { DEFAULT_LOSSES, makeDetectorLosses } from '../src/train/trainer.js';

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

/** What the PyTorch peer needs to build the same step (see train_peer.py). */
export function peerSpec(detector: DetectorKind, imagesFile: string, batch: Batch, reps: number): object {
  // The peer's Faster R-CNN is the earlier single-level design (P3 only, 12 anchors, RoIAlign 5×5):
  // it is not the FPN Faster R-CNN the project now trains, so its ratio compares different networks.
  const r = { anchorSizes: [16, 32, 64, 128], anchorRatios: [0.5, 1, 2], rpnSamples: 64, proposalsTrain: 100, roiSamples: 32, roiPosFraction: 0.25, roiOut: 5, fc: 128 };
  const f = fcosConfig();
  return {
    detector,
    images: imagesFile,
    batch: B,
    size: S,
    classes: C,
    channels: TINY_CHANNELS,
    fpn: f.net.fpn,
    strides: detector === 'fcos' ? strides(f.net) : [8, 16, 32],
    headConvs: f.towerConvs,
    rcnn: { anchorSizes: r.anchorSizes, anchorRatios: r.anchorRatios, rpnSamples: r.rpnSamples, proposalsTrain: r.proposalsTrain, roiSamples: r.roiSamples, roiPosFraction: r.roiPosFraction, roiOut: r.roiOut, fc: r.fc },
    targets: batch.targets.map((t) => ({ boxes: Array.from(t.boxes), labels: Array.from(t.labels) })),
    reps,
  };
}

/** One training step (forward, losses, backward, Adam) of `detector` on the fixed batch; `dispose` frees it. */
export function makeStep(detector: DetectorKind, batch: Batch): { step: () => number; dispose: () => void } {
  const det = createDetector(detector, C, new Rng(0));
  const losses = makeDetectorLosses(detector, DEFAULT_LOSSES[detector].cls, DEFAULT_LOSSES[detector].reg);
  const entries = det.params.entries();
  const nameOf = new Map(entries.map(([n, v]) => [v.name, n]));
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 });
  const x = tf.tensor4d(batch.images, [B, S, S, 3]);
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
  const stepper = await createStepper(workers, det, losses, { detector, numClasses: C, seed: 0, clsLoss: cls, regLoss: reg, recipe: losses.recipe, backend: 'wasm' }, B);
  const entries = det.params.entries();
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: 'adam', weightDecay: 0, clipNorm: 0 });
  const rng = new Rng(1);
  const host = { images: batch.images, shape: [B, S, S, 3] as [number, number, number, number], targets: batch.targets };
  return {
    step: async () => {
      const { values, grads } = await stepper.step(host, rng);
      opt.stepArrays(entries, grads, 2e-3);
      stepper.publish();
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
