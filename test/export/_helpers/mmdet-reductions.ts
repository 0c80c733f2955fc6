/**
 * mmdetection's reduction, written out independently of the generated code:
 * every combination of reduction (set in the constructor or overridden per
 * call), per-sample weight, avg_factor and loss_weight, with the expected
 * value and each element's coefficient in the reduced loss (for gradients).
 */

export type Reduction = 'none' | 'mean' | 'sum';

export interface Combo {
  readonly reduction: Reduction;
  /** Set through reduction_override (the constructor gets another one). */
  readonly override: boolean;
  readonly weighted: boolean;
  readonly avgFactor?: number;
  readonly lossWeight: number;
}

const FLOAT32_EPS = 2 ** -23;
const OTHER: Record<Reduction, Reduction> = { none: 'mean', mean: 'sum', sum: 'none' };

/** reduction × weight × avg_factor, alternating how the reduction is set and the loss weight. */
export function allCombos(): Combo[] {
  const out: Combo[] = [];
  let k = 0;
  for (const reduction of ['none', 'mean', 'sum'] as const)
    for (const weighted of [false, true])
      for (const avgFactor of [undefined, 3.5]) {
        out.push({ reduction, override: k % 2 === 1, weighted, ...(avgFactor === undefined ? {} : { avgFactor }), lossWeight: k % 3 === 2 ? 2.5 : 1 });
        k++;
      }
  return out;
}

/** Constructor and keyword arguments of a combo for the Python side. */
export function comboArgs(c: Combo, weight: number[] | number[][]): { init: Record<string, unknown>; kwargs: Record<string, unknown> } {
  const init: Record<string, unknown> = { reduction: c.override ? OTHER[c.reduction] : c.reduction, loss_weight: c.lossWeight };
  const kwargs: Record<string, unknown> = {};
  if (c.override) kwargs['reduction_override'] = { number: c.reduction };
  if (c.weighted) kwargs['weight'] = { float: weight };
  if (c.avgFactor !== undefined) kwargs['avg_factor'] = { number: c.avgFactor };
  return { init, kwargs };
}

/** mmdetection refuses avg_factor with reduction 'sum'. */
export function refuses(c: Combo): boolean {
  return c.avgFactor !== undefined && c.reduction === 'sum';
}

/**
 * Each element's coefficient in the reduced loss: the result is
 * Σ coef[k]·loss[k] (or, for 'none', coef[k]·loss[k] element by element,
 * `probe` folding it into a scalar for gradients).
 */
export function coefficients(c: Combo, elementWeight: readonly number[], probe?: readonly number[]): number[] {
  const n = elementWeight.length;
  const w = (k: number): number => (c.weighted ? elementWeight[k]! : 1);
  let scale = 1;
  if (c.reduction === 'mean') scale = c.avgFactor !== undefined ? 1 / (c.avgFactor + FLOAT32_EPS) : 1 / n;
  return Array.from({ length: n }, (_, k) => c.lossWeight * w(k) * scale * (c.reduction === 'none' && probe ? probe[k]! : 1));
}

/** The reduced value from element-wise losses: a vector for 'none', else one number. */
export function reduceExpected(c: Combo, loss: readonly number[], elementWeight: readonly number[]): number[] {
  const coef = coefficients(c, elementWeight);
  if (c.reduction === 'none') return loss.map((v, k) => v * coef[k]!);
  let s = 0;
  loss.forEach((v, k) => (s += v * coef[k]!));
  return [s];
}
