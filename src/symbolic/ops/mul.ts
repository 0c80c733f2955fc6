import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Mul: a · b. */
export const mul: OpSpec<'Mul'> = {
  name: 'Mul',
  arity: 2,
  description: "a · b",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'binary', symbol: '*', prec: PREC.mul },
  latex: { template: '#1 \\cdot #2', prec: PREC.mul, args: [PREC.mul, PREC.mul] },
  code: { python: "(#1 * #2)", tfjs: "tf.mul(#1, #2)", js: "(#1 * #2)" },
  value: (a, b) => a * b,
  exact: (a, b) => R.mul(a, b),
  derivative: ['?b', '?a'],
  tensor: (tf, a, b) => tf.mul(a, b!),
  properties: { commutative: true, associative: true, rational: true },
};
