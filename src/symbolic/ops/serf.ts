import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';
import { erfcTensor, erfcTfjsCode, mirroredTensor, mirroredTfjsCode } from '../tensor-math.js';

const HALF = R.rat(1n, 2n);
const C = Math.sqrt(Math.PI) / 4;

/** Serf: (erf(√π·a/4) + 1)/2: erf scaled to an S-curve with slope 1/4 at 0, like σ. */
export const serf: OpSpec<'Serf'> = {
  name: 'Serf',
  arity: 1,
  description: "(erf(√π·a/4) + 1)/2: erf scaled to an S-curve with slope 1/4 at 0, like σ",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'erf' },
  latex: { template: '\\operatorname{erf}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  // (1 + erf z)/2 = erfc(−z)/2: the left tail from erfc, never as 1 + (−1 + tiny).
  code: {
    python: "(torch.erfc(#1 * (-math.sqrt(math.pi) / 4)) / 2)",
    tfjs: mirroredTfjsCode('#1', (m) => `tf.mul(((w: tf.Tensor) => ${erfcTfjsCode('w')})(tf.mul(${m}, ${-C})), 0.5)`),
    js: "M.serf(#1)",
  },
  value: M.serf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(Exp(Neg(Div(Mul(pi,Mul(?a,?a)),16))),4)'],
  tensor: (tf, a) => mirroredTensor(tf, a, (m) => tf.mul(erfcTensor(tf, tf.mul(m, -C)), 0.5)),
  properties: { monotone: 'increasing', range: [0, 1] },
};
