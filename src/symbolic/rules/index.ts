/** Every rewrite rule the simplifier uses, in the order they are tried. */
import { ALGEBRA_RULES } from './algebra.js';
import { FUNCTION_RULES } from './functions.js';
import type { Rule } from './rule.js';

export type { Requirement, Rule, SideCondition } from './rule.js';
export { requirementHolds } from './rule.js';
export const ALL_RULES: readonly Rule[] = [...ALGEBRA_RULES, ...FUNCTION_RULES];
