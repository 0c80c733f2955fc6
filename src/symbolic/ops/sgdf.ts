import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

const HALF = R.rat(1n, 2n);

/** Sgdf: (gd(π·a/4)·2/π + 1)/2 with gd(t) = 2·atan(tanh(t/2)): scaled Gudermannian. */
export const sgdf: OpSpec = {
  name: 'Sgdf',
  arity: 1,
  description: "(gd(π·a/4)·2/π + 1)/2 with gd(t) = 2·atan(tanh(t/2)): scaled Gudermannian",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'gd' },
  latex: { template: '\\operatorname{gd}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: "((4 / math.pi * torch.atan(torch.tanh(#1 * (math.pi / 8))) + 1) / 2)", tfjs: "tf.div(tf.add(tf.mul(tf.atan(tf.tanh(tf.mul(#1, Math.PI / 8))), 4 / Math.PI), 1), 2)", js: "M.sgdf(#1)" },
  value: M.sgdf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(1,Mul(2,Add(Exp(Div(Mul(pi,?a),4)),Exp(Neg(Div(Mul(pi,?a),4))))))'],
  tensor: (tf, a) => tf.div(tf.add(tf.mul(tf.atan(tf.tanh(tf.mul(a, Math.PI / 8))), 4 / Math.PI), 1), 2),
  properties: { monotone: 'increasing', range: [0, 1] },
};
