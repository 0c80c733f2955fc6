import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Cos: cos a. */
export const cos: OpSpec<'Cos'> = {
  name: 'Cos',
  arity: 1,
  description: "cos a",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'cos' },
  latex: { template: '\\cos #1', prec: PREC.mul, args: [PREC.atom] },
  code: { python: "torch.cos(#1)", tfjs: "tf.cos(#1)", js: "Math.cos(#1)" },
  value: Math.cos,
  exact: (a) => (R.isZero(a) ? R.ONE : undefined),
  derivative: ['Neg(Sin(?a))'],
  tensor: (tf, a) => tf.cos(a),
  properties: { range: [-1, 1] },
};
