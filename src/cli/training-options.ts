/**
 * The flags `autoloss train` and `autoloss compare` share, declared once so
 * that both commands spell, default and check them alike.
 */
import { BACKEND_REQUESTS, type BackendRequest } from '../train/backend-names.js';
import { InvalidArgumentError, type Command } from 'commander';
import { UserError } from './errors.js';
import { choice, finiteNumber, nonNegativeInt, positiveInt } from './options.js';
import { BACKBONES, FROZEN_STAGES, type BackboneKind } from '../detect/backbone.js';
import { NORMS, type NormKind } from '../detect/norm.js';
import { CENTERNESS_TARGETS, DETECTORS, RECIPES, type CenternessTarget, type DetectorKind, type RecipeName } from '../detect/types.js';


export interface TrainingFlags {
  detector: DetectorKind;
  data: string;
  epochs?: number;
  steps?: number;
  batch: number;
  lr?: number;
  optimizer: 'sgd' | 'adam';
  warmup?: number;
  backend: BackendRequest;
  workers: number;
  size: number;
  evalEvery: number;
  cacheDir: string;
  quiet?: boolean;
  recipe: RecipeName;
  centernessTarget?: CenternessTarget;
  regWeight?: number;
  backbone: BackboneKind;
  norm?: NormKind;
  headConvs?: number;
  fpnChannels?: number;
  boxFc?: number;
  weights?: string;
  frozenStages?: number;
}

/** The architecture fields of a TrainConfig from the flags. */
export function architectureFlags(f: TrainingFlags): { backbone: BackboneKind; norm?: NormKind; headConvs?: number; fpnChannels?: number; boxFc?: number; weights?: string; frozenStages?: number } {
  return {
    backbone: f.backbone,
    ...(f.norm === undefined ? {} : { norm: f.norm }),
    ...(f.headConvs === undefined ? {} : { headConvs: f.headConvs }),
    ...(f.fpnChannels === undefined ? {} : { fpnChannels: f.fpnChannels }),
    ...(f.boxFc === undefined ? {} : { boxFc: f.boxFc }),
    ...(f.weights === undefined ? {} : { weights: f.weights }),
    ...(f.frozenStages === undefined ? {} : { frozenStages: f.frozenStages }),
  };
}

/** The recipe fields of a TrainConfig from the flags (absent overrides stay absent). */
export function recipeFlags(f: TrainingFlags): { recipe: RecipeName; centernessTarget?: CenternessTarget; regWeight?: number } {
  return { recipe: f.recipe, ...(f.centernessTarget === undefined ? {} : { centernessTarget: f.centernessTarget }), ...(f.regWeight === undefined ? {} : { regWeight: f.regWeight }) };
}

function positiveNumber(v: string): number {
  const n = finiteNumber(v);
  if (n <= 0) throw new UserError(`expected a positive number, got ${v}`);
  return n;
}

function nonNegativeNumber(v: string): number {
  const n = finiteNumber(v);
  if (n < 0) throw new UserError(`expected a non-negative number, got ${v}`);
  return n;
}

function frozenStages(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !(FROZEN_STAGES as readonly number[]).includes(n)) throw new InvalidArgumentError(`expected one of ${FROZEN_STAGES.join(', ')} (-1: none, 0: the stem, k: the stem and stages 1…k)`);
  return n;
}

/** Adds the detector, data, schedule, optimiser and backend flags; `per` says what one run is ("run" or "per run"). */
export function addTrainingOptions(cmd: Command, per: { steps: string; epochs: string }): Command {
  return cmd
    .option('--detector <name>', `detector: ${DETECTORS.join(' | ')}`, choice(DETECTORS), 'fcos')
    .option('--backbone <name>', `backbone: ${BACKBONES.join(' | ')} (ResNets as torchvision lays them out)`, choice(BACKBONES), 'tiny')
    .option('--norm <kind>', `ResNet normalisation: ${NORMS.join(' | ')} (default: frozen-bn with --weights, else gn)`, choice(NORMS))
    .option('--head-convs <n>', 'convolutions per head tower (default: 2 for tiny, 4 for ResNets as mmdetection)', positiveInt)
    .option('--fpn-channels <n>', 'FPN channels (default: 32 for tiny, 256 for ResNets)', positiveInt)
    .option('--box-fc <n>', 'width of the two-stage box head\'s two fully connected layers (default: 1024 for ResNets, 128 for tiny)', positiveInt)
    .option('--weights <file>', 'backbone weights converted from PyTorch by scripts/convert-torchvision.py (safetensors)')
    .option('--frozen-stages <n>', 'backbone stages that get no gradient, as mmdetection\'s frozen_stages: -1 none, 0 the stem, k the stem and stages 1…k (default: 1 with --weights, -1 for a randomly initialised backbone)', frozenStages)
    .option('--data <spec>', 'synthetic | fashion-mnist | PATH to a COCO folder (train.json, val.json, images/)', 'synthetic')
    .option('--epochs <n>', per.epochs, positiveInt)
    .option('--steps <n>', per.steps, positiveInt)
    .option('--batch <n>', 'images per step', positiveInt, 8)
    .option('--lr <rate>', 'base learning rate (default 2e-3 for adam, 1e-2 for sgd)', positiveNumber)
    .option('--optimizer <kind>', 'sgd | adam', choice(['sgd', 'adam'] as const), 'adam')
    .option('--warmup <steps>', 'linear warm-up steps (default min(50, 10% of steps))', nonNegativeInt)
    .option('--backend <name>', BACKEND_REQUESTS.join(' | '), choice(BACKEND_REQUESTS), 'auto')
    .option('--workers <n>', 'data-parallel worker threads, each with its own wasm instance, splitting every batch', positiveInt, 1)
    .option('--size <pixels>', 'square input size', positiveInt, 128)
    .option('--eval-every <epochs>', 'evaluate on the validation split every N epochs (0: only at the end)', nonNegativeInt, 1)
    .option('--recipe <name>', `training recipe around the losses: ${RECIPES.join(' | ')} (cse-autoloss: IoU as centerness target for fcos/atss, atss reg weight 1)`, choice(RECIPES), 'mmdet')
    .option('--centerness-target <kind>', `centerness branch target for fcos/atss: ${CENTERNESS_TARGETS.join(' | ')} (default: the recipe's)`, choice(CENTERNESS_TARGETS))
    .option('--reg-weight <w>', "weight of the box-regression loss (default: the recipe's for the detector)", nonNegativeNumber)
    .option('--cache-dir <dir>', 'where built-in datasets are generated', '.autoloss-cache')
    .option('--quiet', 'no progress output');
}
