/**
 * The convergence properties, as data: one entry per property with its
 * domains, severity, the points it is checked on (a fast-check arbitrary),
 * how a point becomes rows of loss inputs (`encode`), and a judgement of the
 * loss's value and gradient on those rows (`judge`) that says what went
 * wrong, or undefined. Splitting encode from judge lets the verifier stack
 * the rows of hundreds of points into one kernel call.
 *
 * No property asks for a value of 0 at the optimum: the published regression
 * losses are −2/a at a perfect box of area a, by design. Autoloss-B cls aims
 * σ(x) at the IoU w, not at 1, so `positives-push-up` only applies where
 * σ(x) < w.
 */
import type fc from 'fast-check';
import type { Domain, InputName } from '../symbolic/domains.js';
import { boxGradient, pairGeometry, type Box, type PairGeometry } from './box-geometry.js';
import { anyPairs, approachPaths, columns, disjointPairs, overlappingPairs, pathBox, predOf, targetOf, type BoxPair, type BoxPath } from './box-points.js';
import type { KernelRun, LossKernel } from './loss-kernel.js';
import { encodeLogitPoint, logitPoints, sigmoid, type LogitPoint } from './logit-points.js';
import type { ResolvedOptions } from './options.js';

export const PROPERTY_NAMES = [
  'finite',
  'monotone-in-iou',
  'descent-toward-target',
  'gradient-without-overlap',
  'negatives-push-down',
  'positives-push-up',
  'target-logit-up',
  'other-logits-down',
] as const;
export type PropertyName = (typeof PROPERTY_NAMES)[number];

/** What a property found wrong at one point: enough to re-evaluate it. */
export interface Violation {
  readonly message: string;
  /** The loss's inputs at the point, by name (rows of a batch). */
  readonly inputs: Record<string, number[]>;
  /** The loss value at those inputs. */
  readonly value: number[];
  /** The gradient the property looked at, by what it is taken with respect to. */
  readonly gradient: Record<string, number[]>;
  /** For regression: the predicted boxes and the target (x1, y1, x2, y2). */
  readonly boxes?: { readonly pred: Box[]; readonly target: Box };
}

/** A point as loss inputs: `rows` rows of `cols` classes, and what the judgement needs besides. */
export interface Encoded {
  readonly rows: number;
  readonly cols: number;
  readonly inputs: Partial<Record<InputName, Float64Array>>;
  /** Regression: the geometry of each row's box pair. */
  readonly geometry?: readonly PairGeometry[];
  readonly pred?: readonly Box[];
  readonly target?: Box;
  /** `monotone-in-iou`: the t of each row, and the row at IoU 0.5 when the path crosses it. */
  readonly ts?: readonly number[];
  readonly halfRow?: number;
}

export interface PropertyDef<P = unknown> {
  readonly name: PropertyName;
  readonly domains: readonly Domain[];
  /** A `warn` property is reported but does not fail a loss. */
  readonly severity: 'fail' | 'warn';
  readonly description: string;
  /** False when the judgement reads values only (the gradient is still reported in a counterexample). */
  readonly needsGradient: boolean;
  readonly points: (domain: Domain, o: ResolvedOptions) => fc.Arbitrary<P>;
  readonly encode: (domain: Domain, p: P, o: ResolvedOptions) => Encoded;
  /**
   * Judges the loss's value and gradient at the encoded rows of one point,
   * which start at element `base` of the run's arrays (so that many points
   * share one run without copies).
   */
  readonly judge: (p: P, e: Encoded, run: KernelRun, o: ResolvedOptions, base: number) => Violation | undefined;
}

/**
 * Checks one point: encodes it, runs the loss, judges.
 *
 * @example
 * checkPoint(LossKernel.from('Div(I,U)'), propertyDef('monotone-in-iou'), point, resolveOptions())?.message
 */
export function checkPoint<P>(k: LossKernel, def: PropertyDef<P>, p: P, o: ResolvedOptions): Violation | undefined {
  const e = def.encode(k.domain, p, o);
  return def.judge(p, e, k.run(e.inputs, e.rows, e.cols), o, 0);
}

const arr = (a: ArrayLike<number>): number[] => Array.from(a);
const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(12)).toString() : String(v));

/** The violation at a point, restricted to `rows` (default all) so that a path's counterexample shows the failing step only. */
function violation(message: string, e: Encoded, run: KernelRun, base: number, gradient?: Record<string, number[]>, rows?: readonly number[]): Violation {
  const pick = (a: ArrayLike<number>, at: number): number[] => {
    const out: number[] = [];
    for (const r of rows ?? Array.from({ length: e.rows }, (_, j) => j)) for (let c = 0; c < e.cols; c++) out.push(a[at + r * e.cols + c]!);
    return out;
  };
  const grads = gradient ?? Object.fromEntries(Object.entries(run.grads).map(([n, g]) => [n, pick(g, base)]));
  return {
    message,
    inputs: Object.fromEntries(Object.entries(e.inputs).map(([n, v]) => [n, pick(v, 0)])),
    value: pick(run.value, base),
    gradient: grads,
    ...(e.pred && e.target ? { boxes: { pred: rows ? rows.map((r) => e.pred![r]!) : [...e.pred], target: e.target } } : {}),
  };
}

function encodePairs(pred: Box[], target: Box): Encoded {
  const geometry = pred.map((p) => pairGeometry(p, target));
  return { rows: pred.length, cols: 1, inputs: columns(geometry), geometry, pred, target };
}

const encodePair = (_d: Domain, p: BoxPair): Encoded => encodePairs([predOf(p)], targetOf(p));
const encodeLogits = (d: Domain, p: LogitPoint): Encoded => ({ rows: 1, cols: p.logits.length, inputs: encodeLogitPoint(d, p) });

/** −∇ₚL·(t − p): positive when the negative gradient moves the prediction toward the target. */
function toward(e: Encoded, run: KernelRun, base: number): { toward: number; gradient: Record<string, number[]> } {
  const gU = run.grads.U![base]!;
  const gI = run.grads.I![base]!;
  const gE = run.grads.E![base]!;
  const g = boxGradient(e.geometry![0]!, gU, gI, gE);
  const pred = e.pred![0]!;
  const t = e.target!;
  let s = 0;
  for (let j = 0; j < 4; j++) s -= g[j]! * (t[j]! - pred[j]!);
  return { toward: s, gradient: { box: g, U: [gU], I: [gI], E: [gE] } };
}

const finite: PropertyDef<BoxPair | LogitPoint> = {
  name: 'finite',
  domains: ['reg', 'binary', 'multi'],
  severity: 'fail',
  description: 'no NaN or ±Infinity on the valid domain',
  needsGradient: false,
  points: (domain, o) => (domain === 'reg' ? anyPairs(o) : logitPoints(domain, o)) as fc.Arbitrary<BoxPair | LogitPoint>,
  encode: (d, p) => ('tw' in p ? encodePair(d, p) : encodeLogits(d, p)),
  judge(_p, e, run, _o, base) {
    for (let j = 0; j < e.rows * e.cols; j++) {
      const v = run.value[base + j]!;
      if (!Number.isFinite(v)) return violation(e.cols > 1 ? `loss is ${fmt(v)} at class ${j}` : `loss is ${fmt(v)}`, e, run, base);
    }
    return undefined;
  },
};

const monotoneInIou: PropertyDef<BoxPath> = {
  name: 'monotone-in-iou',
  domains: ['reg'],
  severity: 'fail',
  description: 'along paths toward the target (translation, scaling, aspect, mixtures) the loss does not increase as IoU increases, and is strictly lower at IoU 1 than at 0.5',
  needsGradient: false,
  points: (_d, o) => approachPaths(o),
  encode(_d, path, o) {
    const target = targetOf(path);
    const n = o.pathPoints;
    const ts = Array.from({ length: n }, (_, j) => j / (n - 1));
    const half = halfIouT(path, target);
    if (half !== undefined) ts.push(half);
    return { ...encodePairs(ts.map((t) => pathBox(path, t)), target), ts, ...(half !== undefined ? { halfRow: n } : {}) };
  },
  judge(path, e, run, o, base) {
    const gs = e.geometry!;
    const ts = e.ts!;
    const L = run.value.subarray(base, base + e.rows);
    const iou = (g: PairGeometry): string => (g.I / g.U).toPrecision(15).replace(/0+$/, '');
    const n = e.halfRow ?? e.rows;
    for (let j = 0; j + 1 < n; j++) {
      const a = gs[j]!;
      const b = gs[j + 1]!;
      const iouUp = b.I / b.U > a.I / a.U;
      // A step that raises IoU but widens the enclosing gap relative to the union is not an approach.
      const gapNotUp = (b.E - b.U) / b.E <= (a.E - a.U) / a.E + 1e-12;
      if (!iouUp || !gapNotUp) continue;
      const l1 = L[j]!;
      const l2 = L[j + 1]!;
      if (!(l2 <= l1 + o.relTol * Math.max(Math.abs(l1), Math.abs(l2)) + o.absTol)) {
        return violation(`${path.kind} path: IoU rises ${iou(a)} → ${iou(b)} (t ${fmt(ts[j]!)} → ${fmt(ts[j + 1]!)}) but the loss rises ${fmt(l1)} → ${fmt(l2)}`, e, run, base, undefined, [j, j + 1]);
      }
    }
    if (e.halfRow !== undefined) {
      const lHalf = L[e.halfRow]!;
      const lOne = L[e.halfRow - 1]!;
      if (!(lOne < lHalf)) return violation(`${path.kind} path: loss at IoU 1 (${fmt(lOne)}) is not below the loss at IoU 0.5 (${fmt(lHalf)})`, e, run, base, undefined, [e.halfRow - 1, e.halfRow]);
    }
    return undefined;
  },
};

/** The t at which the path's IoU crosses 0.5, by bisection, when it starts below. */
function halfIouT(path: BoxPath, target: Box): number | undefined {
  const at = (t: number) => {
    const g = pairGeometry(pathBox(path, t), target);
    return g.I / g.U;
  };
  if (!(at(0) < 0.5)) return undefined;
  let lo = 0;
  let hi = 1;
  for (let j = 0; j < 60; j++) {
    const mid = (lo + hi) / 2;
    if (at(mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return hi;
}

const descentTowardTarget: PropertyDef<BoxPair> = {
  name: 'descent-toward-target',
  domains: ['reg'],
  severity: 'fail',
  description: "the negative gradient in the predicted box's coordinates (through i, u, e) points toward the target wherever the boxes overlap",
  needsGradient: true,
  points: (_d, o) => overlappingPairs(o),
  encode: encodePair,
  judge(_p, e, run, _o, base) {
    const r = toward(e, run, base);
    if (r.toward > 0) return undefined;
    return violation(`−∇L·(target − pred) = ${fmt(r.toward)}: the negative gradient does not point toward the target`, e, run, base, r.gradient);
  },
};

const gradientWithoutOverlap: PropertyDef<BoxPair> = {
  name: 'gradient-without-overlap',
  domains: ['reg'],
  severity: 'warn',
  description: 'for disjoint boxes the negative gradient still points toward the target (plain IoU loss gives none: a warning, not a failure)',
  needsGradient: true,
  points: (_d, o) => disjointPairs(o),
  encode: encodePair,
  judge(_p, e, run, _o, base) {
    const r = toward(e, run, base);
    if (r.toward > 0) return undefined;
    const what = r.gradient['box']!.every((g) => g === 0) ? 'no gradient' : `−∇L·(target − pred) = ${fmt(r.toward)}`;
    return violation(`disjoint boxes: ${what}`, e, run, base, r.gradient);
  },
};

function classwise(
  name: PropertyName,
  domain: Domain,
  description: string,
  applies: (p: LogitPoint, c: number, o: ResolvedOptions) => boolean,
  ok: (g: number) => boolean,
  says: string,
): PropertyDef<LogitPoint> {
  return {
    name,
    domains: [domain],
    severity: 'fail',
    description,
    needsGradient: true,
    points: (d, o) => logitPoints(d, o),
    encode: encodeLogits,
    judge(p, e, run, o, base) {
      const g = run.grads.X!;
      for (let c = 0; c < p.logits.length; c++) {
        const gc = g[base + c]!;
        if (applies(p, c, o) && !ok(gc)) return violation(`∂L/∂x[${c}] = ${fmt(gc)} ${says}`, e, run, base);
      }
      return undefined;
    },
  };
}

const negativesPushDown = classwise('negatives-push-down', 'binary', '∂L/∂x > 0 where y = 0', (p, c) => c !== p.target, (g) => g > 0, 'where y = 0: should be > 0');
const positivesPushUp = classwise(
  'positives-push-up',
  'binary',
  '∂L/∂x < 0 where y = 1 and σ(x) is below the IoU target w (minus a margin)',
  (p, c, o) => c === p.target && sigmoid(p.logits[c]!) < p.w - o.positiveMargin,
  (g) => g < 0,
  'where y = 1 and σ(x) < w: should be < 0',
);
const targetLogitUp = classwise('target-logit-up', 'multi', '∂L/∂x_target < 0', (p, c) => c === p.target, (g) => g < 0, 'at the target class: should be < 0');
const otherLogitsDown = classwise('other-logits-down', 'multi', '∂L/∂x_j ≥ 0 for j ≠ target', (p, c) => c !== p.target, (g) => g >= 0, 'at a non-target class: should be ≥ 0');

/** Every property, in the order they are checked. */
export const PROPERTIES: readonly PropertyDef<any>[] = [
  finite,
  monotoneInIou,
  descentTowardTarget,
  gradientWithoutOverlap,
  negativesPushDown,
  positivesPushUp,
  targetLogitUp,
  otherLogitsDown,
];

export function propertyDef(name: PropertyName): PropertyDef<any> {
  return PROPERTIES.find((p) => p.name === name)!;
}

/** The properties that apply to a domain. */
export function propertiesFor(domain: Domain): PropertyDef<any>[] {
  return PROPERTIES.filter((p) => p.domains.includes(domain));
}

export function isPropertyName(s: string): s is PropertyName {
  return (PROPERTY_NAMES as readonly string[]).includes(s);
}
