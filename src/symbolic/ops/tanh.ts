import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Tanh: tanh a. */
export const tanh: OpSpec<'Tanh'> = {
  name: 'Tanh',
  arity: 1,
  description: "tanh a",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'tanh' },
  latex: { template: '\\tanh #1', prec: PREC.mul, args: [PREC.atom] },
  code: { python: "torch.tanh(#1)", tfjs: "tf.tanh(#1)", js: "Math.tanh(#1)" },
  value: Math.tanh,
  exact: (a) => (R.isZero(a) ? R.ZERO : undefined),
  derivative: ['Sub(1,Mul(Tanh(?a),Tanh(?a)))'],
  tensor: (tf, a) => tf.tanh(a),
  properties: { monotone: 'increasing', range: [-1, 1] },
};
