import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';
import { mirroredPythonCode, mirroredTensor, mirroredTfjsCode, sgdfTailTensor, sgdfTailTfjsCode } from '../tensor-math.js';

const HALF = R.rat(1n, 2n);
/** π/4 as a 26-bit head and its tail (from 50-digit arithmetic), for the exported double-double exponent. */
const P_HI = '0.7853981703519821';
const P_LO = '-6.954533807083558e-09';
const P_FULL = '0.7853981633974483';

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
    // e^(πm/4) with the exponent as y + dy, y the rounded product and dy its rounding and the
    // constant's (π/4's 26-bit head times m's Veltkamp halves is exact):
    // e^y·(1 + dy). Rounding y alone costs |πm/4| ulps in the tail (~350 at Sgdf(−440)).
    python: mirroredPythonCode(
      '#1',
      (m) =>
        `(2 / math.pi) * torch.atan((lambda t: (lambda th, y: torch.exp(y) * (1 + (((th * ${P_HI} - y) + (t - th) * ${P_HI}) + t * ${P_LO})))(t * 134217729.0 - (t * 134217729.0 - t), t * ${P_FULL}))(torch.clamp(${m}, min=-1000.0)))`,
    ),
    tfjs: mirroredTfjsCode('#1', sgdfTailTfjsCode),
    js: "M.sgdf(#1)",
  },
  value: M.sgdf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(1,Mul(2,Add(Exp(Div(Mul(pi,?a),4)),Exp(Neg(Div(Mul(pi,?a),4))))))'],
  tensor: (tf, a) => mirroredTensor(tf, a, (m) => sgdfTailTensor(tf, m)),
  properties: { monotone: 'increasing', range: [0, 1] },
};
