/**
 * Algebraic rules. Every rule's right side is no larger than its left, so
 * rewriting never lengthens an expression. Commutative operators are also
 * matched with their arguments swapped, so one direction is written.
 */
import { nonZero, type Rule } from './rule.js';

// prettier-ignore
export const ALGEBRA_RULES: readonly Rule[] = [
  { name: 'double-neg',     lhs: 'Neg(Neg(?a))',          rhs: '?a' },
  { name: 'sub-self',       lhs: 'Sub(?a,?a)',            rhs: '0' },
  { name: 'div-self',       lhs: 'Div(?a,?a)',            rhs: '1',  when: nonZero('a') },
  { name: 'add-zero',       lhs: 'Add(0,?a)',             rhs: '?a' },
  { name: 'sub-zero',       lhs: 'Sub(?a,0)',             rhs: '?a' },
  { name: 'zero-sub',       lhs: 'Sub(0,?a)',             rhs: 'Neg(?a)' },
  { name: 'mul-one',        lhs: 'Mul(1,?a)',             rhs: '?a' },
  { name: 'mul-zero',       lhs: 'Mul(0,?a)',             rhs: '0' },
  { name: 'mul-minus-one',  lhs: 'Mul(-1,?a)',            rhs: 'Neg(?a)' },
  { name: 'div-one',        lhs: 'Div(?a,1)',             rhs: '?a' },
  { name: 'div-minus-one',  lhs: 'Div(?a,-1)',            rhs: 'Neg(?a)' },
  { name: 'zero-div',       lhs: 'Div(0,?a)',             rhs: '0',  when: nonZero('a') },
  { name: 'neg-sub',        lhs: 'Neg(Sub(?a,?b))',       rhs: 'Sub(?b,?a)' },
  { name: 'add-neg',        lhs: 'Add(?a,Neg(?b))',       rhs: 'Sub(?a,?b)' },
  { name: 'sub-neg',        lhs: 'Sub(?a,Neg(?b))',       rhs: 'Add(?a,?b)' },
  { name: 'mul-neg-neg',    lhs: 'Mul(Neg(?a),Neg(?b))',  rhs: 'Mul(?a,?b)' },
  { name: 'mul-neg',        lhs: 'Mul(Neg(?a),?b)',       rhs: 'Neg(Mul(?a,?b))' },
  { name: 'div-neg',        lhs: 'Div(Neg(?a),?b)',       rhs: 'Neg(Div(?a,?b))' },
  { name: 'dot-neg',        lhs: 'Dot(Neg(?a),?b)',       rhs: 'Neg(Dot(?a,?b))' },
  { name: 'div-neg-neg',    lhs: 'Div(Neg(?a),Neg(?b))',  rhs: 'Div(?a,?b)' },
  { name: 'add-self',       lhs: 'Add(?a,?a)',            rhs: 'Mul(2,?a)' },
  { name: 'add-sub-cancel', lhs: 'Add(Sub(?a,?b),?b)',    rhs: '?a' },
  { name: 'sub-add-cancel', lhs: 'Sub(Add(?a,?b),?b)',    rhs: '?a' },
  { name: 'mul-div-cancel', lhs: 'Mul(Div(?a,?b),?b)',    rhs: '?a', when: nonZero('b') },
  { name: 'div-mul-cancel', lhs: 'Div(Mul(?a,?b),?b)',    rhs: '?a', when: nonZero('b') },
  { name: 'recip-recip',    lhs: 'Div(1,Div(1,?a))',      rhs: '?a', when: nonZero('a') },
  { name: 'div-split',      lhs: 'Div(Sub(?a,?b),?a)',    rhs: 'Sub(1,Div(?b,?a))', when: nonZero('a') },
  { name: 'add-sub-assoc',  lhs: 'Add(?a,Sub(?b,?c))',    rhs: 'Sub(Add(?a,?b),?c)' },
];
