/**
 * Float64 scalar functions the operators need that `Math` lacks, written to
 * match SEMANTICS.md to within a few ulps over the whole domain, tails
 * included (test/symbolic/accuracy.test.ts measures them against 50-digit
 * values).
 */
import { EXP_CLAMP, GUARD_EPS } from './constants.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x). For |x| < 0.5 the series erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!!
 * (positive terms only, no cancellation); beyond, 1 − erfc(|x|) with erfc
 * from `erfcx` below.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 0.5) {
    const r = ax >= 6 ? 1 : 1 - Math.exp(-ax * ax) * erfcx(ax);
    return x > 0 ? r : -r;
  }
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

export function sigmoid(a: number): number {
  // Two branches so that neither exp overflows.
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

export function softplus(a: number): number {
  // ln(1+e^a) = max(a,0) + ln(1+e^−|a|): exact form without overflow.
  return Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));
}

/** 2^27 + 1: Veltkamp's constant, splitting a double into two 26-bit halves. */
const SPLITTER = 134217729;

/** a·b as an unevaluated sum hi + lo, exact (Dekker's product without FMA). */
function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const ta = SPLITTER * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLITTER * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

/**
 * e^(−c·a²) for a constant c = cHi + cLo given to double-double precision.
 * The exponent is carried to about 2⁻¹⁰⁰ so that its rounding, which e^x
 * turns into a relative error of |x|·2⁻⁵³ (hundreds of ulps in the tails),
 * does not reach the result: e^(−(hi+lo)) = e^(−hi)·(1 − lo).
 */
function expNegScaledSquare(a: number, cHi: number, cLo: number): number {
  const [sh, sl] = twoProduct(a, a);
  const [ph, pl] = twoProduct(sh, cHi);
  const lo = pl + sh * cLo + sl * cHi;
  return Math.exp(-ph) * (1 - lo);
}

/**
 * Chebyshev coefficients of (1 + 2x)·erfcx(x) in t = (x − 3.75)/(x + 3.75),
 * from scripts/erfcx-chebyshev.py (50-digit arithmetic).
 */
const ERFCX_K = 3.75;
const ERFCX: readonly number[] = [
  1.1775789345674017, -0.004590054580646478, -0.08424913336651792, 0.05920993999819189, -0.026658668435305753,
  0.009074997670705265, -0.002413163540417608, 0.0004907758365258086, -6.916973302501207e-5, 4.13902798607301e-6,
  7.74038306619849e-7, -2.1886401049234397e-7, 1.076499946567091e-8, 4.521959811218287e-9, -7.754400208831351e-10,
  -6.318088340886684e-11, 2.86879501093067e-11, 1.9455868545777347e-13, -9.65469674843344e-13, 3.25254814814874e-14,
  3.3478119482868056e-14, -1.864562880419313e-15, -1.2507950530688648e-15, 7.418235256624044e-17, 5.068148904796111e-17,
  -2.2370566594359995e-18, -2.187342944303018e-18, 2.6766327399258762e-20, 9.736561401741451e-20,
];

/** erfcx(x) = e^(x²)·erfc(x) for x ≥ 0, to a few ulps (Clenshaw's sum of the series above). */
export function erfcx(x: number): number {
  if (x === Infinity) return 0;
  const t = (x - ERFCX_K) / (x + ERFCX_K);
  const t2 = 2 * t;
  let b1 = 0;
  let b2 = 0;
  for (let j = ERFCX.length - 1; j >= 1; j--) {
    const b0 = t2 * b1 - b2 + ERFCX[j]!;
    b2 = b1;
    b1 = b0;
  }
  return (t * b1 - b2 + ERFCX[0]!) / (1 + 2 * x);
}

const SQRT_PI_OVER_4 = Math.sqrt(Math.PI) / 4;
/** π/16 as a double-double: the exponent of Serf's tail is −(π/16)·a². */
const PI_OVER_16_HI = Math.PI / 16;
const PI_OVER_16_LO = 1.2246467991473532e-16 / 16;

/**
 * Serf(a) = (1 + erf(z))/2 = erfc(−z)/2 with z = √π·a/4. Near 0 from the
 * erf series (1 + erf(z) ≥ 0.48 there: no cancellation); otherwise the
 * smaller tail is erfc(|z|)/2 = e^(−(π/16)a²)·erfcx(|z|)/2, so the left tail
 * keeps full relative precision down to the last subnormal (Serf(−40) ≈ 1e−138).
 */
export function serf(a: number): number {
  if (Number.isNaN(a)) return NaN;
  const z = SQRT_PI_OVER_4 * a;
  if (Math.abs(z) < 0.5) return (erf(z) + 1) / 2;
  if (z < -27.3) return 0;
  if (z > 6.5) return 1;
  const tail = (expNegScaledSquare(a, PI_OVER_16_HI, PI_OVER_16_LO) * erfcx(Math.abs(z))) / 2;
  return z < 0 ? tail : 1 - tail;
}

/**
 * Salf(a) = (h/√(1+h²) + 1)/2 with h = a/2. For h < 0 the sum cancels; the
 * same value is 1/(2s(s − h)) with s = √(1+h²), a quotient of positive
 * terms. For h ≥ 0 it is 1 minus the mirrored tail.
 */
export function salf(a: number): number {
  const h = a / 2;
  if (Number.isNaN(h)) return NaN;
  const m = -Math.abs(h);
  // Beyond 2^500 the tail 1/(4h²) is below the least double.
  const tail = m < -3.273390607896142e150 ? 0 : 1 / (2 * Math.sqrt(1 + m * m) * (Math.sqrt(1 + m * m) - m));
  return h < 0 ? tail : 1 - tail;
}

/** The Gudermannian function gd(t) = 2·atan(tanh(t/2)). */
export function gd(t: number): number {
  return 2 * Math.atan(Math.tanh(t / 2));
}

/** π/4 as a double-double. */
const PI_OVER_4_HI = Math.PI / 4;
const PI_OVER_4_LO = 1.2246467991473532e-16 / 4;

/**
 * Sgdf(a) = (gd(πa/4)·2/π + 1)/2 = (2/π)·atan(e^(πa/4)). The smaller tail is
 * (2/π)·atan(e^(−π|a|/4)), with the exponent carried in double-double (its
 * rounding would otherwise cost |πa/4| ulps); the larger side is 1 minus it,
 * so e^x never overflows.
 */
export function sgdf(a: number): number {
  if (Number.isNaN(a)) return NaN;
  if (!Number.isFinite(a)) return a > 0 ? 1 : 0;
  const [th, tl] = twoProduct(-Math.abs(a), PI_OVER_4_HI);
  const x = Math.exp(th) * (1 + (tl + -Math.abs(a) * PI_OVER_4_LO));
  const tail = (2 / Math.PI) * Math.atan(x);
  return a < 0 ? tail : 1 - tail;
}

export function relu(a: number): number {
  return a > 0 ? a : a === 0 || a < 0 ? 0 : NaN;
}

/** ln(a + 1e-20), NaN below −1e-20 (SEMANTICS.md). */
export function guardedLog(a: number): number {
  return Math.log(a + GUARD_EPS);
}

/** exp(min(a, 88)). */
export function clampedExp(a: number): number {
  return Math.exp(a > EXP_CLAMP ? EXP_CLAMP : a);
}

/** a / (b + 1e-20). */
export function guardedDiv(a: number, b: number): number {
  return a / (b + GUARD_EPS);
}
