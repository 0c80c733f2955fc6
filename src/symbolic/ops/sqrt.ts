import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';

/** Sqrt: √a, NaN for a < 0. */
export const sqrt: OpSpec<'Sqrt'> = {
  name: 'Sqrt',
  arity: 1,
  description: "√a, NaN for a < 0",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'sqrt' },
  latex: { template: '\\sqrt{#1}', prec: PREC.atom, args: [0] },
  code: { python: "torch.sqrt(#1)", tfjs: "tf.sqrt(#1)", js: "Math.sqrt(#1)" },
  value: Math.sqrt,
  exact: (a) => (R.isZero(a) || R.isOne(a) ? a : undefined),
  derivative: ['Div(1,Mul(2,Sqrt(?a)))'],
  tensor: (tf, a) => tf.sqrt(a),
  properties: { monotone: 'increasing', range: [0, Infinity], guarded: [0] },
};
