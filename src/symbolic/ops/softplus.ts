import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as M from '../scalar-math.js';

/** Softplus: ln(1 + e^a). */
export const softplus: OpSpec<'Softplus'> = {
  name: 'Softplus',
  arity: 1,
  description: "ln(1 + e^a)",
  searchDomains: ['reg', 'binary', 'multi'],
  weight: 1,
  infix: { kind: 'call', name: 'softplus' },
  latex: { template: '\\operatorname{softplus}\\left(#1\\right)', prec: PREC.atom, args: [0] },
  // max(a, 0) + ln(1 + e^−|a|): torch.logaddexp(a, 0) returns 0 below a ≈ −37; the selects keep the gradient ½ at 0.
  code: { python: "(lambda p: torch.where(p, #1, torch.zeros_like(#1)) + torch.log1p(torch.exp(torch.where(p, -#1, #1))))(#1 > 0)", tfjs: "tf.softplus(#1)", js: "M.softplus(#1)" },
  value: M.softplus,
  derivative: ['Sig(?a)'],
  tensor: (tf, a) => tf.softplus(a),
  properties: { monotone: 'increasing', range: [0, Infinity] },
};
