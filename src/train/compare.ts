/**
 * Comparing loss combinations for one detector over several seeds: each
 * (combination, seed) is a full training run in its own folder; the table
 * gives AP, AP50, AP75, APs, APm, APl as mean ± sample standard deviation
 * over seeds, and the report draws the training curves as SVG.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import type { DetectorKind, Recipe, RecipeName } from '../detect/types.js';
import { DETECTOR_TABLE } from '../detect/detector-table.js';
import { COCO_STATS, TABLE_STATS } from '../metrics/coco-stats.js';
import { DEFAULT_LOSSES, PUBLISHED_LOSSES, recipeOf, train, type TrainConfig } from './trainer.js';

export interface LossCombo {
  readonly name: string;
  readonly cls: string;
  readonly reg: string;
}

/** `default` and `published` name each detector's reference and searched pairs. */
export function namedCombo(name: string, detector: DetectorKind): LossCombo | undefined {
  if (name === 'default') return { name, ...DEFAULT_LOSSES[detector] };
  if (name === 'published') return { name, ...PUBLISHED_LOSSES[detector] };
  return undefined;
}

export interface RunSummary {
  readonly combo: string;
  readonly seed: number;
  readonly dir: string;
  readonly stats: number[];
}

export interface ComboSummary {
  readonly combo: LossCombo;
  /** The recipe this arm trained under (the same for every arm, except that a loss on deltas takes the recipe's delta weight). */
  readonly recipe: Recipe;
  readonly runs: RunSummary[];
  /** Per COCO number: mean and sample standard deviation over seeds. */
  readonly mean: number[];
  readonly std: number[];
}

export interface CompareResult {
  readonly detector: DetectorKind;
  readonly data: string;
  /** The named recipe every arm shares. */
  readonly recipe: RecipeName;
  readonly combos: ComboSummary[];
}

/** Mean and sample (n − 1) standard deviation; std is 0 for one value. */
export function meanStd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, v) => a + v, 0) / xs.length;
  const s = xs.length > 1 ? Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1)) : 0;
  return [m, s];
}

export function summarizeCombo(combo: LossCombo, runs: RunSummary[], recipe: Recipe): ComboSummary {
  const ms = COCO_STATS.map((_, k) => meanStd(runs.map((r) => r.stats[k]!)));
  return { combo, recipe, runs, mean: ms.map((x) => x[0]), std: ms.map((x) => x[1]) };
}

/** A recipe in words, e.g. "centerness target iou, reg weight 1". */
function describeRecipe(detector: DetectorKind, r: Recipe): string {
  return `${DETECTOR_TABLE[detector].centerness ? `centerness target ${r.centernessTarget}, ` : ''}reg weight ${r.regWeight}`;
}

/**
 * The comparison as a fixed-width text table, with each run's folder.
 *
 * @example formatTable(result) // "losses     AP            AP50 ...\ndefault    0.512 ± 0.010 ..."
 */
export function formatTable(r: CompareResult): string {
  const cell = (m: number, s: number): string => (m < 0 ? 'n/a' : `${m.toFixed(3)} ± ${s.toFixed(3)}`);
  const rows = r.combos.map((c) => [c.combo.name, ...TABLE_STATS.map(({ index: k }) => cell(c.mean[k]!, c.std[k]!))]);
  const head = ['losses', ...TABLE_STATS.map((s) => s.name)];
  const width = head.map((h, j) => Math.max(h.length, ...rows.map((row) => row[j]!.length)));
  const line = (cells: string[]): string => cells.map((c, j) => c.padEnd(width[j]!)).join('  ').trimEnd();
  const seeds = r.combos[0]?.runs.length ?? 0;
  const recipes = [...new Set(r.combos.map((c) => describeRecipe(r.detector, c.recipe)))];
  const out = [
    `${r.detector} on ${r.data}, COCO AP on the validation split, mean ± std over ${seeds} seed${seeds === 1 ? '' : 's'}`,
    `recipe ${r.recipe}: ${recipes.join('; ')}`,
    line(head),
    ...rows.map(line),
    '',
  ];
  for (const c of r.combos) out.push(`${c.combo.name}: cls ${c.combo.cls}, reg ${c.combo.reg} (${describeRecipe(r.detector, c.recipe)}); runs ${c.runs.map((x) => x.dir).join(', ')}`);
  return out.join('\n');
}

interface MetricLine {
  type: 'step' | 'eval';
  step: number;
  loss?: number;
  stats?: number[];
}

function readMetrics(dir: string): MetricLine[] {
  const p = join(dir, 'metrics.jsonl');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MetricLine);
}

export interface CompareOptions {
  readonly detector: DetectorKind;
  readonly combos: readonly LossCombo[];
  readonly seeds: readonly number[];
  /** Settings shared by every run (losses and seed are filled in per run). */
  readonly base: Omit<TrainConfig, 'detector' | 'clsLoss' | 'regLoss' | 'seed'>;
  readonly out: string;
  readonly quiet?: boolean;
  /** Called after each finished run. */
  readonly onRun?: (r: RunSummary) => void;
}

/**
 * Trains every combination with every seed (a run whose `eval.json` already
 * exists is read, not retrained, so an interrupted comparison continues).
 *
 * @example
 * const r = await compare({ detector: 'fcos', combos: [namedCombo('default','fcos')!, namedCombo('published','fcos')!], seeds: [0, 1, 2], base, out: 'runs/cmp' });
 * console.log(formatTable(r));
 */
export async function compare(o: CompareOptions): Promise<CompareResult> {
  const combos: ComboSummary[] = [];
  for (const combo of o.combos) {
    const runs: RunSummary[] = [];
    for (const seed of o.seeds) {
      const dir = join(o.out, combo.name, `seed${seed}`);
      const evalPath = join(dir, 'eval.json');
      let stats: number[];
      if (existsSync(evalPath)) stats = (JSON.parse(readFileSync(evalPath, 'utf8')) as { stats: number[] }).stats;
      else {
        const resume = existsSync(join(dir, 'checkpoint'));
        const r = await train({ ...o.base, detector: o.detector, clsLoss: combo.cls, regLoss: combo.reg, seed }, { out: dir, resume, quiet: o.quiet, label: `${combo.name} seed ${seed}` });
        stats = r.stats;
      }
      const run = { combo: combo.name, seed, dir, stats };
      runs.push(run);
      o.onRun?.(run);
    }
    combos.push(summarizeCombo(combo, runs, recipeOf({ ...o.base, detector: o.detector, regLoss: combo.reg })));
  }
  const result: CompareResult = { detector: o.detector, data: o.base.data, recipe: o.base.recipe ?? 'mmdet', combos };
  writeFileAtomic(join(o.out, 'compare.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileAtomic(join(o.out, 'table.txt'), `${formatTable(result)}\n`);
  return result;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A line chart of several series as standalone SVG. */
export function svgChart(title: string, series: { name: string; points: [number, number][] }[], yLabel: string): string {
  const W = 520, H = 300, L = 56, R = 12, T = 28, B = 40;
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y));
  if (!all.length) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="10" y="20">${esc(title)}: no data</text></svg>`;
  const x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
  let y0 = Math.min(...all.map((p) => p[1])), y1 = Math.max(...all.map((p) => p[1]));
  if (y1 === y0) (y0 -= 0.5), (y1 += 0.5);
  const sx = (x: number): number => L + ((x - x0) / Math.max(x1 - x0, 1e-9)) * (W - L - R);
  const sy = (y: number): number => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#333"/>`,
    `<text x="${L}" y="${H - B + 14}" text-anchor="middle">${x0}</text><text x="${W - R}" y="${H - B + 14}" text-anchor="end">${x1}</text>`,
    `<text x="${(W + L) / 2}" y="${H - 8}" text-anchor="middle">step</text>`,
    `<text x="${L - 4}" y="${sy(y1) + 4}" text-anchor="end">${y1.toPrecision(3)}</text><text x="${L - 4}" y="${sy(y0)}" text-anchor="end">${y0.toPrecision(3)}</text>`,
    `<text x="12" y="${(T + H - B) / 2}" transform="rotate(-90 12 ${(T + H - B) / 2})" text-anchor="middle">${esc(yLabel)}</text>`,
  ];
  series.forEach((s, k) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (!pts.length) return;
    const c = COLORS[k % COLORS.length]!;
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    if (pts.length < 30) for (const [x, y] of pts) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    parts.push(`<rect x="${W - R - 150}" y="${T + 4 + 14 * k}" width="10" height="3" fill="${c}"/><text x="${W - R - 136}" y="${T + 9 + 14 * k}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Moving average over `k` points, so noisy per-step losses read as curves. */
function smooth(points: [number, number][], k: number): [number, number][] {
  return points.map(([x], i) => {
    const w = points.slice(Math.max(0, i - k + 1), i + 1);
    return [x, w.reduce((a, p) => a + p[1], 0) / w.length];
  });
}

/** The HTML report: the table and, per combination, the mean training loss and validation AP curves. */
/** The comparison as an HTML fragment: the table, the runs and the training curves (for the loss report too). */
export function compareSectionHtml(r: CompareResult): string {
  const lossSeries = r.combos.flatMap((c) =>
    c.runs.map((run) => ({
      name: `${c.combo.name} s${run.seed}`,
      points: smooth(readMetrics(run.dir).filter((m) => m.type === 'step' && m.loss !== undefined).map((m) => [m.step, m.loss!] as [number, number]), 10),
    })),
  );
  const apSeries = r.combos.flatMap((c) =>
    c.runs.map((run) => ({ name: `${c.combo.name} s${run.seed}`, points: readMetrics(run.dir).filter((m) => m.type === 'eval' && m.stats).map((m) => [m.step, m.stats![0]!] as [number, number]) })),
  );
  const rows = r.combos
    .map((c) => `<tr><th>${esc(c.combo.name)}</th>${TABLE_STATS.map(({ index: k }) => `<td>${c.mean[k]!.toFixed(3)} ± ${c.std[k]!.toFixed(3)}</td>`).join('')}</tr>`)
    .join('\n');
  const runs = r.combos
    .map((c) => `<li><b>${esc(c.combo.name)}</b>: cls <code>${esc(c.combo.cls)}</code>, reg <code>${esc(c.combo.reg)}</code> — ${c.runs.map((x) => `<code>${esc(x.dir)}</code> (AP ${x.stats[0]!.toFixed(3)})`).join(', ')}</li>`)
    .join('\n');
  const recipes = [...new Set(r.combos.map((c) => describeRecipe(r.detector, c.recipe)))];
  return `<p>${esc(r.detector)} on ${esc(r.data)}: COCO bbox metrics on the validation split, mean ± sample standard deviation over ${r.combos[0]?.runs.length ?? 0} seed(s). Recipe <code>${esc(r.recipe ?? 'mmdet')}</code>: ${esc(recipes.join('; '))}.</p>
<table class="compare"><tr><th>losses</th>${TABLE_STATS.map((s) => `<th>${s.name}</th>`).join('')}</tr>
${rows}</table>
<ul>${runs}</ul>
<h3>Training curves</h3>
${svgChart('training loss (moving average of 10 steps)', lossSeries, 'loss')}
${apSeries.some((x) => x.points.length > 1) ? svgChart('validation AP', apSeries, 'AP') : ''}`;
}

export function reportHtml(r: CompareResult): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>autoloss compare: ${esc(r.detector)} on ${esc(r.data)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head>
<body><h1>${esc(r.detector)} on ${esc(r.data)}: loss comparison</h1>
${compareSectionHtml(r)}
</body></html>
`;
}
