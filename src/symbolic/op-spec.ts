/**
 * The shape of an operator's registry entry. Every part of the toolkit reads
 * operators through these entries: parser and printers (syntax), evaluator
 * (value), symbolic engine (exact folding, derivative templates), LaTeX and
 * code exporters (templates), tensor compiler (tfjs builder) and the search
 * (domains, weight). Adding an operator is one file under `ops/` and one line
 * in `registry.ts`: the operator names (`OpName`) are read from the entries.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { Domain } from './domains.js';
import type { OpName } from './op-names.js';
import type { Rat } from './rational.js';

export type Tf = typeof tfc;
export type TfTensor = tfc.Tensor;

/** Binding strength, shared by the infix and LaTeX printers and the infix parser. */
export const PREC = {
  add: 1,
  mul: 2,
  /** Unary minus binds tighter than * and /: `-a*b` is Mul(Neg(a), b). */
  neg: 3,
  pow: 4,
  atom: 5,
} as const;

export type InfixSyntax =
  | { readonly kind: 'binary'; readonly symbol: '+' | '-' | '*' | '/'; readonly prec: number }
  | { readonly kind: 'prefix'; readonly symbol: '-'; readonly prec: number }
  | { readonly kind: 'call'; readonly name: string };

export interface LatexSpec {
  /** Template in which #1 and #2 stand for the rendered arguments. */
  readonly template: string;
  /** Precedence of the rendered result. */
  readonly prec: number;
  /**
   * For each argument, the least precedence it may have to be placed without
   * parentheses; 0 for a slot the template already delimits (\frac{..}, \left(..\right)).
   */
  readonly args: readonly number[];
}

/**
 * Code templates; #1, #2 are the already-computed argument values (the code
 * printers bind every argument to a variable first, so repeating #1 is cheap).
 * They carry the guards of SEMANTICS.md.
 */
export interface CodeTemplates {
  /** PyTorch; `torch` and `math` are in scope. Axis ops reduce/normalise over dim -1. */
  readonly python: string;
  /** tfjs TypeScript; `tf` is in scope. */
  readonly tfjs: string;
  /**
   * Scalar float64 JavaScript; `M` is `scalar-math.ts`. For an axis op, its
   * value on a single class (an argument without a class axis).
   */
  readonly js: string;
  /**
   * Axis ops: JavaScript statements computing one row of `cols` classes for
   * the compiled kernels. `#1`, `#2` are the arguments at class `c` (valid
   * inside the template's own `for (let c = 0; c < cols; c++)` loops); `#o`
   * is the result: for `softmax` an array of `cols` to fill, for `dot` a
   * variable the template declares with `let`; `#t` prefixes the template's
   * own temporaries.
   */
  readonly jsRow?: string;
  /**
   * A JavaScript condition over `#1`, `#2` that holds exactly where `js`'s
   * value is finite. A compiled Dot skips such a factor where the other
   * factor is zero (the term is then ±0, which leaves a sum unchanged), so
   * the call is made only where it counts: log-probabilities dotted with a
   * one-hot label.
   */
  readonly jsFinite?: string;
  /**
   * `dot`: `jsRow` with `#2` a factor computed inside the loop, only where
   * `#1` is non-zero or `#f2` (the factor's `jsFinite`) fails.
   */
  readonly jsRowSkip?: string;
  /**
   * `softmax`: the value at class `c` from `#g`, the row as a float32
   * softmax computed it (the trainer's backend), and `#1`, the argument:
   * whatever the kernel can restore of the float64 value. `row` runs once
   * per row before any class loop (temporaries prefixed `#t`); `at` are
   * statements inside a class loop that declare `#v`.
   */
  readonly jsRowGiven?: { readonly row: string; readonly at: string };
}

export interface OpProperties {
  readonly commutative?: boolean;
  readonly associative?: boolean;
  /** Monotone on its whole domain (unary ops). */
  readonly monotone?: 'increasing' | 'decreasing';
  /** Closed interval containing every value. */
  readonly range?: readonly [number, number];
  /**
   * A field operation (+, −, ×, ÷, negation): the rational normal form
   * computes with it instead of treating the subterm as an atom.
   */
  readonly rational?: boolean;
  /**
   * Where a guard of SEMANTICS.md decides the value: the arguments (by
   * index) whose values near 0 activate it, and `'value'` when the result
   * itself marks it (Exp near its clamp). The exact forms describe the
   * unguarded function, so numeric checks skip points where these are near
   * 0, huge or NaN.
   */
  readonly guarded?: readonly (0 | 1 | 'value')[];
}

/** A value inside an R×C batch: element (r, c) is data[r·rs + c·cs]; a stride of 0 broadcasts. */
export interface Strided {
  readonly data: ArrayLike<number>;
  readonly rs: number;
  readonly cs: number;
}

export interface OpSpec<N extends string = OpName> {
  readonly name: N;
  readonly arity: 1 | 2;
  readonly description: string;
  /** Domains whose search space draws this operator. */
  readonly searchDomains: readonly Domain[];
  /** Relative weight when the search samples an operator. */
  readonly weight: number;
  readonly infix: InfixSyntax;
  readonly latex: LatexSpec;
  readonly code: CodeTemplates;
  /**
   * Operators that work along the class axis instead of elementwise: `softmax`
   * keeps the argument's shape, `dot` reduces the class axis to width 1. The
   * shape rules read this facet, never an operator's name.
   */
  readonly axis?: 'softmax' | 'dot';
  /**
   * Float64 value with the guards of SEMANTICS.md: elementwise, or for an
   * axis op its value on a single class (the width-1 case of `rows`).
   */
  readonly value: (a: number, b: number) => number;
  /**
   * An axis op's float64 semantics over R rows of C classes: writes R×C
   * values (`softmax`) or R (`dot`) into `out`, row-major. Every float64 path
   * (evaluator, verification tape) runs this one function.
   */
  readonly rows?: (out: Float64Array, R: number, C: number, a: Strided, b?: Strided) => void;
  /** Exact value on rational arguments when it is rational (constant folding). */
  readonly exact?: (a: Rat, b: Rat) => Rat | undefined;
  /**
   * Local partial derivatives, one prefix template per argument over ?a and ?b,
   * of the unguarded function (no 1e-20, no clamp). Axis ops leave this empty
   * and give `vjp`.
   */
  readonly derivative: readonly string[];
  /**
   * Vector-Jacobian products for axis ops: per argument, a template over the
   * cotangent ?g (same shape as the result) and the arguments ?a, ?b.
   */
  readonly vjp?: readonly string[];
  /** tfjs builder, float32, with the guards. */
  readonly tensor: (tf: Tf, a: TfTensor, b?: TfTensor) => TfTensor;
  readonly properties: OpProperties;
}
