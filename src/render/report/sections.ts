/**
 * The symbolic content of a report section, each part as LaTeX: the tree as
 * given, simplified, its rational form where it is a rational function of the
 * inputs, and its partial derivatives with respect to the inputs gradients
 * flow through (the logits x; u, i, e for regression), simplified by the
 * symbolic engine.
 */
import { derivative } from '../../symbolic/derivative.js';
import { DOMAINS, type Domain, type InputName } from '../../symbolic/domains.js';
import { size, type Node } from '../../symbolic/node.js';
import { rationalForm } from '../../symbolic/poly/rational-form.js';
import { ZeroDivision } from '../../symbolic/poly/ratfunc.js';
import { simplify } from '../../symbolic/simplify/simplify.js';
import { toLatex } from '../latex.js';
import { rationalLatex } from '../rational-latex.js';

/** Derivatives larger than this are listed by size only: a page of LaTeX helps nobody. */
const MAX_DERIVATIVE_NODES = 160;

export interface DerivativeLatex {
  readonly wrt: InputName;
  /** `\frac{\partial L}{\partial x} = …`, or undefined when too large. */
  readonly latex?: string;
  readonly nodes: number;
}

export interface SymbolicParts {
  readonly given: string;
  readonly simplified: string;
  /** Side conditions the simplification assumed (`e ≠ 0`), as text. */
  readonly conditions: readonly string[];
  readonly rational?: string;
  readonly derivatives: readonly DerivativeLatex[];
}

/** Inputs a training step differentiates through. */
function trainableInputs(domain: Domain): InputName[] {
  return domain === 'reg' ? ['U', 'I', 'E'] : ['X'];
}

/**
 * LaTeX for every symbolic part of a loss.
 *
 * @example
 * symbolicParts(parse('iou').tree, 'reg').derivatives[1].latex // '\\frac{\\partial L}{\\partial i} = \\frac{-1}{u}'
 */
export function symbolicParts(tree: Node, domain: Domain): SymbolicParts {
  const simplified = simplify(tree, domain);
  const derivatives = trainableInputs(domain).map((wrt) => {
    const d = simplify(derivative(tree, wrt, domain), domain).tree;
    const nodes = size(d);
    const v = DOMAINS[domain].inputs.find((i) => i.name === wrt)!.latex;
    return { wrt, nodes, latex: nodes <= MAX_DERIVATIVE_NODES ? `\\frac{\\partial L}{\\partial ${v}} = ${toLatex(d, domain)}` : undefined };
  });
  return {
    given: toLatex(tree, domain),
    simplified: toLatex(simplified.tree, domain),
    conditions: simplified.conditions,
    rational: rationalOf(tree, domain),
    derivatives,
  };
}

/**
 * The reduced rational form's LaTeX when the loss is a rational function of
 * its inputs (no Log, σ, … atoms); undefined otherwise, or when a divisor is
 * identically zero (the form does not exist).
 */
export function rationalOf(tree: Node, domain: Domain): string | undefined {
  let form;
  try {
    form = rationalForm(tree, domain);
  } catch (e) {
    if (e instanceof ZeroDivision) return undefined;
    throw e;
  }
  return form.variables.every((v) => v.tree.kind === 'input') ? rationalLatex(form) : undefined;
}
