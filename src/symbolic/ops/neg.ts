import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Neg: −a. */
export const neg: OpSpec<'Neg'> = {
  name: 'Neg',
  arity: 1,
  description: "−a",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'prefix', symbol: '-', prec: PREC.neg },
  latex: { template: '-#1', prec: PREC.neg, args: [PREC.mul] },
  code: { python: "(-#1)", tfjs: "tf.neg(#1)", js: "(-#1)" },
  value: (a) => -a,
  exact: (a) => R.neg(a),
  derivative: ['-1'],
  tensor: (tf, a) => tf.neg(a),
  properties: { monotone: 'decreasing', rational: true },
};
