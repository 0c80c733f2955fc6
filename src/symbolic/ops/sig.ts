import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';

const HALF = R.rat(1n, 2n);

/** Sig: σ(a) = 1/(1+e^−a). */
export const sig: OpSpec<'Sig'> = {
  name: 'Sig',
  arity: 1,
  description: "σ(a) = 1/(1+e^−a)",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'sig' },
  latex: { template: '\\sigma\\left(#1\\right)', prec: PREC.atom, args: [0] },
  code: { python: "torch.sigmoid(#1)", tfjs: "tf.sigmoid(#1)", js: "M.sigmoid(#1)" },
  value: M.sigmoid,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Mul(Sig(?a),Sub(1,Sig(?a)))'],
  tensor: (tf, a) => tf.sigmoid(a),
  properties: { monotone: 'increasing', range: [0, 1] },
};
