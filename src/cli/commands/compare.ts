import type { Command } from 'commander';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { TABLE_STATS } from '../../metrics/coco-stats.js';
import { writeFileAtomic } from '../../util/fs.js';
import { addTrainingOptions, architectureFlags, recipeFlags, type TrainingFlags } from '../training-options.js';

interface CompareFlags extends TrainingFlags {
  combo: string[];
  seeds: string;
  out: string;
  report?: boolean;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description(`train one detector with several loss combinations × seeds; print ${TABLE_STATS.map((s) => s.name).join(', ')} as mean ± std`)
    .option('--combo <spec>', "a loss combination: 'default', 'published', or NAME=CLS|REG (repeatable; default: default and published)", collect, [])
    .option('--seeds <list>', 'comma-separated seeds', '0,1,2')
    .requiredOption('--out <dir>', 'folder for the runs (one sub-folder per combination and seed), compare.json and table.txt')
    .option('--report', 'also write report.html with the table and SVG training curves');
  addTrainingOptions(cmd, { epochs: 'epochs per run (default 4)', steps: 'steps per run (overrides --epochs)' })
    .action(async (f: CompareFlags) => {
      const { compare, formatTable, namedCombo, reportHtml } = await import('../../train/compare.js');
      const { DEFAULT_TRAIN } = await import('../../train/trainer.js');
      const specs = f.combo.length ? f.combo : ['default', 'published'];
      const combos = specs.map((s) => {
        const named = namedCombo(s.trim(), f.detector);
        if (named) return named;
        const m = /^([A-Za-z0-9_.-]+)=(.+)\|(.+)$/.exec(s);
        if (!m) throw new UserError(`--combo '${s}': expected default, published or NAME=CLS|REG (NAME letters, digits, _ . -)`);
        return { name: m[1]!, cls: m[2]!.trim(), reg: m[3]!.trim() };
      });
      const names = new Set<string>();
      for (const c of combos) {
        if (names.has(c.name)) throw new UserError(`--combo: the name '${c.name}' is used twice`);
        names.add(c.name);
      }
      const seeds = f.seeds.split(',').map((s) => {
        const n = Number(s.trim());
        if (!Number.isInteger(n) || n < 0 || s.trim() === '') throw new UserError(`--seeds: '${s}' is not a non-negative integer`);
        return n;
      });
      const epochs = f.epochs ?? DEFAULT_TRAIN.epochs;
      if (f.lr !== undefined && !(f.lr > 0)) throw new UserError('--lr must be positive');
      const base = {
        ...DEFAULT_TRAIN,
        data: f.data,
        epochs,
        ...(f.steps === undefined ? {} : { steps: f.steps }),
        batch: f.batch,
        lr: f.lr ?? (f.optimizer === 'sgd' ? 1e-2 : DEFAULT_TRAIN.lr),
        optimizer: f.optimizer,
        warmup: f.warmup ?? Math.min(50, Math.round(0.1 * (f.steps ?? 50 * epochs))),
        backend: f.backend,
        workers: f.workers,
        imageSize: f.size,
        evalEvery: f.evalEvery,
        cacheDir: f.cacheDir,
        ...recipeFlags(f),
        ...architectureFlags(f),
      };
      const result = await compare({ detector: f.detector, combos, seeds, base, out: f.out, quiet: f.quiet });
      process.stdout.write(`${formatTable(result)}\n`);
      if (f.report) {
        const path = join(f.out, 'report.html');
        writeFileAtomic(path, reportHtml(result));
        process.stdout.write(`report: ${path}\n`);
      }
    });
}
