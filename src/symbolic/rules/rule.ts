/**
 * A rewrite rule as data: left and right sides in the prefix syntax with
 * `?a`-style pattern variables (read by `parseTemplate`), a kebab-case name,
 * and the side condition under which it holds, if any. A condition is not
 * checked (the inputs are generic); it is recorded with the step, so a user
 * sees "where u ≠ 0".
 *
 * Rules are written in the simplifier's lowered spelling
 * (`simplify/spelling.ts`): no Sub, and Div only as the reciprocal Div(1, ·),
 * so one rule covers both spellings of a fact.
 */
import type { Domain } from '../domains.js';
import type { Node } from '../node.js';
import { shapeOf } from '../shape.js';
import { isReciprocal } from '../simplify/spelling.js';

export interface Rule {
  readonly name: string;
  readonly lhs: string;
  readonly rhs: string;
  /** Recorded with the step, not checked: the inputs are generic. */
  readonly when?: SideCondition;
  /** Checked before the rule applies; the rule is skipped when it fails. */
  readonly requires?: Requirement;
}

export type Requirement =
  /** ?a's natural shape is at least ?b's (so a reduction over classes sees the same number of terms). */
  | { readonly kind: 'shape-at-least'; readonly variable: string; readonly than: string }
  /** ?a is not itself an inverse, Neg(·) or Div(1, ·), nor a constant (which would let an associativity law undo itself). */
  | { readonly kind: 'not-inverse'; readonly variable: string }
  /** ?a and ?b are constants (so regrouping them folds). */
  | { readonly kind: 'constants'; readonly variable: string; readonly and: string };

export const shapeAtLeast = (variable: string, than: string): Requirement => ({ kind: 'shape-at-least', variable, than });
export const notInverse = (variable: string): Requirement => ({ kind: 'not-inverse', variable });
export const constants = (variable: string, and: string): Requirement => ({ kind: 'constants', variable, and });

export type SideCondition =
  | { readonly kind: 'nonzero'; readonly variable: string }
  | { readonly kind: 'below-clamp'; readonly variable: string };

/** The condition that ?v is not zero (x/x = 1 where x ≠ 0). */
export const nonZero = (variable: string): SideCondition => ({ kind: 'nonzero', variable });
/** The condition that Exp's argument ?v stays below its clamp (88), so log(exp(a)) = a. */
export const belowClamp = (variable: string): SideCondition => ({ kind: 'below-clamp', variable });

/** Whether `req` holds for the bindings `env` (true when there is none). */
export function requirementHolds(req: Requirement | undefined, env: Readonly<Record<string, Node>>, domain: Domain): boolean {
  if (!req) return true;
  const v = env[req.variable]!;
  if (req.kind === 'shape-at-least') return shapeOf(v, domain) >= shapeOf(env[req.than]!, domain);
  if (req.kind === 'constants') return v.kind === 'const' && env[req.and]!.kind === 'const';
  // A constant is an inverse too (−3 matches Neg(?x), 1/3 matches Div(1, ?x)); constants regroup by the `constants` laws.
  return v.kind !== 'const' && !(v.kind === 'op' && v.op === 'Neg') && !isReciprocal(v);
}
