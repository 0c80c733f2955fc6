/**
 * A loss in one of the forms a paper prints it in: as given (the tree as
 * written), simplified (the symbolic engine's simplification) or rational
 * (the reduced numerator and denominator, for rational functions of the
 * inputs: Autoloss-B reg's 39-node tree is a fraction of two quadratics).
 */
import type { Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { toLatex } from './latex.js';
import { rationalOf } from './report/sections.js';
import type { LatexForm } from './forms.js';
import { UserError } from '../util/errors.js';

export type { LatexForm } from './forms.js';

/** A form that does not exist for a loss (the CLI prints it and exits 2). */
class FormError extends UserError {
  override readonly name = 'FormError';
}

/**
 * LaTeX of `tree` in `form`; `what` names the loss in the error when it has no rational form.
 *
 * @example
 * latexInForm(resolveLoss('autoloss-b-reg').tree, 'reg', 'rational', 'autoloss-b-reg')
 * // '\\frac{3eu+12e+3i+3u+18}{-3eu+iu+u^{2}-15e+5i+5u}'
 */
export function latexInForm(tree: Node, domain: Domain, form: LatexForm, what: string): string {
  if (form === 'rational') {
    const latex = rationalOf(tree, domain);
    if (latex === undefined) throw new FormError(`${what} is not a rational function of its inputs, so it has no rational form`);
    return latex;
  }
  return toLatex(tree, domain, { mode: form === 'simplified' ? 'simplified' : 'raw' });
}
