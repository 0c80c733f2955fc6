/**
 * The three forms `autoloss simplify` offers, computed and printed in one
 * place so that the command, the `--cases` batch mode and `npm start` agree.
 */
import { toInfix } from '../render/infix.js';
import { toPrefix } from '../render/prefix.js';
import { canonical, canonicalHash } from '../symbolic/canonical.js';
import type { Domain } from '../symbolic/domains.js';
import type { Node } from '../symbolic/node.js';
import { formToTree, rationalForm, rationalFormInfix, rationalFormJson, type RationalForm } from '../symbolic/poly/rational-form.js';
import { simplify } from '../symbolic/simplify/simplify.js';

const FORMS = ['simplified', 'rational', 'canonical'] as const;
export type FormName = (typeof FORMS)[number];
const TARGETS = ['infix', 'prefix', 'latex', 'json'] as const;
export type Target = (typeof TARGETS)[number];

export interface FormResult {
  readonly tree: Node;
  /** The rational form, for `rational`. */
  readonly rational?: RationalForm;
  readonly conditions: readonly string[];
  /** Rule names of the steps taken, for `simplified`. */
  readonly rules: readonly string[];
}

/**
 * Computes one form of `tree`.
 *
 * @throws ZeroDivision or FormTooLarge for `rational` when there is no form.
 */
export function computeForm(tree: Node, domain: Domain, form: FormName): FormResult {
  if (form === 'rational') {
    const f = rationalForm(tree, domain);
    return { tree: formToTree(f), rational: f, conditions: [], rules: [] };
  }
  if (form === 'canonical') return { tree: canonical(tree, domain), conditions: [], rules: [] };
  const s = simplify(tree, domain);
  return { tree: s.tree, conditions: s.conditions, rules: s.steps.map((x) => x.rule) };
}

/** The JSON object of a form: `{numerator, denominator}` for rational forms. */
export function formJson(r: FormResult, domain: Domain, form: FormName): Record<string, unknown> {
  if (form === 'rational' && r.rational) return rationalFormJson(r.rational);
  if (form === 'canonical') return { hash: canonicalHash(r.tree, domain), infix: toInfix(r.tree, domain), prefix: toPrefix(r.tree) };
  return { infix: toInfix(r.tree, domain), prefix: toPrefix(r.tree), conditions: r.conditions, rules: r.rules };
}

/**
 * A form printed for a person or a program.
 *
 * @example
 * await printForm(computeForm(tree, 'reg', 'rational'), 'reg', 'rational', 'infix') // '(-i + u) / u'
 */
export async function printForm(r: FormResult, domain: Domain, form: FormName, to: Target): Promise<string> {
  switch (to) {
    case 'json':
      return JSON.stringify(formJson(r, domain, form));
    case 'prefix':
      return toPrefix(r.tree);
    case 'infix':
      return r.rational ? rationalFormInfix(r.rational) : toInfix(r.tree, domain);
    case 'latex': {
      if (r.rational) {
        const { rationalLatex } = await import('../render/rational-latex.js');
        return rationalLatex(r.rational);
      }
      const { toLatex } = await import('../render/latex.js');
      return toLatex(r.tree, domain);
    }
  }
}
