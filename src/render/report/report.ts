/**
 * The loss report: one self-contained HTML page (KaTeX's CSS and fonts copied
 * beside it, no network) with, per loss, the expression as given, simplified,
 * its rational form, its derivatives and a plot of loss and gradient, the
 * published losses and the baselines overlaid.
 *
 * Everything is computed before anything is written, and the page and its
 * assets are written into a temporary folder that is then moved into place,
 * so a failure leaves no partial report.
 */
import { cpSync, existsSync, mkdirSync, statSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { builtinLoss, resolveLoss, type ResolvedLoss } from '../../symbolic/builtins.js';
import type { Domain } from '../../symbolic/domains.js';
import type { Node } from '../../symbolic/node.js';
import { PointCache, verifyLoss, type LossVerdict } from '../../verify/index.js';
import { toPrefix } from '../prefix.js';
import { katexDistDir, renderLatex } from '../katex.js';
import { lossCurves, POSITIVE_IOUS, TARGET_SIDE, type Curve } from './curves.js';
import { symbolicParts, type SymbolicParts } from './sections.js';
import { escapeXml, svgPlot, type LegendEntry, type Series } from './svg-plot.js';
import { UserError } from '../../util/errors.js';

/** A report that cannot be written where asked (the CLI prints it and exits 2). */
export class ReportError extends UserError {
  override readonly name = 'ReportError';
}

/** What the report compares each domain's losses with. */
const COMPARISONS: Record<Domain, readonly string[]> = {
  reg: ['autoloss-a-reg', 'autoloss-b-reg', 'iou', 'giou'],
  multi: ['autoloss-a-cls', 'ce'],
  binary: ['autoloss-b-cls', 'focal'],
};

/** The default report: the four published losses. */
export const DEFAULT_LOSSES = ['autoloss-a-cls', 'autoloss-a-reg', 'autoloss-b-cls', 'autoloss-b-reg'] as const;

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const MAIN_COLOR = '#111111';
const DASH: Record<string, string> = {
  slide: '',
  scale: '7 4',
  'positive w=0.3': '2 3',
  'positive w=0.6': '6 3',
  'positive w=0.9': '',
  negative: '10 3 2 3',
};
/** Conditions the overlaid losses are drawn at, to keep the plot readable. */
const COMPARED_CONDITIONS = new Set(['slide', 'scale', `positive w=${POSITIVE_IOUS[2]}`, 'negative']);

export interface ReportEntry {
  readonly title: string;
  readonly domain: Domain;
  readonly source: string;
  readonly tree: Node;
  readonly parts: SymbolicParts;
  readonly svg: string;
  /** The paper's closed form (plain text) for a built-in loss. */
  readonly paperForm?: string;
  /** Verification verdicts (src/verify), unless turned off. */
  readonly verdict?: LossVerdict;
}

export interface ReportOptions {
  /** Domain for expressions whose inputs do not fix it. */
  readonly domain?: Domain;
  /** Run the property checks of src/verify and show their verdicts. Default true. */
  readonly verify?: boolean;
  /** Sections appended after the losses (e.g. a training comparison), as ready HTML. */
  readonly appendix?: readonly ReportAppendix[];
}

export interface ReportAppendix {
  readonly id: string;
  readonly title: string;
  /** Trusted HTML produced by this toolkit (tables, inline SVG), never user text. */
  readonly html: string;
}

function titleOf(loss: ResolvedLoss, k: number): string {
  return loss.builtin?.title ?? `Loss ${k + 1}`;
}

function plotFor(id: string, title: string, loss: ResolvedLoss, curves: readonly Curve[]): string {
  const others = COMPARISONS[loss.domain].map((n) => builtinLoss(n)!).filter((b) => b.name !== loss.builtin?.name);
  const series: { label: string; color: string; width: number; curves: readonly Curve[] }[] = [
    { label: title, color: MAIN_COLOR, width: 2.4, curves },
    ...others.map((b, k) => ({
      label: b.title,
      color: PALETTE[k % PALETTE.length]!,
      width: 1.3,
      curves: lossCurves(resolveLoss(b.name).tree, b.domain).filter((c) => COMPARED_CONDITIONS.has(c.condition)),
    })),
  ];
  const toSeries = (pick: (c: Curve) => readonly number[]): Series[] =>
    series.flatMap((s) => s.curves.map((c) => ({ label: `${s.label} (${c.condition})`, color: s.color, dash: DASH[c.condition] ?? '', width: s.width, x: c.x, y: pick(c) })));
  const reg = loss.domain === 'reg';
  const xLabel = reg ? 'IoU with the target' : 'logit x';
  const panels = [
    { title: 'loss', xLabel, series: toSeries((c) => c.loss) },
    { title: reg ? 'dL/dIoU along the path' : '∂L/∂x', xLabel, series: toSeries((c) => c.grad) },
  ];
  const legend: LegendEntry[] = [
    ...series.map((s) => ({ label: s.label, color: s.color, dash: '' })),
    ...curves.map((c) => ({ label: reg ? `${c.condition} (${c.condition === 'slide' ? 'box sliding onto' : 'box scaling to'} the target)` : c.condition, color: '#777', dash: DASH[c.condition] ?? '' })),
  ];
  return svgPlot(id, panels, legend);
}

/**
 * Resolves and computes everything the page shows; throws (ParseError, …) on bad input before anything is written.
 *
 * @example
 * buildEntries(['iou']).map((e) => e.title) // ['IoU loss']
 */
export function buildEntries(exprs: readonly string[], options: ReportOptions = {}): ReportEntry[] {
  const points = new PointCache();
  return exprs.map((text, k) => {
    const loss = resolveLoss(text, { domain: options.domain });
    const title = titleOf(loss, k);
    return {
      title,
      domain: loss.domain,
      source: text,
      tree: loss.tree,
      ...(loss.builtin?.paperForm ? { paperForm: loss.builtin.paperForm } : {}),
      parts: symbolicParts(loss.tree, loss.domain),
      svg: plotFor(`plot-${k}`, title, loss, lossCurves(loss.tree, loss.domain)),
      ...(options.verify === false ? {} : { verdict: verifyLoss({ tree: loss.tree, domain: loss.domain }, { points }) }),
    };
  });
}

const math = (latex: string): string => `<div class="math">${renderLatex(latex, 'html')}</div>`;

function sectionHtml(e: ReportEntry, k: number): string {
  const rows: string[] = [];
  const given = e.source.trim() === toPrefix(e.tree) ? '' : ` <span class="muted">(prefix <code>${escapeXml(toPrefix(e.tree))}</code>)</span>`;
  rows.push(`<dt>As given</dt><dd><code>${escapeXml(e.source)}</code>${given}${math(`L = ${e.parts.given}`)}</dd>`);
  if (e.paperForm) rows.push(`<dt>Paper</dt><dd><p class="paper">${escapeXml(e.paperForm)}</p></dd>`);
  const assuming = e.parts.conditions.length ? `<p class="muted">assuming ${e.parts.conditions.map(escapeXml).join(', ')}</p>` : '';
  rows.push(`<dt>Simplified</dt><dd>${math(`L = ${e.parts.simplified}`)}${assuming}</dd>`);
  if (e.parts.rational) rows.push(`<dt>Rational form</dt><dd>${math(`L = ${e.parts.rational}`)}</dd>`);
  const ds = e.parts.derivatives.map((d) => (d.latex ? math(d.latex) : `<p class="muted">∂L/∂${escapeXml(d.wrt)}: ${d.nodes} nodes, not shown</p>`));
  rows.push(`<dt>Derivatives</dt><dd>${ds.join('')}</dd>`);
  if (e.verdict) rows.push(`<dt>Verification</dt><dd>${verdictHtml(e.verdict)}</dd>`);
  const caption =
    e.domain === 'reg'
      ? `Loss and gradient against IoU for a ${TARGET_SIDE}×${TARGET_SIDE} target: a box of the same size sliding onto it (solid) and a centred box scaling up to it (dashed). Thick black: this loss; thin: published losses and baselines.`
      : `Loss and exact gradient against the logit x of the ${e.domain === 'multi' ? 'target class (3-way softmax, other logits 0)' : 'class (sigmoid)'}: positives at IoU w ∈ {${POSITIVE_IOUS.join(', ')}} and a negative. Thick black: this loss; thin: published loss and baseline (w=${POSITIVE_IOUS[2]} and negative).`;
  return `<section class="loss" id="loss-${k}">
<h2>${escapeXml(e.title)} <span class="domain">${e.domain}</span></h2>
<dl>${rows.join('\n')}</dl>
<figure>${e.svg}<figcaption>${escapeXml(caption)}</figcaption></figure>
</section>`;
}

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(5))) : String(v));

function verdictHtml(v: LossVerdict): string {
  const rows = v.properties.map((p) => {
    const c = p.counterexample;
    const detail = c
      ? `${escapeXml(c.message)}<br><span class="muted">at ${escapeXml(Object.entries(c.inputs).map(([k, xs]) => `${k}=[${xs.map(num).join(', ')}]`).join(' '))}</span>`
      : p.status === 'pass' ? `<span class="muted">${p.checked} points</span>` : '';
    return `<tr class="${p.status}"><td>${escapeXml(p.name)}</td><td class="status">${p.status}</td><td>${escapeXml(p.description)}</td><td>${detail}</td></tr>`;
  });
  return `<p class="verdict ${v.verdict}">${v.verdict === 'pass' ? 'passes' : 'fails'} the checks of its domain</p><table class="verdicts">${rows.join('')}</table>`;
}

/** The page's HTML (expects KaTeX's CSS at `katex/katex.min.css`). */
export function reportHtml(entries: readonly ReportEntry[], appendix: readonly ReportAppendix[] = []): string {
  const toc =
    entries.map((e, k) => `<li><a href="#loss-${k}">${escapeXml(e.title)}</a> <span class="domain">${e.domain}</span></li>`).join('') +
    appendix.map((a) => `<li><a href="#${escapeXml(a.id)}">${escapeXml(a.title)}</a></li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autoloss report</title>
<link rel="stylesheet" href="katex/katex.min.css">
<style>
body { font-family: system-ui, sans-serif; max-width: 1320px; margin: 1.5em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; }
section.loss, section.appendix { border-top: 1px solid #ccc; padding-top: 0.6em; margin-top: 1.4em; }
.domain { font-size: 0.7em; background: #eef; border-radius: 4px; padding: 0.1em 0.4em; vertical-align: middle; font-weight: normal; }
dl { display: grid; grid-template-columns: 9em 1fr; gap: 0.3em 1em; }
dt { font-weight: bold; padding-top: 0.9em; }
dd { margin: 0; min-width: 0; }
.math { overflow-x: auto; overflow-y: hidden; }
.muted { color: #777; }
figure { margin: 0.8em 0; overflow-x: auto; }
figcaption { color: #555; font-size: 0.9em; max-width: 840px; }
table.verdicts { border-collapse: collapse; font-size: 0.9em; }
table.compare { border-collapse: collapse; } table.compare td, table.compare th { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
table.verdicts td { border-top: 1px solid #eee; padding: 0.2em 0.6em; vertical-align: top; }
tr.fail .status, p.verdict.fail { color: #b00020; font-weight: bold; }
tr.pass .status, p.verdict.pass { color: #1b7f3b; font-weight: bold; }
tr.warn .status { color: #a66300; font-weight: bold; }
p.paper { font-family: 'Times New Roman', serif; font-style: italic; font-size: 1.15em; margin: 0.8em 0 0.3em; }
code { background: #f5f5f5; padding: 0 0.2em; word-break: break-all; }
</style>
</head>
<body>
<h1>autoloss report</h1>
<p class="muted">Losses in the notation of CSE-Autoloss (ICLR 2021): x logits, y labels, w IoU; i, u, e intersection, union and enclosing areas. Plots from the float64 evaluator with the reference's guards.</p>
<ul>${toc}</ul>
${entries.map(sectionHtml).join('\n')}
${appendix.map((a) => `<section class="appendix" id="${escapeXml(a.id)}"><h2>${escapeXml(a.title)}</h2>\n${a.html}</section>`).join('\n')}
</body>
</html>
`;
}

/**
 * Writes the report for `exprs` (default: the four published losses) into
 * `outDir` as `index.html` plus `katex/` and returns the page's path.
 *
 * @example
 * writeReport(['autoloss-b-reg', 'Div(I,U)'], 'out/report') // 'out/report/index.html'
 */
export function writeReport(exprs: readonly string[], outDir: string, options: ReportOptions = {}): string {
  const entries = buildEntries(exprs.length ? exprs : DEFAULT_LOSSES, options);
  const html = reportHtml(entries, options.appendix);
  const dir = resolve(outDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ReportError(`--out ${outDir} is a file, not a folder`);
  let tmp: string;
  try {
    mkdirSync(dir, { recursive: true });
    tmp = mkdtempSync(join(dir, '.report-'));
  } catch (e) {
    throw new ReportError(`cannot write the report into ${outDir}: ${(e as Error).message}`);
  }
  try {
    const kdir = join(tmp, 'katex');
    mkdirSync(kdir);
    cpSync(join(katexDistDir(), 'katex.min.css'), join(kdir, 'katex.min.css'));
    cpSync(join(katexDistDir(), 'fonts'), join(kdir, 'fonts'), { recursive: true });
    writeFileSync(join(tmp, 'index.html'), html);
    // Assets first, the page last: an index.html in place always has its assets.
    rmSync(join(dir, 'katex'), { recursive: true, force: true });
    renameSync(kdir, join(dir, 'katex'));
    renameSync(join(tmp, 'index.html'), join(dir, 'index.html'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(dir, 'index.html');
}

/**
 * `npm start`'s report stage: the default report in `<outDir>/report`.
 *
 * @example
 * reportStage('out') // 'out/report/index.html'
 */
export function reportStage(outDir: string, appendix: readonly ReportAppendix[] = []): string {
  const path = writeReport([], join(outDir, 'report'), { appendix });
  process.stdout.write(`\n== Loss report ==\nwrote ${path}\n`);
  return path;
}

