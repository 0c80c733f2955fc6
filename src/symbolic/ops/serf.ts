import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

const HALF = R.rat(1n, 2n);

/** Serf: (erf(√π·a/4) + 1)/2: erf scaled to an S-curve with slope 1/4 at 0, like σ. */
export const serf: OpSpec = {
  name: 'Serf',
  arity: 1,
  description: "(erf(√π·a/4) + 1)/2: erf scaled to an S-curve with slope 1/4 at 0, like σ",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'erf' },
  latex: { template: '\\operatorname{erf}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: "((torch.erf(#1 * (math.sqrt(math.pi) / 4)) + 1) / 2)", tfjs: "tf.div(tf.add(tf.erf(tf.mul(#1, Math.sqrt(Math.PI) / 4)), 1), 2)", js: "M.serf(#1)" },
  value: M.serf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(Exp(Neg(Div(Mul(pi,Mul(?a,?a)),16))),4)'],
  tensor: (tf, a) => tf.div(tf.add(tf.erf(tf.mul(a, Math.sqrt(Math.PI) / 4)), 1), 2),
  properties: { monotone: 'increasing', range: [0, 1] },
};
