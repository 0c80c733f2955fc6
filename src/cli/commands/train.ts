import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { choice, finiteNumber, nonNegativeInt, positiveInt } from '../options.js';

const DETECTOR_NAMES = ['fcos', 'atss', 'faster-rcnn'] as const;
const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

interface TrainFlags {
  detector: (typeof DETECTOR_NAMES)[number];
  clsLoss?: string;
  regLoss?: string;
  data: string;
  epochs?: number;
  steps?: number;
  batch: number;
  lr?: number;
  seed: number;
  backend: (typeof BACKENDS)[number];
  size: number;
  optimizer: 'sgd' | 'adam';
  warmup?: number;
  evalEvery: number;
  cacheDir: string;
  out?: string;
  resume?: string;
  quiet?: boolean;
}

function positiveNumber(v: string): number {
  const n = finiteNumber(v);
  if (n <= 0) throw new UserError(`expected a positive number, got ${v}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train a detector with any classification and regression loss; writes metrics.jsonl, checkpoint/, eval.json, detections.json')
    .option('--detector <name>', `detector: ${DETECTOR_NAMES.join(' | ')}`, choice(DETECTOR_NAMES), 'fcos')
    .option('--cls-loss <loss>', 'classification loss: a built-in name or an expression (binary domain for fcos/atss, multi for faster-rcnn); default focal / ce')
    .option('--reg-loss <loss>', 'regression loss: a built-in name or a reg-domain expression; default giou, or l1 (on deltas) for faster-rcnn')
    .option('--data <spec>', 'synthetic | fashion-mnist | PATH to a COCO folder (train.json, val.json, images/)', 'synthetic')
    .option('--epochs <n>', 'epochs (default 4)', positiveInt)
    .option('--steps <n>', 'total training steps (overrides --epochs)', positiveInt)
    .option('--batch <n>', 'images per step', positiveInt, 8)
    .option('--lr <rate>', 'base learning rate (default 2e-3 for adam, 1e-2 for sgd)', positiveNumber)
    .option('--optimizer <kind>', 'sgd | adam', choice(['sgd', 'adam'] as const), 'adam')
    .option('--warmup <steps>', 'linear warm-up steps (default min(50, 10% of steps))', nonNegativeInt)
    .option('--seed <n>', 'seed of the weights, the data order and all sampling', nonNegativeInt, 0)
    .option('--backend <name>', `${BACKENDS.join(' | ')}`, choice(BACKENDS), 'auto')
    .option('--size <pixels>', 'square input size', positiveInt, 128)
    .option('--eval-every <epochs>', 'evaluate on the validation split every N epochs (0: only at the end)', nonNegativeInt, 1)
    .option('--cache-dir <dir>', 'where built-in datasets are generated', '.autoloss-cache')
    .option('--out <dir>', 'output folder for this run')
    .option('--resume <dir>', 'continue the run in DIR from its last checkpoint (its configuration is kept; --steps/--epochs may extend it)')
    .option('--quiet', 'no progress output')
    .action(async (f: TrainFlags, cmd: Command) => {
      const { train, DEFAULT_LOSSES, DEFAULT_TRAIN } = await import('../../train/trainer.js');
      const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
      if (f.resume) {
        for (const name of ['detector', 'clsLoss', 'regLoss', 'data', 'batch', 'lr', 'seed', 'size', 'optimizer']) {
          if (given(name)) throw new UserError(`--resume keeps the run's own configuration; drop --${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
        }
        if (f.out && f.out !== f.resume) throw new UserError('--resume DIR continues in DIR; do not give a different --out');
      } else if (!f.out) throw new UserError('missing --out DIR (where metrics.jsonl, checkpoint/, eval.json and detections.json go)');
      const defaults = DEFAULT_LOSSES[f.detector];
      const steps = f.steps;
      const cfg = {
        ...DEFAULT_TRAIN,
        detector: f.detector,
        clsLoss: f.clsLoss ?? defaults.cls,
        regLoss: f.regLoss ?? defaults.reg,
        data: f.data,
        epochs: f.epochs ?? DEFAULT_TRAIN.epochs,
        ...(steps === undefined ? {} : { steps }),
        batch: f.batch,
        lr: f.lr ?? (f.optimizer === 'sgd' ? 1e-2 : DEFAULT_TRAIN.lr),
        seed: f.seed,
        backend: f.backend,
        imageSize: f.size,
        optimizer: f.optimizer,
        warmup: f.warmup ?? Math.min(50, Math.round(0.1 * (steps ?? 50 * (f.epochs ?? DEFAULT_TRAIN.epochs)))),
        evalEvery: f.evalEvery,
        cacheDir: f.cacheDir,
      };
      const r = await train(cfg, {
        out: f.resume ?? f.out!,
        resume: Boolean(f.resume),
        quiet: f.quiet,
        ...(f.resume && given('steps') ? { steps: f.steps } : {}),
        ...(f.resume && given('epochs') ? { epochs: f.epochs } : {}),
      });
      const names = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl'];
      process.stdout.write(`${names.map((n, k) => `${n} ${r.stats[k]!.toFixed(3)}`).join('  ')}\n`);
      process.stdout.write(`${r.steps} steps in ${r.seconds.toFixed(1)} s on ${r.backend}; results in ${r.out}\n`);
    });
}
