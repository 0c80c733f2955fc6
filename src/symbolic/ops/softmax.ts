import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';

/** Softmax: softmax over the class axis. */
export const softmax: OpSpec = {
  name: 'Softmax',
  arity: 1,
  description: "softmax over the class axis",
  searchDomains: ['binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'softmax' },
  latex: { template: '\\operatorname{softmax}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: "torch.softmax(#1, dim=-1)", tfjs: "tf.softmax(#1, -1)" },
  axis: 'softmax',
  value: () => NaN,
  derivative: [],
  vjp: ['Mul(Softmax(?a),Sub(?g,Dot(?g,Softmax(?a))))'],
  tensor: (tf, a) => tf.softmax(a, -1),
  properties: { range: [0, 1] },
};
