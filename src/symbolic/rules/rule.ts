/**
 * A rewrite rule as data: left and right sides in the prefix syntax with
 * `?a`-style pattern variables (read by `parseTemplate`), a kebab-case name,
 * and the side condition under which it holds, if any. A condition is not
 * checked (the inputs are generic); it is recorded with the step, so a user
 * sees "where u ≠ 0".
 */
export interface Rule {
  readonly name: string;
  readonly lhs: string;
  readonly rhs: string;
  /** Recorded with the step, not checked: the inputs are generic. */
  readonly when?: SideCondition;
  /** Checked before the rule applies; the rule is skipped when it fails. */
  readonly requires?: Requirement;
}

/** ?a's natural shape is at least ?b's (so a reduction over classes sees the same number of terms). */
export type Requirement = { readonly kind: 'shape-at-least'; readonly variable: string; readonly than: string };

export const shapeAtLeast = (variable: string, than: string): Requirement => ({ kind: 'shape-at-least', variable, than });

export type SideCondition =
  | { readonly kind: 'nonzero'; readonly variable: string }
  | { readonly kind: 'below-clamp'; readonly variable: string };

/** The condition that ?v is not zero (x/x = 1 where x ≠ 0). */
export const nonZero = (variable: string): SideCondition => ({ kind: 'nonzero', variable });
/** The condition that Exp's argument ?v stays below its clamp (88), so log(exp(a)) = a. */
export const belowClamp = (variable: string): SideCondition => ({ kind: 'below-clamp', variable });
