/**
 * A Markdown table of losses with `$…$` math (GitHub, Jupyter, Pandoc and
 * KaTeX auto-render all read it).
 */
import type { NamedFormula } from './tex-table.js';

/** Escapes a text cell: pipes end cells, and backslashes and emphasis marks would be read as Markdown. */
function escapeCell(text: string): string {
  return text.replace(/([\\|*_`[\]<>])/g, '\\$1');
}

/**
 * The table as Markdown.
 *
 * @example
 * toMarkdownTable([{ name: 'IoU loss', latex: '1-\\frac{i}{u}' }])
 * // '| Loss | Formula |\n| --- | --- |\n| IoU loss | $1-\\frac{i}{u}$ |\n'
 */
export function toMarkdownTable(rows: readonly (NamedFormula & { readonly domain?: string })[]): string {
  const withDomain = rows.some((r) => r.domain);
  const head = withDomain ? ['Loss', 'Domain', 'Formula'] : ['Loss', 'Formula'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    // A bare | inside the math would split the cell; \vert is the same delimiter.
    const math = `$${r.latex.replace(/\|/g, '\\vert ')}$`;
    const cells = withDomain ? [escapeCell(r.name), r.domain ?? '', math] : [escapeCell(r.name), math];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
