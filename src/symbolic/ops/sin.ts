import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Sin: sin a. */
export const sin: OpSpec<'Sin'> = {
  name: 'Sin',
  arity: 1,
  description: "sin a",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'sin' },
  latex: { template: '\\sin #1', prec: PREC.mul, args: [PREC.atom] },
  code: { python: "torch.sin(#1)", tfjs: "tf.sin(#1)", js: "Math.sin(#1)" },
  value: Math.sin,
  exact: (a) => (R.isZero(a) ? R.ZERO : undefined),
  derivative: ['Cos(?a)'],
  tensor: (tf, a) => tf.sin(a),
  properties: { range: [-1, 1] },
};
