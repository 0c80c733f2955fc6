/**
 * Regression points: pairs of boxes and paths along which a predicted box
 * approaches its target. i, u, e are coupled, so they are never drawn
 * independently: every point is a predicted box and its target.
 *
 * Parameters are plain numbers that fast-check shrinks toward 0 (an offset of
 * 0, a log-scale of 0 = the target's size), so a shrunk counterexample is as
 * close to the target, and as small, as the failure allows.
 */
import fc from 'fast-check';
import { boxAt, pairGeometry, type Box, type PairGeometry } from './box-geometry.js';
import type { ResolvedOptions } from './options.js';

/** A target box of sides tw × th centred at the origin and a prediction offset by (ox·tw, oy·th), with sides tw·e^lw × th·e^lh. */
export interface BoxPair {
  readonly tw: number;
  readonly th: number;
  readonly ox: number;
  readonly oy: number;
  readonly lw: number;
  readonly lh: number;
}

export type PathKind = 'translate' | 'scale' | 'aspect' | 'mix';

/**
 * A path from a start box to the target, t ∈ [0, 1]: the offset shrinks as
 * (1 − t), and the log width and height as (1 − t)(ls ± la); at t = 1 the
 * prediction is the target.
 */
export interface BoxPath {
  readonly kind: PathKind;
  readonly tw: number;
  readonly th: number;
  readonly ox: number;
  readonly oy: number;
  readonly ls: number;
  readonly la: number;
}

const side = (o: ResolvedOptions) => fc.integer({ min: Math.ceil(o.minSide), max: Math.floor(o.maxSide) });
const unit = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

export function targetOf(p: { tw: number; th: number }): Box {
  return boxAt(0, 0, p.tw, p.th);
}

export function predOf(p: BoxPair): Box {
  return boxAt(p.ox * p.tw, p.oy * p.th, p.tw * Math.exp(p.lw), p.th * Math.exp(p.lh));
}

export function pathBox(p: BoxPath, t: number): Box {
  const s = 1 - t;
  return boxAt(p.ox * p.tw * s, p.oy * p.th * s, p.tw * Math.exp((p.ls + p.la) * s), p.th * Math.exp((p.ls - p.la) * s));
}

/** Pairs of boxes that overlap (IoU > 0) and differ by more than 10⁻⁶ of the target's side. */
export function overlappingPairs(o: ResolvedOptions): fc.Arbitrary<BoxPair> {
  return fc
    .record({ tw: side(o), th: side(o), ox: unit(-1, 1), oy: unit(-1, 1), lw: unit(-1.5, 1.5), lh: unit(-1.5, 1.5) })
    .filter((p) => {
      const pred = predOf(p);
      const target = targetOf(p);
      // Boxes equal to rounding are the optimum, not a direction to check.
      const apart = Math.max(...pred.map((v, j) => Math.abs(v - target[j]!))) >= 1e-6 * Math.min(p.tw, p.th);
      return apart && pairGeometry(pred, target).I > 0;
    });
}

/** Pairs of boxes apart along x or y: the offset exceeds the half-sides' sum for any drawn size. */
export function disjointPairs(o: ResolvedOptions): fc.Arbitrary<BoxPair> {
  return fc
    .record({ tw: side(o), th: side(o), far: unit(1.5, 5), near: unit(-1, 1), lw: unit(-1, 1), lh: unit(-1, 1), axis: fc.boolean(), sign: fc.boolean() })
    .map(({ tw, th, far, near, lw, lh, axis, sign }) => {
      // |offset| ≥ (1 + e^1)/2 + margin keeps the boxes apart on that axis.
      const away = (sign ? -1 : 1) * (0.5 + far);
      return axis ? { tw, th, ox: away, oy: near, lw, lh } : { tw, th, ox: near, oy: away, lw, lh };
    });
}

/** Any pair: overlapping, disjoint, or the perfect box. */
export function anyPairs(o: ResolvedOptions): fc.Arbitrary<BoxPair> {
  const perfect = fc.record({ tw: side(o), th: side(o) }).map(({ tw, th }) => ({ tw, th, ox: 0, oy: 0, lw: 0, lh: 0 }));
  return fc.oneof(overlappingPairs(o), disjointPairs(o), perfect);
}

/** Paths toward the target by translation, scaling, aspect change, and their mixtures. */
export function approachPaths(o: ResolvedOptions): fc.Arbitrary<BoxPath> {
  const base = { tw: side(o), th: side(o) };
  const zero = fc.constant(0);
  const of = (kind: PathKind, ox: fc.Arbitrary<number>, oy: fc.Arbitrary<number>, ls: fc.Arbitrary<number>, la: fc.Arbitrary<number>) =>
    fc.record({ kind: fc.constant(kind), ...base, ox, oy, ls, la });
  const off = unit(-1.5, 1.5);
  const lg = unit(-1.5, 1.5);
  return fc.oneof(
    of('translate', off, off, zero, zero),
    of('scale', zero, zero, lg, zero),
    of('aspect', zero, zero, zero, lg),
    of('mix', off, off, lg, lg),
  );
}

/** The regression inputs of a list of geometries, as kernel columns. */
export function columns(gs: readonly PairGeometry[]): { U: Float64Array; I: Float64Array; E: Float64Array } {
  return { U: Float64Array.from(gs, (g) => g.U), I: Float64Array.from(gs, (g) => g.I), E: Float64Array.from(gs, (g) => g.E) };
}
