import type { OpSpec } from '../op-spec.js';
import { PREC } from '../op-spec.js';
import * as R from '../rational.js';
import * as M from '../scalar-math.js';
import { mirroredTensor, mirroredTfjsCode, serfTailTensor, serfTailTfjsCode } from '../tensor-math.js';

const HALF = R.rat(1n, 2n);
const C = Math.sqrt(Math.PI) / 4;
/** −√π/4 as a 26-bit head and its tail (from 50-digit arithmetic), for the exported double-double argument. */
const C_HI = '-0.44311346113681793';
const C_LO = '-1.5895610746956356e-09';
const C_FULL = '-0.44311346272637897';
const TWO_OVER_SQRT_PI = '1.1283791670955126';

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
    // w = −√π·a/4 as w + dw: w is the rounded product; the constant's 26-bit head times a's Veltkamp
    // halves is exact, so dw (the product's rounding and the constant's) is exact to second order,
    // and erfc(w + dw) = erfc(w) − (2/√π)e^(−w²)·dw.
    // Without it the rounding of w alone costs 2w² ulps in the left tail (~1100 at Serf(−40)).
    python: `(lambda x: (lambda xh, w: (torch.erfc(w) - ${TWO_OVER_SQRT_PI} * torch.exp(-w * w) * (((xh * ${C_HI} - w) + (x - xh) * ${C_HI}) + x * ${C_LO})) / 2)(x * 134217729.0 - (x * 134217729.0 - x), x * ${C_FULL}))(torch.clamp(#1, -100.0, 100.0))`,
    tfjs: mirroredTfjsCode('#1', serfTailTfjsCode),
    js: "M.serf(#1)",
  },
  value: M.serf,
  exact: (a) => (R.isZero(a) ? HALF : undefined),
  derivative: ['Div(Exp(Neg(Div(Mul(pi,Mul(?a,?a)),16))),4)'],
  tensor: (tf, a) => mirroredTensor(tf, a, (m) => serfTailTensor(tf, m)),
  properties: { monotone: 'increasing', range: [0, 1] },
};
