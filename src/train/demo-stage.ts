/**
 * The training stage of `npm start`: FCOS on the synthetic set with its
 * default losses (focal + GIoU) and with the published Autoloss-B pair, one
 * seed each, sized to finish in about ten minutes on two CPU cores.
 */
import { join } from 'node:path';
import { compare, formatTable, namedCombo, reportHtml, type CompareResult } from './compare.js';
import { DEFAULT_TRAIN } from './trainer.js';
import { writeFileAtomic } from '../util/fs.js';

export interface TrainingStageResult {
  /** The printed table (text). */
  readonly table: string;
  readonly result: CompareResult;
  /** The HTML page with the table and training curves. */
  readonly reportPath: string;
  readonly seconds: number;
}

/** Steps per run; measured at about 0.3 s per step on two free cores (wasm backend). */
const DEMO_STEPS = 600;

/**
 * Runs the comparison into `outDir/training/` and prints its table.
 *
 * @example
 * const { table } = await trainingComparisonStage('out');
 */
export async function trainingComparisonStage(outDir: string, opts: { steps?: number; quiet?: boolean; cacheDir?: string } = {}): Promise<TrainingStageResult> {
  const t0 = Date.now();
  const out = join(outDir, 'training');
  const steps = opts.steps ?? DEMO_STEPS;
  process.stdout.write(`\n== Training: FCOS on the synthetic set, default losses vs the published Autoloss-B (${steps} steps each) ==\n`);
  const result = await compare({
    detector: 'fcos',
    combos: [namedCombo('default', 'fcos')!, namedCombo('published', 'fcos')!],
    seeds: [0],
    base: { ...DEFAULT_TRAIN, data: 'synthetic', steps, lr: 4e-3, warmup: 50, evalEvery: 0, cacheDir: opts.cacheDir ?? DEFAULT_TRAIN.cacheDir },
    out,
    quiet: opts.quiet,
  });
  const table = formatTable(result);
  process.stdout.write(`${table}\n`);
  const reportPath = join(out, 'report.html');
  writeFileAtomic(reportPath, reportHtml(result));
  process.stdout.write(`training report: ${reportPath}\n`);
  return { table, result, reportPath, seconds: (Date.now() - t0) / 1000 };
}
