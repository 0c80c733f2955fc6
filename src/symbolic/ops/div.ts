import { GUARD_EPS } from '../constants.js';
import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

/** Div: a / (b + 1e-20): the guard is part of the semantics. */
export const div: OpSpec<'Div'> = {
  name: 'Div',
  arity: 2,
  description: `a / (b + ${GUARD_EPS}): the guard is part of the semantics`,
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'binary', symbol: '/', prec: PREC.mul },
  latex: { template: '\\frac{#1}{#2}', prec: PREC.atom, args: [0, 0] },
  code: { python: `(#1 / (#2 + ${GUARD_EPS}))`, tfjs: `tf.div(#1, tf.add(#2, ${GUARD_EPS}))`, js: `(#1 / (#2 + ${GUARD_EPS}))` },
  value: M.guardedDiv,
  exact: (a, b) => (R.isZero(b) ? undefined : R.div(a, b)),
  derivative: ['Div(1,?b)', 'Neg(Div(?a,Mul(?b,?b)))'],
  tensor: (tf, a, b) => tf.div(a, tf.add(b!, GUARD_EPS)),
  properties: { rational: true, guarded: [1] },
};
