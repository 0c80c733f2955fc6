/**
 * A booktabs table of losses for a paper: one row per loss, its name and its
 * formula in display style. Needs `\usepackage{booktabs}` and `amsmath`.
 */

export interface NamedFormula {
  readonly name: string;
  /** LaTeX from the printer. */
  readonly latex: string;
}

const TEXT_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  α: '$\\alpha$',
  β: '$\\beta$',
  γ: '$\\gamma$',
  σ: '$\\sigma$',
  '−': '--',
  '<': '$<$',
  '>': '$>$',
  '|': '$|$',
  '≠': '$\\neq$',
  '≤': '$\\leq$',
  '≥': '$\\geq$',
  '·': '$\\cdot$',
  '×': '$\\times$',
  '±': '$\\pm$',
  '∂': '$\\partial$',
  '∞': '$\\infty$',
  '→': '$\\to$',
  'ε': '$\\varepsilon$',
  'θ': '$\\theta$',
  '∈': '$\\in$',
  '…': '\\ldots{}',
  '–': '--',
  '—': '---',
  '‘': '`',
  '’': "'",
  '“': '``',
  '”': "''",
};

/**
 * Escapes plain text (a loss's name, a verdict's message) for a LaTeX text
 * cell. Characters pdflatex has no glyph for without extra packages are
 * written as their code point, so the document always compiles.
 */
export function escapeLatexText(text: string): string {
  return [...text].map((ch) => TEXT_ESCAPES[ch] ?? (ch.codePointAt(0)! > 0x7e ? `[U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]` : ch)).join('');
}

/**
 * The table as LaTeX source.
 *
 * @example
 * toTexTable([{ name: 'IoU loss', latex: '1-\\frac{i}{u}' }])
 * // '\\begin{table}[t]\n\\centering\n\\begin{tabular}{ll}\n\\toprule\nLoss & Formula \\\\ …'
 */
export function toTexTable(rows: readonly NamedFormula[], caption?: string): string {
  const lines = [
    '% Requires \\usepackage{booktabs} and \\usepackage{amsmath}.',
    '\\begin{table}[t]',
    '\\centering',
    '\\begin{tabular}{ll}',
    '\\toprule',
    'Loss & Formula \\\\',
    '\\midrule',
    ...rows.map((r) => `${escapeLatexText(r.name)} & $\\displaystyle ${r.latex}$ \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
  ];
  if (caption) lines.push(`\\caption{${escapeLatexText(caption)}}`);
  lines.push('\\end{table}');
  return `${lines.join('\n')}\n`;
}
