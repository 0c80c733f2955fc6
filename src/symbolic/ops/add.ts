import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Add: a + b, elementwise with broadcasting. */
export const add: OpSpec<'Add'> = {
  name: 'Add',
  arity: 2,
  description: "a + b, elementwise with broadcasting",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'binary', symbol: '+', prec: PREC.add },
  latex: { template: '#1+#2', prec: PREC.add, args: [PREC.add, PREC.add] },
  code: { python: "(#1 + #2)", tfjs: "tf.add(#1, #2)", js: "(#1 + #2)" },
  value: (a, b) => a + b,
  exact: (a, b) => R.add(a, b),
  derivative: ['1', '1'],
  tensor: (tf, a, b) => tf.add(a, b!),
  properties: { commutative: true, associative: true, rational: true },
};
