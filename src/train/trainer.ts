/**
 * Training a detector end to end: data, backend, losses, optimizer,
 * progress, per-step metrics, checkpoints every epoch, exact resume,
 * divergence detection and the final COCO evaluation.
 *
 * Output folder:
 * - `metrics.jsonl`: one JSON object per line, `{"type":"step",...}` with each
 *   loss term, and `{"type":"eval",...}` with the 12 COCO numbers;
 * - `checkpoint/`: the last completed epoch (see checkpoint.ts);
 * - `eval.json` and `detections.json` (COCO results) on the validation split;
 *   for a detector that predicts masks also `segmentations.json` (mask
 *   results) and `segm_stats` (the 12 mask numbers) in eval.json;
 * - `run.json`: what was trained (detector, backbone, recipe, losses, seed,
 *   steps, backend), written when the run starts.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { maskProblem, type CocoDetection } from '../data/coco-format.js';
import { openDataset, type OpenedDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { toCocoDetections } from '../detect/coco-detections.js';
import { createDetector } from '../detect/create-detector.js';
import { DETECTOR_TABLE, resolveRecipe, type LossPair } from '../detect/detector-table.js';
import { SeededRng as Rng } from '../util/rng.js';
import { tf } from '../detect/tf.js';
import { resolveFrozenStages, type BackboneKind } from '../detect/backbone.js';
import type { NormKind } from '../detect/norm.js';
import { loadBackboneWeights } from '../detect/weights.js';
import { headConvsFor } from '../detect/network.js';
import { DETECTORS, type DetectorOptions, type CenternessTarget, type Detector, type DetectorKind, type DetectorLosses, type Recipe, type RecipeName } from '../detect/types.js';
import { statsByName } from '../metrics/coco-stats.js';
import { evaluateRun, maskResults, type RunEvaluation } from '../metrics/evaluate-run.js';
import { setupBackend, type BackendRequest } from './backend.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { l1Loss, makeClsLoss, makeRegLoss, smoothL1Loss } from './losses.js';
import { DEFAULT_OPTIMIZER, lrAt, Optimizer, type OptimizerKind } from './optimizer.js';
import { createStepper } from './parallel.js';
import { TrainProgress } from './progress.js';

export interface TrainConfig {
  readonly detector: DetectorKind;
  readonly clsLoss: string;
  readonly regLoss: string;
  /** `synthetic`, `fashion-mnist` or a COCO folder. */
  readonly data: string;
  /** Total steps; when absent, `epochs` × batches per epoch. */
  readonly steps?: number;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly backend: BackendRequest;
  /** Square input size (pixels). */
  readonly imageSize: number;
  readonly optimizer: OptimizerKind;
  /** Warm-up steps (linear from lr/10). */
  readonly warmup: number;
  /** Evaluate on the validation split every this many epochs (0: only at the end). */
  readonly evalEvery: number;
  /** Where built-in datasets are generated. */
  readonly cacheDir: string;
  /** Named recipe (default `mmdet`); the two fields below override it. */
  readonly recipe?: RecipeName;
  readonly centernessTarget?: CenternessTarget;
  readonly regWeight?: number;
  /** Data-parallel worker threads splitting each batch (parallel.ts); default 1, in-process. */
  readonly workers?: number;
  /** Backbone (default `tiny`), its normalisation, FPN width and head depth (defaults: the backbone's). */
  readonly backbone?: BackboneKind;
  readonly norm?: NormKind;
  readonly fpnChannels?: number;
  readonly headConvs?: number;
  readonly boxFc?: number;
  /** A backbone checkpoint converted from PyTorch (scripts/convert-torchvision.py). */
  readonly weights?: string;
  /** Backbone stages kept fixed (-1 none, 0 the stem, k the stem and stages 1…k); default 1 with `weights`, else -1 (backbone.ts). */
  readonly frozenStages?: number;
}

/** How the configuration builds its detector. */
export function detectorOptions(cfg: TrainConfig): DetectorOptions {
  return {
    backbone: cfg.backbone ?? 'tiny',
    // Converted weights come with BatchNorm statistics, which stay frozen; from scratch, GroupNorm (as mmdetection's configs).
    norm: cfg.norm ?? (cfg.weights ? 'frozen-bn' : 'gn'),
    ...(cfg.fpnChannels === undefined ? {} : { fpnChannels: cfg.fpnChannels }),
    ...(cfg.headConvs === undefined ? {} : { headConvs: cfg.headConvs }),
    ...(cfg.boxFc === undefined ? {} : { boxFc: cfg.boxFc }),
  };
}

const byDetector = <T>(f: (k: DetectorKind) => T): Record<DetectorKind, T> => Object.fromEntries(DETECTORS.map((k) => [k, f(k)])) as Record<DetectorKind, T>;

/** The default (reference) loss pair of each detector. */
export const DEFAULT_LOSSES: Record<DetectorKind, LossPair> = byDetector((k) => DETECTOR_TABLE[k].defaultLosses);

/** The published searched losses each detector family was trained with in the paper. */
export const PUBLISHED_LOSSES: Record<DetectorKind, LossPair> = byDetector((k) => DETECTOR_TABLE[k].publishedLosses);

export const DEFAULT_TRAIN: Omit<TrainConfig, 'clsLoss' | 'regLoss'> = {
  detector: 'fcos',
  data: 'synthetic',
  epochs: 4,
  batch: 8,
  lr: 2e-3,
  seed: 0,
  backend: 'auto',
  imageSize: 128,
  optimizer: 'adam',
  warmup: 50,
  evalEvery: 1,
  cacheDir: '.autoloss-cache',
};

/** The built-in losses on box deltas rather than on boxes. */
const DELTA_LOSSES = { l1: l1Loss, 'smooth-l1': smoothL1Loss } as const;

function deltaLoss(spec: string): (typeof DELTA_LOSSES)[keyof typeof DELTA_LOSSES] | undefined {
  return Object.hasOwn(DELTA_LOSSES, spec.trim()) ? DELTA_LOSSES[spec.trim() as keyof typeof DELTA_LOSSES] : undefined;
}

/** The recipe a configuration trains under (named preset plus overrides). */
export function recipeOf(cfg: Pick<TrainConfig, 'detector' | 'regLoss' | 'recipe' | 'centernessTarget' | 'regWeight'>): Recipe {
  return resolveRecipe(cfg.detector, cfg, deltaLoss(cfg.regLoss) !== undefined);
}

/**
 * The loss functions a detector trains with, under a recipe (default:
 * mmdetection's for that detector). One-stage detectors take `binary`
 * classification losses, two-stage ones `multi`; a loss of the wrong domain
 * is a user error naming the expected one.
 */
export function makeDetectorLosses(detector: DetectorKind, clsSpec: string, regSpec: string, recipe?: Recipe): DetectorLosses {
  const domain = DETECTOR_TABLE[detector].clsDomain;
  // Multi-domain expressions run as tfjs ops: the fused kernel's backward pass for
  // class-axis reductions reads its input after the loss's tidy has released it.
  const cls = makeClsLoss(clsSpec, domain, domain === 'multi' ? { kernel: 'tfjs' } : {});
  const r = recipe ?? recipeOf({ detector, regLoss: regSpec });
  const deltas = deltaLoss(regSpec);
  if (deltas) {
    if (domain !== 'multi') throw new UserError(`--reg-loss ${regSpec} is a loss on box deltas, which only two-stage detectors regress; ${detector} needs a reg-domain loss (e.g. giou, autoloss-b-reg)`);
    return { cls, reg: makeRegLoss('giou'), deltas, recipe: r };
  }
  return { cls, reg: makeRegLoss(regSpec), recipe: r };
}

export class DivergenceError extends UserError {
  override readonly name = 'DivergenceError';
}

export interface TrainResult {
  readonly out: string;
  /** The 12 COCO numbers on the validation split. */
  readonly stats: number[];
  /** The 12 COCO mask numbers, for a detector that predicts masks. */
  readonly segm_stats?: number[];
  readonly steps: number;
  readonly seconds: number;
  readonly backend: string;
}

export interface TrainRunOptions {
  readonly out: string;
  /** Continue from `out/checkpoint`. */
  readonly resume?: boolean;
  readonly quiet?: boolean;
  /** Progress label (compare prints which run). */
  readonly label?: string;
  /** Steps between extra checkpoints (besides every epoch); 0: none. */
  readonly checkpointEvery?: number;
  /** On resume: a new total length (the checkpoint's configuration is kept otherwise). */
  readonly steps?: number;
  readonly epochs?: number;
  /** Stop after this step (for tests of resume); the run can then be resumed. */
  readonly stopAfter?: number;
}

/** Runs the detector over a split and returns COCO results for it. */
function detectSplit(det: Detector, ds: OpenedDataset, loader: DataLoader): CocoDetection[] {
  const dets: CocoDetection[] = [];
  const split = ds[loader.split];
  const sizeOf = new Map(split.images.map((im) => [im.id, [im.height, im.width] as const]));
  for (let i = 0; i < loader.length; i++) {
    const b = loader.batch(0, i);
    const images = tf.tensor4d(b.images, b.shape);
    const raw = det.predict(images);
    images.dispose();
    raw.forEach((r, k) => dets.push(...toCocoDetections(r, b.imageIds[k]!, b.scales[k]!, ds.categories, sizeOf.get(b.imageIds[k]!))));
  }
  return dets;
}

/** What `run.json` records about a run. */
export interface RunRecord {
  readonly detector: DetectorKind;
  readonly backbone: BackboneKind;
  readonly norm: NormKind | null;
  readonly headConvs: number;
  readonly weights?: string;
  readonly frozenStages: number;
  readonly recipe: { readonly name: RecipeName; readonly centernessTarget: CenternessTarget | null; readonly regWeight: number };
  readonly losses: LossPair;
  readonly seed: number;
  readonly steps: number;
  readonly backend: string;
  readonly data: string;
}

/** The run record of a configuration (the centerness target is null for detectors without that branch). */
export function runRecord(cfg: TrainConfig, recipe: Recipe, steps: number, backend: string): RunRecord {
  return {
    detector: cfg.detector,
    backbone: detectorOptions(cfg).backbone!,
    norm: detectorOptions(cfg).backbone === 'tiny' ? null : detectorOptions(cfg).norm!,
    headConvs: headConvsFor(detectorOptions(cfg)),
    ...(cfg.weights ? { weights: cfg.weights } : {}),
    frozenStages: resolveFrozenStages(cfg.frozenStages, Boolean(cfg.weights)),
    recipe: { name: cfg.recipe ?? 'mmdet', centernessTarget: DETECTOR_TABLE[cfg.detector].centerness ? recipe.centernessTarget : null, regWeight: recipe.regWeight },
    losses: { cls: cfg.clsLoss, reg: cfg.regLoss },
    seed: cfg.seed,
    steps,
    backend,
    data: cfg.data,
  };
}

function firstNonFinite(terms: Record<string, number>): string | undefined {
  return Object.entries(terms).find(([, v]) => !Number.isFinite(v))?.[0];
}

/**
 * Trains (or resumes) one run and evaluates it.
 *
 * @example
 * const r = await train({ ...DEFAULT_TRAIN, clsLoss: 'focal', regLoss: 'giou', steps: 100 }, { out: 'runs/a' });
 * r.stats[0]; // AP
 */
export async function train(config: TrainConfig, run: TrainRunOptions): Promise<TrainResult> {
  const out = run.out;
  const ckDir = join(out, 'checkpoint');
  const ck = run.resume ? loadCheckpoint<TrainConfig>(ckDir) : undefined;
  // A resumed run keeps the checkpoint's configuration; only the length may change.
  const cfg: TrainConfig = ck
    ? { ...ck.config, ...(run.epochs === undefined ? {} : { epochs: run.epochs, steps: undefined }), ...(run.steps === undefined ? {} : { steps: run.steps }) }
    : config;
  if (!run.resume && existsSync(join(out, 'checkpoint'))) throw new UserError(`${out} already holds a run (checkpoint/); use --resume ${out} to continue it or choose another --out`);
  const backend = await setupBackend(cfg.backend);
  let progressNote = '';
  const recipe = recipeOf(cfg);
  const losses = makeDetectorLosses(cfg.detector, cfg.clsLoss, cfg.regLoss, recipe);
  const ds = await openDataset(cfg.data, { cacheDir: cfg.cacheDir });
  const size: [number, number] = [cfg.imageSize, cfg.imageSize];
  const masks = DETECTOR_TABLE[cfg.detector].masks;
  // Mask AP needs every validation object's mask; say so now rather than after training.
  const valMaskProblem = masks ? maskProblem(ds.val, join(ds.dir, 'val.json')) : undefined;
  if (valMaskProblem) throw new UserError(`${valMaskProblem} (${cfg.detector} is evaluated on masks)`);
  const loader = new DataLoader(ds, 'train', { batchSize: cfg.batch, size, seed: cfg.seed, shuffle: true, flip: true, masks });
  const valLoader = new DataLoader(ds, 'val', { batchSize: cfg.batch, size, seed: cfg.seed, shuffle: false, flip: false });
  const total = cfg.steps ?? cfg.epochs * loader.length;
  const dopts = detectorOptions(cfg);
  if (cfg.weights && dopts.backbone === 'tiny') throw new UserError('--weights loads a ResNet checkpoint; choose --backbone resnet18 or resnet50');
  if (cfg.weights && dopts.norm === 'gn') throw new UserError('--weights comes with BatchNorm statistics; use --norm frozen-bn (the default with --weights)');
  const det = createDetector(cfg.detector, ds.categories.length, new Rng(cfg.seed), dopts);
  if (cfg.weights) progressNote = `loaded ${loadBackboneWeights(det.params, cfg.weights)} backbone tensors from ${cfg.weights}`;
  const trainRng = new Rng((cfg.seed ^ 0x9e3779b9) >>> 0);
  const wd = cfg.optimizer === 'sgd' ? DEFAULT_OPTIMIZER.weightDecay : 0;
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, kind: cfg.optimizer, weightDecay: wd });
  const frozenStages = resolveFrozenStages(cfg.frozenStages, Boolean(cfg.weights));
  const entries = det.params.entries();
  const shapes = new Map(entries.map(([n, v]) => [n, v.shape as number[]]));
  const metricsPath = join(out, 'metrics.jsonl');
  mkdirSync(out, { recursive: true });
  let start = 0;
  if (ck) {
    for (const [n, v] of entries) {
      const p = ck.params.get(n);
      if (!p || p.data.length !== v.size) throw new UserError(`checkpoint ${ckDir} does not match the ${cfg.detector} network (parameter ${n})`);
      v.assign(tf.tensor(p.data, v.shape));
    }
    opt.setState(ck.optimizer, shapes);
    trainRng.state = ck.rngState;
    start = ck.step;
    // Metrics written after the checkpoint belong to steps that will be redone.
    const kept = existsSync(metricsPath)
      ? readFileSync(metricsPath, 'utf8').split('\n').filter((l) => l.trim() && (JSON.parse(l) as { step: number }).step <= start)
      : [];
    writeFileAtomic(metricsPath, kept.map((l) => `${l}\n`).join(''));
  } else writeFileAtomic(metricsPath, '');
  writeFileAtomic(join(out, 'run.json'), `${JSON.stringify(runRecord(cfg, recipe, total, backend.name), null, 2)}\n`);
  const log = (o: object): void => appendFileSync(metricsPath, `${JSON.stringify(o)}\n`);
  const checkpoint = (step: number): void =>
    saveCheckpoint(ckDir, {
      step,
      rngState: trainRng.state,
      config: cfg,
      params: new Map(entries.map(([n, v]) => [n, { shape: v.shape as number[], data: v.dataSync() as Float32Array }])),
      optimizer: opt.getState(),
    });
  const evaluate = (): RunEvaluation & { dets: CocoDetection[] } => {
    const dets = detectSplit(det, ds, valLoader);
    // Mask AP is reported for detectors that predict masks (Mask R-CNN), even when they find nothing.
    return { ...evaluateRun(ds.val, dets, { masks }), dets };
  };
  const progress = new TrainProgress({ total, start, quiet: run.quiet, label: run.label });
  progress.log(`backend ${backend.name}: ${backend.reason}`);
  if (progressNote) progress.log(progressNote);
  const shard = { detector: cfg.detector, numClasses: ds.categories.length, seed: cfg.seed, clsLoss: cfg.clsLoss, regLoss: cfg.regLoss, recipe, backend: backend.name, options: dopts, frozenStages, ...(cfg.weights ? { weights: cfg.weights } : {}) };
  // The stepper differentiates (and so updates) only the trainable parameters: no update, not even weight decay, reaches frozen stages.
  const stepper = await createStepper(cfg.workers ?? 1, det, losses, shard, cfg.batch);
  if (stepper.workers > 1) progress.log(`${stepper.workers} data-parallel workers`);
  const t0 = Date.now();
  let lastGood = ck ? ck.step : 0;
  const end = Math.min(total, run.stopAfter ?? total);
  try {
    for (let step = start; step < end; step++) {
      const epoch = Math.floor(step / loader.length), index = step % loader.length;
      const b = loader.batch(epoch, index);
      const lr = lrAt(step, total, cfg.lr, cfg.warmup);
      const { values } = await stepper.step(b, trainRng);
      const bad = firstNonFinite(values);
      if (bad) {
        throw new DivergenceError(
          `training diverged at step ${step + 1}: loss term ${bad} is ${values[bad]}; stopped without applying that step. ` +
            (lastGood > 0 ? `The last good checkpoint (step ${lastGood}) is in ${ckDir}; resume with --resume ${out}, perhaps with a lower --lr.` : 'No checkpoint had been written yet; try a lower --lr.'),
        );
      }
      const gradNorm = await stepper.update(opt, lr);
      log({ type: 'step', step: step + 1, epoch, lr, ...values, gradNorm, seconds: (Date.now() - t0) / 1000 });
      progress.update(step + 1, values);
      const epochEnd = (step + 1) % loader.length === 0;
      if (epochEnd && cfg.evalEvery > 0 && (epoch + 1) % cfg.evalEvery === 0 && step + 1 < total) {
        const { stats } = evaluate();
        log({ type: 'eval', step: step + 1, epoch: epoch + 1, stats, ...statsByName(stats) });
        progress.log(`epoch ${epoch + 1}: AP ${stats[0]!.toFixed(3)} AP50 ${stats[1]!.toFixed(3)}`);
      }
      if (epochEnd || step + 1 === end || (run.checkpointEvery && (step + 1) % run.checkpointEvery === 0)) {
        checkpoint(step + 1);
        lastGood = step + 1;
      }
    }
  } finally {
    progress.stop();
    await stepper.close();
  }
  if (end < total) {
    det.params.dispose();
    opt.dispose();
    return { out, stats: [], steps: end, seconds: (Date.now() - t0) / 1000, backend: backend.name };
  }
  const { stats, segm_stats, dets } = evaluate();
  log({ type: 'eval', step: total, epoch: Math.ceil(total / loader.length), final: true, stats, ...(segm_stats ? { segm_stats } : {}), ...statsByName(stats) });
  const seconds = (Date.now() - t0) / 1000;
  // Boxes and masks go to separate results files, as mmdetection writes them, so that
  // `coco-eval` reproduces each number (mask results without boxes are sized by their masks).
  writeFileAtomic(join(out, 'detections.json'), JSON.stringify(dets.map(({ segmentation: _s, area: _a, ...box }) => box)));
  if (segm_stats) writeFileAtomic(join(out, 'segmentations.json'), JSON.stringify(maskResults(dets)));
  writeFileAtomic(
    join(out, 'eval.json'),
    `${JSON.stringify({ split: 'val', stats, ...statsByName(stats), ...(segm_stats ? { segm_stats } : {}), steps: total, seconds, backend: backend.name, recipe, config: cfg }, null, 2)}\n`,
  );
  det.params.dispose();
  opt.dispose();
  return { out, stats, ...(segm_stats ? { segm_stats } : {}), steps: total, seconds, backend: backend.name };
}
