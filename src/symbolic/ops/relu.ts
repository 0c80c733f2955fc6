import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

/** Relu: max(a, 0); subgradient 0 at 0. */
export const relu: OpSpec<'Relu'> = {
  name: 'Relu',
  arity: 1,
  description: "max(a, 0); subgradient 0 at 0",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'relu' },
  latex: { template: '\\operatorname{relu}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: "torch.relu(#1)", tfjs: "tf.relu(#1)", js: "M.relu(#1)" },
  value: M.relu,
  exact: (a) => (a.n < 0n ? R.ZERO : a),
  derivative: ['Div(Relu(?a),?a)'],
  tensor: (tf, a) => tf.relu(a),
  properties: { range: [0, Infinity] },
};
