import { EXP_CLAMP } from '../constants.js';
import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

/** Exp: exp(min(a, 88)), clamped to avoid float32 overflow. */
export const exp: OpSpec<'Exp'> = {
  name: 'Exp',
  arity: 1,
  description: `exp(min(a, ${EXP_CLAMP})), clamped to avoid float32 overflow`,
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'exp' },
  latex: { template: 'e^{#1}', prec: PREC.pow, args: [0] },
  code: { python: `torch.exp(torch.clamp(#1, max=${EXP_CLAMP.toFixed(1)}))`, tfjs: `tf.exp(tf.minimum(#1, ${EXP_CLAMP}))`, js: `Math.exp(Math.min(#1, ${EXP_CLAMP}))` },
  value: M.clampedExp,
  exact: (a) => (R.isZero(a) ? R.ONE : undefined),
  derivative: ['Exp(?a)'],
  tensor: (tf, a) => tf.exp(tf.minimum(a, EXP_CLAMP)),
  properties: { monotone: 'increasing', range: [0, Infinity], guarded: ['value'] },
};
