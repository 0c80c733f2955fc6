/**
 * `npm start`: the main job on the built-in default. Each stage is one
 * function; later stages (report, training comparison) append themselves here.
 */
import { join } from 'node:path';
import { toInfix } from '../render/infix.js';
import { toPrefix } from '../render/prefix.js';
import { toTreeView } from '../render/tree.js';
import { BUILTIN_LOSSES } from '../symbolic/builtins.js';
import type { Batch } from '../symbolic/batch.js';
import type { Domain } from '../symbolic/domains.js';
import { evaluate, type Inputs } from '../symbolic/evaluate.js';
import { parse } from '../symbolic/parse/index.js';
import { symbolicStage } from '../symbolic/demo-stage.js';

export interface DemoOptions {
  readonly out: string;
  readonly quick?: boolean;
}

const say = (s = ''): void => void process.stdout.write(`${s}\n`);

/** A small fixed batch per domain: 3 samples, 4 classes, the last positive sample's IoU 0.8. */
function demoInputs(domain: Domain): Inputs {
  const m = (rows: number[][]): Batch => ({ rows: rows.length, cols: rows[0]!.length, data: Float64Array.from(rows.flat()) });
  const c = (v: number[]): Batch => ({ rows: v.length, cols: 1, data: Float64Array.from(v) });
  const X = m([[2.0, -1.0, 0.5, -2.0], [-0.5, 1.5, -1.0, 0.0], [0.3, -0.2, 2.5, -1.5]]);
  if (domain === 'multi') {
    return { X, Y: m([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]), Z: m([[0.9, 0.9, 0.9, 0.9], [0.6, 0.6, 0.6, 0.6], [1, 1, 1, 1]]) };
  }
  if (domain === 'binary') {
    const PY = m([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]);
    return { X, PY, NY: m([[0, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 1]]), Q: m([[0.9, 0, 0, 0], [0, 0.6, 0, 0], [0, 0, 0, 0]]) };
  }
  // Boxes: perfect overlap (area 100), half overlap, disjoint.
  return { U: c([100, 150, 200]), I: c([100, 50, 0]), E: c([100, 150, 300]) };
}

function languageStage(): void {
  say('== The published losses: parsed, printed, evaluated on a small built-in batch ==');
  for (const b of BUILTIN_LOSSES.filter((l) => l.published)) {
    const { tree, domain } = parse(b.prefix, { domain: b.domain });
    say(`\n${b.title} (${b.name}, domain ${domain})`);
    say(`  prefix: ${toPrefix(tree)}`);
    say(`  infix:  ${toInfix(tree, domain)}`);
    say(`  tree:\n${toTreeView(tree).replace(/^/gm, '    ')}`);
    const out = evaluate(tree, domain, demoInputs(domain));
    const rows: string[] = [];
    for (let r = 0; r < out.rows; r++) rows.push(Array.from(out.data.subarray(r * out.cols, (r + 1) * out.cols), (v) => v.toFixed(4)).join(' '));
    say(`  value on the demo batch (${out.rows}×${out.cols}):\n${rows.map((r) => `    ${r}`).join('\n')}`);
  }
}

export async function runDemo(opts: DemoOptions): Promise<void> {
  languageStage();
  say();
  symbolicStage(say);
  say();
  const { verifyStage } = await import('../verify/stage.js');
  await verifyStage({ quick: opts.quick, write: say });
  const { reportStage } = await import('../render/report/report.js');
  reportStage(opts.out);
  say();
  const { tensorDemo } = await import('../train/tensor-demo.js');
  await tensorDemo(say);
  if (opts.quick) return;
  say();
  const { dataStage } = await import('../data/data-stage.js');
  await dataStage({ out: opts.out, cacheDir: CACHE_DIR, say });
  const { trainingComparisonStage } = await import('../train/demo-stage.js');
  const training = await trainingComparisonStage(opts.out, { cacheDir: CACHE_DIR });
  const { compareSectionHtml } = await import('../train/compare.js');
  const { writeReport } = await import('../render/report/report.js');
  const section = { id: 'training', title: 'Training comparison: FCOS on the synthetic set', html: compareSectionHtml(training.result) };
  const path = writeReport([], join(opts.out, 'report'), { appendix: [section] });
  say(`\nreport with the training comparison: ${path} (${training.seconds.toFixed(0)} s of training)`);
  say();
  const { searchStage } = await import('../search/demo-stage.js');
  await searchStage(opts.out, { cacheDir: CACHE_DIR, say });
}

/** Where the built-in datasets are generated on first use. */
const CACHE_DIR = '.autoloss-cache';
