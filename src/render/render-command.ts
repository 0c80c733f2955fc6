/**
 * What `autoloss render` prints, as a function: expressions resolved, printed
 * to LaTeX (raw or simplified), then to the chosen target.
 */
import { resolveLoss } from '../symbolic/builtins.js';
import type { Domain } from '../symbolic/domains.js';
import { latexInForm, type LatexForm } from './latex-form.js';
import { toMarkdownTable } from './markdown.js';
import { toTexTable } from './tex-table.js';
import { UserError } from '../util/errors.js';

/** A request that cannot be rendered (the CLI prints it and exits 2). */
class RenderError extends UserError {
  override readonly name = 'RenderError';
}

export interface RenderRequest {
  readonly to: 'latex' | 'html' | 'mathml' | 'tex-table' | 'markdown';
  readonly domain?: Domain;
  readonly simplified?: boolean;
  /** Print the reduced rational form (only for rational functions of the inputs). */
  readonly rational?: boolean;
  /** The form to print; `simplified` and `rational` above are its shorthands. */
  readonly form?: LatexForm;
}

function formOf(req: RenderRequest): LatexForm {
  const flags: LatexForm[] = [...(req.simplified ? (['simplified'] as const) : []), ...(req.rational ? (['rational'] as const) : [])];
  if (flags.length > 1) throw new RenderError('--simplified and --rational exclude each other');
  if (req.form && flags.length && flags[0] !== req.form) throw new RenderError(`--${flags[0]} contradicts --form ${req.form}`);
  return req.form ?? flags[0] ?? 'given';
}

/**
 * The output of `autoloss render` for `exprs`.
 *
 * @example
 * await renderExpressions(['iou'], { to: 'latex' }) // '1-\\frac{i}{u}\n'
 */
export async function renderExpressions(exprs: readonly string[], req: RenderRequest): Promise<string> {
  const form = formOf(req);
  const rows = exprs.map((text, k) => {
    const loss = resolveLoss(text, { domain: req.domain });
    const name = loss.builtin?.title ?? `Loss ${k + 1}`;
    return { name, domain: loss.domain, latex: latexInForm(loss.tree, loss.domain, form, `expression ${k + 1} (${text.trim()})`) };
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
