/**
 * The three domains of the loss language (SEMANTICS.md, "Domains and their
 * inputs"): which inputs each has, their names in the paper's infix and LaTeX
 * notation, and whether values carry a class axis.
 */
export type Domain = 'multi' | 'binary' | 'reg';
export type InputName = 'X' | 'Y' | 'Z' | 'Q' | 'PY' | 'NY' | 'U' | 'I' | 'E';

export const DOMAIN_NAMES: readonly Domain[] = ['multi', 'binary', 'reg'];
export const INPUT_NAMES: readonly InputName[] = ['X', 'Y', 'Z', 'Q', 'PY', 'NY', 'U', 'I', 'E'];

export interface InputSpec {
  readonly name: InputName;
  /** Lower-case name in infix syntax (`w` for Z, `ny` for NY). */
  readonly infix: string;
  /** LaTeX in the paper's notation. */
  readonly latex: string;
  /** True when the LaTeX is a product (w y) or sum (1-y) that needs parentheses as an operand. */
  readonly latexCompound?: 'product' | 'sum';
  readonly meaning: string;
  /**
   * Targets built from the labels: their values repeat along a row or are
   * mostly 0 and 1, so a compiled kernel reuses a call's value over a run of
   * equal arguments. Predictions (logits, box terms) seldom repeat.
   */
  readonly repeats?: boolean;
}

export interface DomainSpec {
  readonly name: Domain;
  readonly inputs: readonly InputSpec[];
  /** Values are N×C with a class axis (softmax and dot apply) rather than N. */
  readonly classAxis: boolean;
  readonly description: string;
}

const X: InputSpec = { name: 'X', infix: 'x', latex: 'x', meaning: 'logits' };

export const DOMAINS: Readonly<Record<Domain, DomainSpec>> = {
  multi: {
    name: 'multi',
    classAxis: true,
    description: 'two-stage classification: softmax over C+1 classes including background',
    inputs: [
      X,
      { name: 'Y', infix: 'y', latex: 'y', meaning: 'one-hot label', repeats: true },
      { name: 'Z', infix: 'w', latex: 'w', meaning: 'IoU of the positive sample with its target, 1 for negatives', repeats: true },
    ],
  },
  binary: {
    name: 'binary',
    classAxis: true,
    description: 'one-stage classification: per-class sigmoid',
    inputs: [
      X,
      { name: 'Q', infix: 'q', latex: 'w y', latexCompound: 'product', meaning: 'IoU at the target class, 0 elsewhere (w·y)', repeats: true },
      { name: 'PY', infix: 'y', latex: 'y', meaning: 'binary targets y', repeats: true },
      { name: 'NY', infix: 'ny', latex: '1-y', latexCompound: 'sum', meaning: '1 − y', repeats: true },
    ],
  },
  reg: {
    name: 'reg',
    classAxis: false,
    description: 'box regression',
    inputs: [
      { name: 'U', infix: 'u', latex: 'u', meaning: 'union area of prediction and target' },
      { name: 'I', infix: 'i', latex: 'i', meaning: 'intersection area' },
      { name: 'E', infix: 'e', latex: 'e', meaning: 'area of the smallest enclosing box' },
    ],
  },
};

export function isDomain(s: string): s is Domain {
  return (DOMAIN_NAMES as readonly string[]).includes(s);
}

export function isInputName(s: string): s is InputName {
  return (INPUT_NAMES as readonly string[]).includes(s);
}
