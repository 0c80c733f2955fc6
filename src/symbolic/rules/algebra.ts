/**
 * Algebraic rules, in the simplifier's lowered spelling (no Sub; Div only as
 * the reciprocal Div(1, ·), see `simplify/spelling.ts`), so each fact is
 * stated once for both spellings: `sub-add-cancel` is also (a + b) − b,
 * a + b + (−b) and −b + (b + a).
 *
 * The laws that hold in any group are stated once over an operation `OP`,
 * its identity `ID` and its inverse `INV(·)`, and instantiated for addition
 * (Add, 0, Neg) and for multiplication (Mul, 1, Div(1, ·)); a multiplicative
 * instance that removes a reciprocal 1/x holds where x ≠ 0.
 *
 * Every rule's right side is no larger than its left, in either spelling, so
 * rewriting never lengthens an expression. Commutative operators are also
 * matched with their arguments swapped, so one direction is written.
 */
import { constants, nonZero, notInverse, type Requirement, type Rule } from './rule.js';

interface GroupLaw {
  /** The rule's name in the additive and in the multiplicative group. */
  readonly names: readonly [string, string];
  readonly lhs: string;
  readonly rhs: string;
  readonly requires?: Requirement;
}

// prettier-ignore
const GROUP_LAWS: readonly GroupLaw[] = [
  { names: ['double-neg',     'recip-recip'],    lhs: 'INV(INV(?a))',            rhs: '?a' },
  { names: ['add-zero',       'mul-one'],        lhs: 'OP(ID,?a)',               rhs: '?a' },
  { names: ['sub-self',       'div-self'],       lhs: 'OP(?a,INV(?a))',          rhs: 'ID' },
  { names: ['sub-add-cancel', 'div-mul-cancel'], lhs: 'OP(OP(?a,?b),INV(?b))',   rhs: '?a' },
  { names: ['add-sub-cancel', 'mul-div-cancel'], lhs: 'OP(OP(?a,INV(?b)),?b)',   rhs: '?a' },
  { names: ['add-constants',  'mul-constants'],  lhs: 'OP(?a,OP(?b,?c))',        rhs: 'OP(OP(?a,?b),?c)',      requires: constants('a', 'b') },
  { names: ['add-sub-assoc',  'mul-div-assoc'],  lhs: 'OP(?a,OP(?b,INV(?c)))',   rhs: 'OP(OP(?a,?b),INV(?c))', requires: notInverse('a') },
];

const GROUPS = [
  { op: 'Add', id: '0', inv: 'Neg(' },
  { op: 'Mul', id: '1', inv: 'Div(1,' },
] as const;

/** The law in group `g`; a multiplicative law that removes INV(?v) holds where ?v ≠ 0. */
function instantiate(law: GroupLaw, g: number): Rule {
  const { op, id, inv } = GROUPS[g]!;
  const spell = (s: string) => s.replaceAll('INV(', inv).replaceAll('OP(', `${op}(`).replaceAll('ID', id);
  const removed = [...law.lhs.matchAll(/INV\(\?([a-z])\)/g)].map((m) => m[1]!).find((v) => !law.rhs.includes(`INV(?${v})`));
  return {
    name: law.names[g]!,
    lhs: spell(law.lhs),
    rhs: spell(law.rhs),
    ...(g === 1 && removed ? { when: nonZero(removed) } : {}),
    ...(law.requires ? { requires: law.requires } : {}),
  };
}

// prettier-ignore
export const ALGEBRA_RULES: readonly Rule[] = [
  ...GROUP_LAWS.flatMap((law) => [instantiate(law, 0), instantiate(law, 1)]),
  { name: 'add-self',       lhs: 'Add(?a,?a)',              rhs: 'Mul(2,?a)' },
  // Drops ?a: where ?a is a reciprocal 1/x the step records x ≠ 0 (0/x = 0).
  { name: 'mul-zero',       lhs: 'Mul(0,?a)',               rhs: '0' },
  { name: 'mul-minus-one',  lhs: 'Mul(-1,?a)',              rhs: 'Neg(?a)' },
  { name: 'mul-neg-neg',    lhs: 'Mul(Neg(?a),Neg(?b))',    rhs: 'Mul(?a,?b)' },
  { name: 'mul-neg',        lhs: 'Mul(Neg(?a),?b)',         rhs: 'Neg(Mul(?a,?b))' },
  { name: 'recip-neg',      lhs: 'Div(1,Neg(?a))',          rhs: 'Neg(Div(1,?a))' },
  { name: 'dot-neg',        lhs: 'Dot(Neg(?a),?b)',         rhs: 'Neg(Dot(?a,?b))' },
  { name: 'neg-sub',        lhs: 'Neg(Add(?a,Neg(?b)))',    rhs: 'Add(?b,Neg(?a))' },
  { name: 'div-split',      lhs: 'Mul(Add(?a,?b),Div(1,?a))', rhs: 'Add(1,Mul(?b,Div(1,?a)))', when: nonZero('a') },
];
