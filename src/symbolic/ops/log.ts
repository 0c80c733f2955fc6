import { GUARD_EPS } from '../constants.js';
import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

/** Log: ln(a + 1e-20), NaN for a < −1e-20. */
export const log: OpSpec<'Log'> = {
  name: 'Log',
  arity: 1,
  description: `ln(a + ${GUARD_EPS}), NaN for a < −${GUARD_EPS}`,
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'log' },
  latex: { template: '\\log #1', prec: PREC.mul, args: [PREC.atom] },
  code: { python: `torch.log(#1 + ${GUARD_EPS})`, tfjs: `tf.log(tf.add(#1, ${GUARD_EPS}))`, js: `Math.log(#1 + ${GUARD_EPS})`, jsFinite: `(#1 + ${GUARD_EPS} > 0 && #1 < Infinity)` },
  value: M.guardedLog,
  exact: (a) => (R.isOne(a) ? R.ZERO : undefined),
  derivative: ['Div(1,?a)'],
  tensor: (tf, a) => tf.log(tf.add(a, GUARD_EPS)),
  properties: { monotone: 'increasing', guarded: [0] },
};
