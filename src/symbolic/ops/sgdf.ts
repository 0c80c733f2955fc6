import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';
import { mirroredPythonCode, mirroredTensor, mirroredTfjsCode } from '../tensor-math.js';

const HALF = R.rat(1n, 2n);

/** Sgdf: (gd(π·a/4)·2/π + 1)/2 with gd(t) = 2·atan(tanh(t/2)): scaled Gudermannian. */
export const sgdf: OpSpec<'Sgdf'> = {
  name: 'Sgdf',
  arity: 1,
  description: "(gd(π·a/4)·2/π + 1)/2 with gd(t) = 2·atan(tanh(t/2)): scaled Gudermannian",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'gd' },
  latex: { template: '\\operatorname{gd}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  // = (2/π)·atan(e^(πa/4)), from the side whose exponential cannot overflow.
  code: {
    python: mirroredPythonCode('#1', (m) => `(2 / math.pi) * torch.atan(torch.exp(${m} * (math.pi / 4)))`),
    tfjs: mirroredTfjsCode('#1', (m) => `tf.mul(tf.atan(tf.exp(tf.mul(${m}, Math.PI / 4))), 2 / Math.PI)`),
    js: "M.sgdf(#1)",
  },
  value: M.sgdf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(1,Mul(2,Add(Exp(Div(Mul(pi,?a),4)),Exp(Neg(Div(Mul(pi,?a),4))))))'],
  tensor: (tf, a) => mirroredTensor(tf, a, (m) => tf.mul(tf.atan(tf.exp(tf.mul(m, Math.PI / 4))), 2 / Math.PI)),
  properties: { monotone: 'increasing', range: [0, 1] },
};
