/**
 * What `autoloss render` prints, as a function: expressions resolved, printed
 * to LaTeX (raw or simplified), then to the chosen target.
 */
import { resolveLoss } from '../symbolic/builtins.js';
import type { Domain } from '../symbolic/domains.js';
import { lightSimplify } from '../symbolic/simplify/light.js';
import { toLatex } from './latex.js';
import { toMarkdownTable } from './markdown.js';
import { toTexTable } from './tex-table.js';

export interface RenderRequest {
  readonly to: 'latex' | 'html' | 'mathml' | 'tex-table' | 'markdown';
  readonly domain?: Domain;
  readonly simplified?: boolean;
}

/**
 * The output of `autoloss render` for `exprs`.
 *
 * @example
 * await renderExpressions(['iou'], { to: 'latex' }) // '1-\\frac{i}{u}\n'
 */
export async function renderExpressions(exprs: readonly string[], req: RenderRequest): Promise<string> {
  const rows = exprs.map((text, k) => {
    const loss = resolveLoss(text, { domain: req.domain });
    const tree = req.simplified ? lightSimplify(loss.tree, loss.domain) : loss.tree;
    return { name: loss.builtin?.title ?? `Loss ${k + 1}`, domain: loss.domain, latex: toLatex(tree, loss.domain) };
  });
  switch (req.to) {
    case 'latex':
      return rows.map((r) => `${r.latex}\n`).join('');
    case 'html':
    case 'mathml': {
      const { renderLatex } = await import('./katex.js');
      return rows.map((r) => `${renderLatex(r.latex, req.to as 'html' | 'mathml')}\n`).join('');
    }
    case 'tex-table':
      return toTexTable(rows);
    case 'markdown':
      return toMarkdownTable(rows);
  }
}
