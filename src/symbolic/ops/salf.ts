import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';
import { mirroredPythonCode, mirroredTensor, mirroredTfjsCode } from '../tensor-math.js';

const HALF = R.rat(1n, 2n);

/** Salf: ((a/2)/√(1+(a/2)²) + 1)/2: scaled algebraic sigmoid. */
export const salf: OpSpec<'Salf'> = {
  name: 'Salf',
  arity: 1,
  description: "((a/2)/√(1+(a/2)²) + 1)/2: scaled algebraic sigmoid",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'alf' },
  latex: { template: '\\operatorname{alf}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  // For h = a/2 ≤ 0, (h/s + 1)/2 = 1/(2s(s − h)) with s = √(1+h²): no cancellation.
  code: {
    python: mirroredPythonCode('#1', (m) => `(lambda h: 1 / (2 * torch.sqrt(1 + h * h) * (torch.sqrt(1 + h * h) - h)))(${m} / 2)`),
    tfjs: mirroredTfjsCode('#1', (m) => `((h: tf.Tensor) => ((s: tf.Tensor) => tf.div(1, tf.mul(tf.mul(s, 2), tf.sub(s, h))))(tf.sqrt(tf.add(1, tf.square(h)))))(tf.div(${m}, 2))`),
    js: "M.salf(#1)",
  },
  value: M.salf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(1,Mul(4,Mul(Add(1,Div(Mul(?a,?a),4)),Sqrt(Add(1,Div(Mul(?a,?a),4))))))'],
  tensor: (tf, a) =>
    mirroredTensor(tf, a, (m) => {
      const h = tf.div(m, 2);
      const s = tf.sqrt(tf.add(1, tf.square(h)));
      return tf.div(1, tf.mul(tf.mul(s, 2), tf.sub(s, h)));
    }),
  properties: { monotone: 'increasing', range: [0, 1] },
};
