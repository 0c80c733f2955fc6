import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

const HALF = R.rat(1n, 2n);

/** Salf: ((a/2)/√(1+(a/2)²) + 1)/2: scaled algebraic sigmoid. */
export const salf: OpSpec = {
  name: 'Salf',
  arity: 1,
  description: "((a/2)/√(1+(a/2)²) + 1)/2: scaled algebraic sigmoid",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'alf' },
  latex: { template: '\\operatorname{alf}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: "(((#1 / 2) / torch.sqrt(1 + (#1 / 2) ** 2) + 1) / 2)", tfjs: "tf.div(tf.add(tf.div(tf.div(#1, 2), tf.sqrt(tf.add(1, tf.square(tf.div(#1, 2))))), 1), 2)", js: "M.salf(#1)" },
  value: M.salf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(1,Mul(4,Mul(Add(1,Div(Mul(?a,?a),4)),Sqrt(Add(1,Div(Mul(?a,?a),4))))))'],
  tensor: (tf, a) => { const h = tf.div(a, 2); return tf.div(tf.add(tf.div(h, tf.sqrt(tf.add(1, tf.square(h)))), 1), 2); },
  properties: { monotone: 'increasing', range: [0, 1] },
};
