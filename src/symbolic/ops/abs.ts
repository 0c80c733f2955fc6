import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Abs: |a|. */
export const abs: OpSpec<'Abs'> = {
  name: 'Abs',
  arity: 1,
  description: "|a|",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'abs' },
  latex: { template: '\\left|#1\\right|', prec: PREC.atom, args: [0] },
  code: { python: "torch.abs(#1)", tfjs: "tf.abs(#1)", js: "Math.abs(#1)" },
  value: Math.abs,
  exact: (a) => (a.n < 0n ? R.neg(a) : a),
  derivative: ['Div(?a,Abs(?a))'],
  tensor: (tf, a) => tf.abs(a),
  properties: { range: [0, Infinity] },
};
