/**
 * The loss report as a standalone LaTeX document for a paper's appendix:
 * each loss as given, simplified and in its reduced rational form (in the
 * paper's notation), the verification verdicts as a booktabs table, and the
 * training comparison as a booktabs table when one is given. It compiles
 * with pdflatex and the packages of a basic TeX Live (amsmath, booktabs,
 * geometry, graphicx).
 *
 * Formulas wider than the text are scaled down to the line width rather
 * than overflowing: display math does not break lines by itself.
 */
import { mkdirSync, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveLoss } from '../../symbolic/builtins.js';
import type { Domain } from '../../symbolic/domains.js';
import type { Node } from '../../symbolic/node.js';
import { simplify } from '../../symbolic/simplify/simplify.js';
import { writeFileAtomic } from '../../util/fs.js';
import { PointCache, verifyLoss, type LossVerdict } from '../../verify/index.js';
import { toLatex } from '../latex.js';
import { toPrefix } from '../prefix.js';
import { escapeLatexText } from '../tex-table.js';
import { DEFAULT_LOSSES, ReportError } from './report.js';
import { rationalOf } from './sections.js';

/** A training comparison, as `autoloss compare` writes it to compare.json (only the fields the table shows). */
export interface ComparisonLike {
  readonly detector: string;
  readonly data: string;
  readonly recipe?: string;
  readonly combos: readonly {
    readonly combo: { readonly name: string; readonly cls: string; readonly reg: string };
    readonly runs: readonly unknown[];
    readonly mean: readonly number[];
    readonly std: readonly number[];
  }[];
}

export interface TexReportOptions {
  /** Domain for expressions whose inputs do not fix it. */
  readonly domain?: Domain;
  /** Run the property checks of src/verify and tabulate them. Default true. */
  readonly verify?: boolean;
  /** A training comparison to tabulate, with its columns: each metric's name and index in a combination's `mean`. */
  readonly comparison?: { readonly result: ComparisonLike; readonly columns: readonly { readonly name: string; readonly index: number }[]; readonly source: string };
}

interface TexEntry {
  readonly title: string;
  readonly domain: Domain;
  readonly tree: Node;
  readonly given: string;
  readonly simplified: string;
  readonly conditions: readonly string[];
  readonly rational?: string;
  readonly verdict?: LossVerdict;
}

/** Monospace text that may break after commas and parentheses (long prefix trees). */
function breakableCode(text: string): string {
  return `\\texttt{${escapeLatexText(text).replace(/([,(])/g, '$1\\allowbreak{}')}}`;
}

const display = (latex: string): string => `\\begin{center}\\fitmath{${latex}}\\end{center}`;

/** A label and its formula on one page: a page break between them would orphan the label. */
const form = (label: string, latex: string): string => `\\begin{minipage}{\\linewidth}\n${label}\n${display(latex)}\n\\end{minipage}\n`;

function lossSection(e: TexEntry): string {
  const lines = [`\\subsection*{${escapeLatexText(e.title)} \\quad{\\normalfont\\small(${e.domain})}}`, `{\\raggedright Prefix: ${breakableCode(toPrefix(e.tree))}\\par}`, form('As given:', `L = ${e.given}`)];
  if (e.simplified !== e.given) {
    const assuming = e.conditions.length ? ` (assuming ${e.conditions.map(escapeLatexText).join(', ')})` : '';
    lines.push(form(`Simplified${assuming}:`, `L = ${e.simplified}`));
  } else lines.push('Simplified: as given.');
  if (e.rational) lines.push(form('Reduced rational form:', `L = ${e.rational}`));
  return lines.join('\n');
}

const STATUS: Record<string, string> = { pass: 'pass', fail: '\\textbf{fail}', warn: '\\textit{warn}' };

function verificationTable(entries: readonly TexEntry[]): string {
  const blocks = entries
    .filter((e) => e.verdict)
    .map((e) =>
      e.verdict!.properties
        .map((p, k) => {
          const loss = k === 0 ? escapeLatexText(e.title) : '';
          const detail = p.counterexample ? `; counterexample: ${escapeLatexText(p.counterexample.message)}` : p.status === 'pass' ? ` (${p.checked} points)` : '';
          return `${loss} & ${escapeLatexText(p.name)} & ${STATUS[p.status] ?? escapeLatexText(p.status)} & ${escapeLatexText(p.description)}${detail} \\\\`;
        })
        .join('\n'),
    );
  if (blocks.length === 0) return '';
  return `\\section*{Verification}
Properties of each loss's domain checked at sampled valid points (\\texttt{autoloss verify}); a failure comes with a shrunk counterexample.
\\begin{center}
\\small
\\begin{tabular}{@{}l l l >{\\raggedright\\arraybackslash}p{0.47\\linewidth}@{}}
\\toprule
Loss & Property & Verdict & What is checked \\\\
\\midrule
${blocks.join('\n\\midrule\n')}
\\bottomrule
\\end{tabular}
\\end{center}`;
}

function comparisonTable(c: NonNullable<TexReportOptions['comparison']>): string {
  const r = c.result;
  const seeds = r.combos[0]?.runs.length ?? 0;
  const cell = (m: number | undefined, s: number | undefined): string => (m === undefined || !Number.isFinite(m) || m < 0 ? 'n/a' : `$${m.toFixed(3)} \\pm ${(s ?? 0).toFixed(3)}$`);
  const cols = c.columns.map((s) => s.index);
  const best = cols.map((k) => Math.max(...r.combos.map((x) => x.mean[k] ?? -Infinity)));
  const rows = r.combos.map(
    (x) => `${escapeLatexText(x.combo.name)} & ${cols.map((k, j) => (x.mean[k] === best[j] && r.combos.length > 1 ? `{\\boldmath${cell(x.mean[k], x.std[k])}}` : cell(x.mean[k], x.std[k]))).join(' & ')} \\\\`,
  );
  const losses = r.combos.map((x) => `\\item[${escapeLatexText(x.combo.name)}] cls ${breakableCode(x.combo.cls)}, reg ${breakableCode(x.combo.reg)}`);
  return `\\section*{Training comparison}
${escapeLatexText(r.detector)} on ${escapeLatexText(r.data)}: COCO bbox metrics on the validation split, mean $\\pm$ sample standard deviation over ${seeds} seed${seeds === 1 ? '' : 's'}${r.recipe ? `, recipe \\texttt{${escapeLatexText(r.recipe)}}` : ''}; only the losses differ between rows. Best mean in bold.
\\begin{center}
\\small\\setlength{\\tabcolsep}{4pt}
\\begin{tabular}{@{}l${'c'.repeat(cols.length)}@{}}
\\toprule
Losses & ${c.columns.map((s) => escapeLatexText(s.name)).join(' & ')} \\\\
\\midrule
${rows.join('\n')}
\\bottomrule
\\end{tabular}
\\end{center}
\\begin{description}\\small\\raggedright
${losses.join('\n')}
\\end{description}`;
}

/**
 * The document's source.
 *
 * @example
 * texReportSource(['autoloss-b-reg'], { verify: false })
 * // '\\documentclass[11pt]{article}\n…\\frac{3eu+12e+3i+3u+18}{-3eu+iu+u^{2}-15e+5i+5u}…'
 */
export function texReportSource(exprs: readonly string[], options: TexReportOptions = {}): string {
  const points = new PointCache();
  const entries: TexEntry[] = (exprs.length ? exprs : DEFAULT_LOSSES).map((text, k) => {
    const loss = resolveLoss(text, { domain: options.domain });
    const s = simplify(loss.tree, loss.domain);
    const rational = rationalOf(loss.tree, loss.domain);
    return {
      title: loss.builtin?.title ?? `Loss ${k + 1}`,
      domain: loss.domain,
      tree: loss.tree,
      given: toLatex(loss.tree, loss.domain),
      simplified: toLatex(s.tree, loss.domain),
      conditions: s.conditions,
      ...(rational !== undefined ? { rational } : {}),
      ...(options.verify === false ? {} : { verdict: verifyLoss({ tree: loss.tree, domain: loss.domain }, { points }) }),
    };
  });
  return `% Generated by autoloss (report --to tex). Compiles with pdflatex.
\\documentclass[11pt]{article}
\\usepackage[margin=2.2cm]{geometry}
\\usepackage{amsmath}
\\usepackage{amssymb}
\\usepackage{array}
\\usepackage{booktabs}
\\usepackage{graphicx}
\\newsavebox{\\fitmathbox}
% Display math scaled down to the line width when wider, never overflowing.
\\newcommand{\\fitmath}[1]{\\sbox{\\fitmathbox}{$\\displaystyle #1$}\\ifdim\\wd\\fitmathbox>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox{\\fitmathbox}}\\else\\usebox{\\fitmathbox}\\fi}
\\setlength{\\parindent}{0pt}
\\setlength{\\parskip}{4pt}
\\begin{document}
\\section*{Losses}
Notation of CSE-Autoloss (ICLR 2021): $x$ logits, $y$ labels, $w$ IoU of the sample's box with its target; $i$, $u$, $e$ the intersection, union and smallest enclosing areas of predicted and target boxes. $\\operatorname{erf}$ and $\\operatorname{gd}$ are the scaled S-shaped functions of the search space.

${entries.map(lossSection).join('\n\n')}

${verificationTable(entries)}

${options.comparison ? comparisonTable(options.comparison) : ''}
\\end{document}
`;
}

/**
 * Writes `report.tex` into `outDir` (computed first, then written through a
 * temporary file) and returns its path.
 *
 * @example
 * writeTexReport([], 'out/report') // 'out/report/report.tex'
 */
export function writeTexReport(exprs: readonly string[], outDir: string, options: TexReportOptions = {}): string {
  const source = texReportSource(exprs, options);
  const dir = resolve(outDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ReportError(`--out ${outDir} is a file, not a folder`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ReportError(`cannot write the report into ${outDir}: ${(e as Error).message}`);
  }
  const path = join(dir, 'report.tex');
  writeFileAtomic(path, source);
  return path;
}
