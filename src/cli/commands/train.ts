import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { nonNegativeInt } from '../options.js';
import { addTrainingOptions, architectureFlags, recipeFlags, type TrainingFlags } from '../training-options.js';

interface TrainFlags extends TrainingFlags {
  clsLoss?: string;
  regLoss?: string;
  seed: number;
  out?: string;
  resume?: string;
}


export function register(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a detector with any classification and regression loss; writes metrics.jsonl, checkpoint/, eval.json, detections.json')
    .option('--cls-loss <loss>', 'classification loss: a built-in name or an expression (binary domain for fcos/atss, multi for the two-stage detectors); default focal / ce')
    .option('--reg-loss <loss>', 'regression loss: a built-in name or a reg-domain expression; default giou, or l1 (on deltas) for the two-stage detectors')
    .option('--seed <n>', 'seed of the weights, the data order and all sampling', nonNegativeInt, 0)
    .option('--out <dir>', 'output folder for this run')
    .option('--resume <dir>', 'continue the run in DIR from its last checkpoint (its configuration is kept; --steps/--epochs may extend it)');
  addTrainingOptions(cmd, { epochs: 'epochs (default 4)', steps: 'total training steps (overrides --epochs)' })
    .action(async (f: TrainFlags, cmd: Command) => {
      const { train, DEFAULT_LOSSES, DEFAULT_TRAIN } = await import('../../train/trainer.js');
      const given = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
      if (f.resume) {
        for (const name of ['detector', 'clsLoss', 'regLoss', 'data', 'batch', 'lr', 'seed', 'size', 'optimizer', 'recipe', 'centernessTarget', 'regWeight', 'backbone', 'norm', 'headConvs', 'fpnChannels', 'boxFc', 'weights', 'frozenStages']) {
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
        workers: f.workers,
        imageSize: f.size,
        optimizer: f.optimizer,
        warmup: f.warmup ?? Math.min(50, Math.round(0.1 * (steps ?? 50 * (f.epochs ?? DEFAULT_TRAIN.epochs)))),
        evalEvery: f.evalEvery,
        cacheDir: f.cacheDir,
        ...recipeFlags(f),
        ...architectureFlags(f),
      };
      const r = await train(cfg, {
        out: f.resume ?? f.out!,
        resume: Boolean(f.resume),
        quiet: f.quiet,
        ...(f.resume && given('steps') ? { steps: f.steps } : {}),
        ...(f.resume && given('epochs') ? { epochs: f.epochs } : {}),
      });
      const { TABLE_STATS } = await import('../../metrics/coco-stats.js');
      const line = (stats: readonly number[]): string => TABLE_STATS.map((s) => `${s.name} ${stats[s.index]!.toFixed(3)}`).join('  ');
      process.stdout.write(`${line(r.stats)}\n`);
      if (r.segm_stats) process.stdout.write(`segm ${line(r.segm_stats)}\n`);
      process.stdout.write(`${r.steps} steps in ${r.seconds.toFixed(1)} s on ${r.backend}; results in ${r.out}\n`);
    });
}
