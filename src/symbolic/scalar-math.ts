/**
 * Float64 scalar functions the operators need that `Math` lacks, written to
 * match SEMANTICS.md to about 1e-15 relative (the fixtures ask for 1e-9).
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x). For |x| < 6 the series erf(x) = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(2n+1)!!
 * has only positive terms, so it keeps full precision where the alternating
 * Taylor series cancels; beyond 6, erf is ±1 in float64.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
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

const SQRT_PI_OVER_4 = Math.sqrt(Math.PI) / 4;
export function serf(a: number): number {
  return (erf(SQRT_PI_OVER_4 * a) + 1) / 2;
}

export function salf(a: number): number {
  const h = a / 2;
  if (!Number.isFinite(h)) return Number.isNaN(h) ? NaN : h > 0 ? 1 : 0;
  return (h / Math.sqrt(1 + h * h) + 1) / 2;
}

export function gd(t: number): number {
  return 2 * Math.atan(Math.tanh(t / 2));
}

export function sgdf(a: number): number {
  return ((gd((Math.PI * a) / 4) * 2) / Math.PI + 1) / 2;
}

export function relu(a: number): number {
  return a > 0 ? a : a === 0 || a < 0 ? 0 : NaN;
}

/** ln(a + 1e-20), NaN below −1e-20 (SEMANTICS.md). */
export function guardedLog(a: number): number {
  return Math.log(a + 1e-20);
}

/** exp(min(a, 88)). */
export function clampedExp(a: number): number {
  return Math.exp(a > 88 ? 88 : a);
}

/** a / (b + 1e-20). */
export function guardedDiv(a: number, b: number): number {
  return a / (b + 1e-20);
}
