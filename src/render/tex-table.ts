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
};

/** Escapes plain text (a loss's name) for a LaTeX text cell. */
export function escapeLatexText(text: string): string {
  return [...text].map((ch) => TEXT_ESCAPES[ch] ?? ch).join('');
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
