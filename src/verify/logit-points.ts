/**
 * Classification points: one sample's logits over its classes, its target
 * class and the IoU target w, encoded as each domain's inputs.
 *
 * - `binary`: C classes without background; target −1 is a background sample
 *   (PY all zeros). PY one-hot, NY = 1 − PY, Q = w·PY.
 * - `multi`: C classes with background last; Y one-hot; Z = w for a positive
 *   sample, 1 for a background one, broadcast over classes.
 */
import fc from 'fast-check';
import type { Domain, InputName } from '../symbolic/domains.js';
import type { ResolvedOptions } from './options.js';

export interface LogitPoint {
  readonly logits: readonly number[];
  /** Index of the target class; −1 (binary) or the last class (multi) for background. */
  readonly target: number;
  readonly w: number;
}

export function logitPoints(domain: Domain, o: ResolvedOptions): fc.Arbitrary<LogitPoint> {
  const lo = domain === 'binary' ? -1 : 0;
  const minC = domain === 'binary' ? o.minClasses - 1 : o.minClasses;
  const maxC = domain === 'binary' ? o.maxClasses - 1 : o.maxClasses;
  return fc.integer({ min: Math.max(1, minC), max: Math.max(1, maxC) }).chain((C) =>
    fc.record({
      logits: fc.array(fc.double({ min: -o.logitRange, max: o.logitRange, noNaN: true }), { minLength: C, maxLength: C }),
      target: fc.integer({ min: lo, max: C - 1 }),
      w: fc.double({ min: o.minIou, max: 1, noNaN: true }),
    }),
  );
}

/** Whether the sample is background. */
function isBackground(domain: Domain, p: LogitPoint): boolean {
  return domain === 'binary' ? p.target < 0 : p.target === p.logits.length - 1;
}

/** The sample as one row of the domain's inputs. */
export function encodeLogitPoint(domain: Domain, p: LogitPoint): Partial<Record<InputName, Float64Array>> {
  const C = p.logits.length;
  const X = Float64Array.from(p.logits);
  const hot = Float64Array.from({ length: C }, (_, c) => (c === p.target ? 1 : 0));
  if (domain === 'binary') {
    return { X, PY: hot, NY: hot.map((y) => 1 - y), Q: hot.map((y) => y * p.w) };
  }
  const z = isBackground(domain, p) ? 1 : p.w;
  return { X, Y: hot, Z: new Float64Array(C).fill(z) };
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}
