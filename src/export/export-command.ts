/**
 * What `autoloss export` does, as functions: one expression, or the top K
 * losses of a finished search (its best.json), to PyTorch, tfjs,
 * mmdetection or LaTeX. Everything is generated and checked before anything
 * is written; files go in through a temporary name and a rename.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveLoss } from '../symbolic/builtins.js';
import type { Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { latexInForm } from '../render/latex-form.js';
import type { LatexForm } from '../render/forms.js';
import { toTexTable } from '../render/tex-table.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { detectorsFor, MMDET_DETECTORS, mmdetConfig } from './mmdet-configs.js';
import { moduleName, slotOf, toMmdet } from './mmdet.js';
import { defaultClassName, lowerFirst } from './names.js';
import { toPytorch } from './pytorch.js';
import { readSearchWinners } from './search-result.js';
import type { ExportTarget, LossSlot, MmdetDetector } from './targets.js';
import { toTfjs, type TfPackage } from './tfjs.js';

export interface ExportRequest {
  readonly to: ExportTarget;
  readonly domain?: Domain;
  /** Class or function name (a search's losses get `Rank<k>` appended). */
  readonly name?: string;
  readonly tfPackage?: TfPackage;
  /** The mmdetection slot the loss must fill; a loss of another domain is refused. */
  readonly slot?: LossSlot;
  /** Only this detector's config (mmdet); its head must take the loss's domain. */
  readonly detector?: MmdetDetector;
  /** LaTeX form (latex). */
  readonly form?: LatexForm;
  /** How many of a search's losses, best first. */
  readonly top?: number;
  /** Output folder (mmdet, and a search's exports). */
  readonly out?: string;
}

export interface ExportResult {
  /** Printed on standard output. */
  readonly stdout: string;
  /** Written by `writeExport`. */
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

/** A search result is named by a path ending in .json; an expression never is. */
export function isSearchResult(arg: string): boolean {
  return /\.json$/i.test(arg.trim());
}

function checkSlot(domain: Domain, req: ExportRequest, what: string): void {
  if (req.slot && slotOf(domain) !== req.slot) {
    throw new UserError(`${what} is a ${domain} loss: it fills ${slotOf(domain)}, not --slot ${req.slot}`);
  }
  if (req.detector && domain !== 'reg' && MMDET_DETECTORS[req.detector].clsDomain !== domain) {
    const spec = MMDET_DETECTORS[req.detector];
    throw new UserError(`${what} is a ${domain} loss, but ${spec.title}'s loss_cls takes a ${spec.clsDomain} loss (${spec.clsDomain === 'binary' ? 'per-class sigmoid' : 'softmax over C+1 classes'})`);
  }
}

function mmdetFiles(tree: Node, domain: Domain, name: string, out: string, detector?: MmdetDetector): { path: string; content: string }[] {
  const module = moduleName(name);
  const detectors = detector ? [detector] : detectorsFor(domain);
  return [
    { path: join(out, `${module}.py`), content: toMmdet(tree, domain, { name }) },
    ...detectors.map((d) => ({ path: join(out, `${module}_${d.replace(/-/g, '_')}.py`), content: mmdetConfig(name, module, domain, d) })),
  ];
}

function checkOut(out: string): void {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UserError(`--out ${out} is a file, not a folder`);
}

/**
 * The export of one expression or built-in name.
 *
 * @example
 * exportExpression('giou', { to: 'mmdet', out: 'out/mmdet' }).files.map((f) => f.path)
 * // ['out/mmdet/gio_u_loss.py', …]
 */
export function exportExpression(expr: string, req: ExportRequest): ExportResult {
  const loss = resolveLoss(expr, { domain: req.domain });
  const what = loss.builtin ? `'${loss.builtin.name}'` : 'the expression';
  checkSlot(loss.domain, req, what);
  const cls = req.name ?? defaultClassName(loss.builtin);
  switch (req.to) {
    case 'pytorch':
      return { stdout: toPytorch(loss.tree, loss.domain, { name: cls }), files: [] };
    case 'tfjs':
      return { stdout: toTfjs(loss.tree, loss.domain, { name: req.name ?? lowerFirst(cls), ...(req.tfPackage ? { tfPackage: req.tfPackage } : {}) }), files: [] };
    case 'latex':
      return { stdout: `${latexInForm(loss.tree, loss.domain, req.form ?? 'given', what)}\n`, files: [] };
    case 'mmdet': {
      const out = req.out ?? join('out', 'mmdet');
      checkOut(out);
      return { stdout: '', files: mmdetFiles(loss.tree, loss.domain, cls, out, req.detector) };
    }
  }
}

const capital = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

/**
 * The export of the top K losses of a finished search, best first, as files
 * in `out` (default: `export/` beside best.json).
 *
 * @example
 * exportSearch('runs/search/best.json', { to: 'pytorch', top: 2 }).files.map((f) => f.path)
 * // ['runs/search/export/rank1.py', 'runs/search/export/rank2.py']
 */
export function exportSearch(path: string, req: ExportRequest): ExportResult {
  const winners = readSearchWinners(path);
  const top = req.top ?? 1;
  const chosen = winners.slice(0, top);
  const domain = chosen[0]!.domain;
  checkSlot(domain, req, `${path} (domain ${domain})`);
  const out = req.out ?? join(dirname(path), 'export');
  checkOut(out);
  const base = req.name ?? `Searched${capital(domain)}`;
  const note = top > winners.length ? `${path} holds ${winners.length} losses; exporting all of them\n` : '';
  const label = (w: (typeof chosen)[number]): string => `Rank ${w.rank}${w.fitness !== undefined ? ` (${w.metric ?? 'fitness'} ${Number(w.fitness.toPrecision(4))})` : ''}`;
  let files: { path: string; content: string }[];
  switch (req.to) {
    case 'pytorch':
      files = chosen.map((w) => ({ path: join(out, `rank${w.rank}.py`), content: toPytorch(w.tree, domain, { name: `${base}Rank${w.rank}` }) }));
      break;
    case 'tfjs':
      files = chosen.map((w) => ({
        path: join(out, `rank${w.rank}.ts`),
        content: toTfjs(w.tree, domain, { name: `${lowerFirst(base)}Rank${w.rank}`, ...(req.tfPackage ? { tfPackage: req.tfPackage } : {}) }),
      }));
      break;
    case 'mmdet':
      files = chosen.flatMap((w) => mmdetFiles(w.tree, domain, `${base}Rank${w.rank}`, out, req.detector));
      break;
    case 'latex': {
      const rows = chosen.map((w) => ({ name: label(w), latex: latexInForm(w.tree, domain, req.form ?? 'given', `rank ${w.rank} of ${path} (${w.prefix})`) }));
      files = [{ path: join(out, 'losses.tex'), content: toTexTable(rows, `The ${chosen.length} best ${domain} losses of the search.`) }];
      break;
    }
  }
  return { stdout: note, files };
}

/** Writes the files of an export and lists them; returns what to print. */
export function writeExport(result: ExportResult): string {
  for (const f of result.files) writeFileAtomic(f.path, f.content);
  return result.stdout + result.files.map((f) => `wrote ${f.path}\n`).join('');
}
