import type { Command } from 'commander';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../../util/fs.js';
import { choice, nonNegativeInt, positiveInt, finiteNumber } from '../options.js';

const DETECTOR_NAMES = ['fcos', 'atss', 'faster-rcnn'] as const;
const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

interface CompareFlags {
  detector: (typeof DETECTOR_NAMES)[number];
  combo: string[];
  seeds: string;
  data: string;
  epochs?: number;
  steps?: number;
  batch: number;
  lr?: number;
  optimizer: 'sgd' | 'adam';
  warmup?: number;
  backend: (typeof BACKENDS)[number];
  size: number;
  evalEvery: number;
  cacheDir: string;
  out: string;
  report?: boolean;
  quiet?: boolean;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('train one detector with several loss combinations × seeds; print AP, AP50, AP75, APs/m/l as mean ± std')
    .option('--detector <name>', DETECTOR_NAMES.join(' | '), choice(DETECTOR_NAMES), 'fcos')
    .option('--combo <spec>', "a loss combination: 'default', 'published', or NAME=CLS|REG (repeatable; default: default and published)", collect, [])
    .option('--seeds <list>', 'comma-separated seeds', '0,1,2')
    .option('--data <spec>', 'synthetic | fashion-mnist | PATH', 'synthetic')
    .option('--epochs <n>', 'epochs per run (default 4)', positiveInt)
    .option('--steps <n>', 'steps per run (overrides --epochs)', positiveInt)
    .option('--batch <n>', 'images per step', positiveInt, 8)
    .option('--lr <rate>', 'base learning rate', finiteNumber)
    .option('--optimizer <kind>', 'sgd | adam', choice(['sgd', 'adam'] as const), 'adam')
    .option('--warmup <steps>', 'warm-up steps', nonNegativeInt)
    .option('--backend <name>', BACKENDS.join(' | '), choice(BACKENDS), 'auto')
    .option('--size <pixels>', 'square input size', positiveInt, 128)
    .option('--eval-every <epochs>', 'validation every N epochs (0: only at the end)', nonNegativeInt, 1)
    .option('--cache-dir <dir>', 'where built-in datasets are generated', '.autoloss-cache')
    .requiredOption('--out <dir>', 'folder for the runs (one sub-folder per combination and seed), compare.json and table.txt')
    .option('--report', 'also write report.html with the table and SVG training curves')
    .option('--quiet', 'no progress output')
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
        imageSize: f.size,
        evalEvery: f.evalEvery,
        cacheDir: f.cacheDir,
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
