import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Sub: a − b. */
export const sub: OpSpec<'Sub'> = {
  name: 'Sub',
  arity: 2,
  description: "a − b",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'binary', symbol: '-', prec: PREC.add },
  latex: { template: '#1-#2', prec: PREC.add, args: [PREC.add, PREC.mul] },
  code: { python: "(#1 - #2)", tfjs: "tf.sub(#1, #2)", js: "(#1 - #2)" },
  value: (a, b) => a - b,
  exact: (a, b) => R.sub(a, b),
  derivative: ['1', '-1'],
  tensor: (tf, a, b) => tf.sub(a, b!),
  properties: { rational: true },
};
