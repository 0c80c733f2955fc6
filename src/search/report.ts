/**
 * The search's HTML report: the best losses (simplified, LaTeX, verdicts,
 * through the loss report of src/render/report), the best fitness by
 * generation with the baselines on the same axes, and the funnel.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { katexDistDir } from '../render/katex.js';
import { buildEntries, reportHtml, type ReportAppendix } from '../render/report/report.js';
import { escapeXml, svgPlot, type Series } from '../render/report/svg-plot.js';
import { writeFileAtomic } from '../util/fs.js';
import type { Baselines } from './baselines.js';
import { bestCandidates, type SearchState } from './evolve.js';

/** Cumulative stage counts over every generation: what entered each stage. */
export function funnel(state: SearchState): { stage: string; count: number }[] {
  const sum = (f: (h: SearchState['history'][number]) => number): number => state.history.reduce((a, h) => a + f(h), 0);
  const generated = sum((h) => h.generated);
  const structure = sum((h) => h.rejected.structure ?? 0);
  const duplicates = sum((h) => h.duplicates);
  const simulation = sum((h) => h.rejected.simulation ?? 0);
  const passed = sum((h) => h.passed);
  const properties = generated - structure - duplicates - passed - simulation;
  return [
    { stage: 'generated', count: generated },
    { stage: 'within the structure limits', count: generated - structure },
    { stage: 'new (not a duplicate)', count: generated - structure - duplicates },
    { stage: 'all properties hold', count: generated - structure - duplicates - properties },
    { stage: 'simulation passes', count: passed },
    { stage: 'proxy-trained', count: sum((h) => h.trained) },
  ];
}

function funnelSvg(rows: { stage: string; count: number }[]): string {
  const w = 760;
  const label = 220;
  const max = Math.max(1, ...rows.map((r) => r.count));
  const bars = rows
    .map((r, k) => {
      const y = 10 + k * 30;
      const len = Math.max(1, ((w - label - 90) * r.count) / max);
      return `<text x="${label - 8}" y="${y + 15}" text-anchor="end">${escapeXml(r.stage)}</text><rect x="${label}" y="${y}" width="${len.toFixed(1)}" height="20" fill="#4063d8"/><text x="${(label + len + 6).toFixed(1)}" y="${y + 15}">${r.count}</text>`;
    })
    .join('');
  return `<svg class="plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${rows.length * 30 + 20}" width="${w}" height="${rows.length * 30 + 20}" font-family="sans-serif" font-size="12" role="img">${bars}</svg>`;
}

function fitnessSvg(state: SearchState, baselines?: Baselines): string {
  const gens = state.history.map((h) => h.generation);
  const best = state.history.map((h) => h.best_fitness ?? NaN);
  const series: Series[] = [{ label: 'best proxy AP so far', color: '#111111', dash: '', width: 2.4, x: gens, y: best }];
  const colors = ['#d1495b', '#2e8b57'];
  baselines?.baselines.forEach((b, k) => {
    const color = colors[k % colors.length]!;
    series.push({ label: `${b.name} (${b.role}, mean of ${b.runs.length})`, color, dash: '6 3', width: 1.4, x: gens, y: gens.map(() => b.mean) });
    if (b.runs.length > 1) {
      series.push({ label: `${b.name} − 1 std`, color, dash: '2 3', width: 1, x: gens, y: gens.map(() => b.mean - b.std) });
      series.push({ label: `${b.name} + 1 std`, color, dash: '2 3', width: 1, x: gens, y: gens.map(() => b.mean + b.std) });
    }
  });
  // One generation would draw no line: repeat it half a step on each side.
  const widen = (s: Series): Series => (s.x.length === 1 ? { ...s, x: [s.x[0]! - 0.5, s.x[0]! + 0.5], y: [s.y[0]!, s.y[0]!] } : s);
  const all = series.map(widen);
  return svgPlot('fitness', [{ title: 'proxy COCO AP', xLabel: 'generation', series: all }], all.map((s) => ({ label: s.label, color: s.color, dash: s.dash })));
}

const num = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

/**
 * Writes `dir/report.html` (with KaTeX's CSS and fonts in `dir/katex/`).
 *
 * @example
 * writeSearchReport('runs/search-reg', state, baselines) // 'runs/search-reg/report.html'
 */
export function writeSearchReport(dir: string, state: SearchState, baselines?: Baselines, top = 3): string {
  const best = bestCandidates(state, top);
  const entries = buildEntries(
    best.map((c) => c.prefix),
    { domain: state.options.domain },
  ).map((e, k) => ({ ...e, title: `Search result ${k + 1}: proxy AP ${num(best[k]!.fitness)}` }));
  const o = state.options;
  const p = o.proxy;
  const baseRows = (baselines?.baselines ?? [])
    .map((b) => `<tr><td>${escapeXml(b.name)} (${b.role})</td><td>${num(b.mean)}</td><td>${num(b.std)}</td><td>${b.runs.map((r) => `seed ${r.seed}: ${num(r.fitness)}`).join(', ')}</td></tr>`)
    .join('');
  const bestRows = best.map((c, k) => `<tr><td>${k + 1}</td><td>${num(c.fitness)}</td><td>${c.generation}</td><td><code>${escapeXml(c.prefix)}</code></td></tr>`).join('');
  const f = funnel(state);
  const rejectedBefore = f[0]!.count ? 1 - f[5]!.count / f[0]!.count : 0;
  const appendix: ReportAppendix[] = [
    {
      id: 'search',
      title: `Search: ${o.domain} losses on the ${p.detector} proxy (${p.data})`,
      html: `<p>${state.generation + 1} generations of ${o.population}; proxy: ${p.detector} on ${escapeXml(p.data)}, ${p.images} training and ${p.valImages} validation images at ${p.imageSize} px, ${p.steps} steps of batch ${p.batch}, seed ${p.seed}${o.vanilla ? '; <b>vanilla</b> evolution (every candidate trained)' : ''}.</p>
<table class="compare"><tr><th>#</th><th>proxy AP</th><th>generation</th><th>loss</th></tr>${bestRows}</table>
<h3>Baselines on the same proxy</h3>
<table class="compare"><tr><th>loss</th><th>mean AP</th><th>std</th><th>runs</th></tr>${baseRows || '<tr><td colspan="4">not trained</td></tr>'}</table>
<h3>Best fitness by generation</h3><figure>${fitnessSvg(state, baselines)}</figure>
<h3>The funnel</h3><figure>${funnelSvg(f)}<figcaption>Candidates reaching each stage over the whole search; ${(rejectedBefore * 100).toFixed(1)} % never reached a proxy training.</figcaption></figure>`,
    },
  ];
  const html = reportHtml(entries, appendix);
  const kdir = join(dir, 'katex');
  if (!existsSync(join(kdir, 'katex.min.css'))) {
    mkdirSync(kdir, { recursive: true });
    cpSync(join(katexDistDir(), 'katex.min.css'), join(kdir, 'katex.min.css'));
    cpSync(join(katexDistDir(), 'fonts'), join(kdir, 'fonts'), { recursive: true });
  }
  const path = join(dir, 'report.html');
  writeFileAtomic(path, html);
  return path;
}
