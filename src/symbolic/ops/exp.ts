import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

/** Exp: exp(min(a, 88)), clamped to avoid float32 overflow. */
export const exp: OpSpec<'Exp'> = {
  name: 'Exp',
  arity: 1,
  description: "exp(min(a, 88)), clamped to avoid float32 overflow",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'exp' },
  latex: { template: 'e^{#1}', prec: PREC.pow, args: [0] },
  code: { python: "torch.exp(torch.clamp(#1, max=88.0))", tfjs: "tf.exp(tf.minimum(#1, 88))", js: "Math.exp(Math.min(#1, 88))" },
  value: M.clampedExp,
  exact: (a) => (R.isZero(a) ? R.ONE : undefined),
  derivative: ['Exp(?a)'],
  tensor: (tf, a) => tf.exp(tf.minimum(a, 88)),
  properties: { monotone: 'increasing', range: [0, Infinity], guarded: ['value'] },
};
