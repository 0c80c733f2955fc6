/**
 * The convergence properties, as data: one entry per property with its
 * domains, severity, the points it is checked on (a fast-check arbitrary) and
 * a check that returns what went wrong at a point, or undefined.
 *
 * No property asks for a value of 0 at the optimum: the published regression
 * losses are −2/a at a perfect box of area a, by design. Autoloss-B cls aims
 * σ(x) at the IoU w, not at 1, so `positives-push-up` only applies where
 * σ(x) < w.
 */
import type fc from 'fast-check';
import type { Domain } from '../symbolic/domains.js';
import { boxGradient, pairGeometry, type Box } from './box-geometry.js';
import { anyPairs, approachPaths, columns, disjointPairs, overlappingPairs, pathBox, predOf, targetOf, type BoxPair, type BoxPath } from './box-points.js';
import type { LossKernel } from './loss-kernel.js';
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
  /** For regression: the predicted and target boxes (x1, y1, x2, y2). */
  readonly boxes?: { readonly pred: Box[]; readonly target: Box };
}

export interface PropertyDef<P = unknown> {
  readonly name: PropertyName;
  readonly domains: readonly Domain[];
  /** A `warn` property is reported but does not fail a loss. */
  readonly severity: 'fail' | 'warn';
  readonly description: string;
  readonly points: (domain: Domain, o: ResolvedOptions) => fc.Arbitrary<P>;
  readonly check: (k: LossKernel, p: P, o: ResolvedOptions) => Violation | undefined;
}

const arr = (a: ArrayLike<number>): number[] => Array.from(a);
const fmt = (v: number): string => (Number.isFinite(v) ? Number(v.toPrecision(10)).toString() : String(v));

function checkPairs(k: LossKernel, boxes: { pred: Box; target: Box }[]) {
  const gs = boxes.map((b) => pairGeometry(b.pred, b.target));
  const cols = columns(gs);
  const run = k.run(cols, gs.length, 1);
  return { gs, cols, run };
}

function regViolation(message: string, cols: ReturnType<typeof columns>, run: ReturnType<LossKernel['run']>, pred: Box[], target: Box, gradient: Record<string, number[]>): Violation {
  return { message, inputs: { U: arr(cols.U), I: arr(cols.I), E: arr(cols.E) }, value: arr(run.value), gradient, boxes: { pred, target } };
}

/** −∇ₚL·(t − p): positive when the negative gradient moves the prediction toward the target. */
function descentAt(k: LossKernel, p: BoxPair) {
  const pred = predOf(p);
  const target = targetOf(p);
  const { gs, cols, run } = checkPairs(k, [{ pred, target }]);
  const g = boxGradient(gs[0]!, run.grads.U![0]!, run.grads.I![0]!, run.grads.E![0]!);
  const d = target.map((t, j) => t - pred[j]!);
  const toward = -g.reduce((s, gj, j) => s + gj * d[j]!, 0);
  const gradient = { box: g, U: arr(run.grads.U!), I: arr(run.grads.I!), E: arr(run.grads.E!) };
  return { pred, target, cols, run, toward, gradient };
}

const finite: PropertyDef<BoxPair | LogitPoint> = {
  name: 'finite',
  domains: ['reg', 'binary', 'multi'],
  severity: 'fail',
  description: 'no NaN or ±Infinity on the valid domain',
  points: (domain, o) => (domain === 'reg' ? anyPairs(o) : logitPoints(domain, o)) as fc.Arbitrary<BoxPair | LogitPoint>,
  check(k, p) {
    if ('tw' in p) {
      const pred = predOf(p);
      const target = targetOf(p);
      const { cols, run } = checkPairs(k, [{ pred, target }]);
      if (Number.isFinite(run.value[0]!)) return undefined;
      return regViolation(`loss is ${fmt(run.value[0]!)}`, cols, run, [pred], target, { U: arr(run.grads.U!), I: arr(run.grads.I!), E: arr(run.grads.E!) });
    }
    const inputs = encodeLogitPoint(k.domain, p);
    const run = k.run(inputs, 1, p.logits.length);
    const bad = run.value.findIndex((v) => !Number.isFinite(v));
    if (bad < 0) return undefined;
    return clsViolation(`loss is ${fmt(run.value[bad]!)} at class ${bad}`, inputs, run);
  },
};

function clsViolation(message: string, inputs: ReturnType<typeof encodeLogitPoint>, run: ReturnType<LossKernel['run']>): Violation {
  return { message, inputs: Object.fromEntries(Object.entries(inputs).map(([n, v]) => [n, arr(v)])), value: arr(run.value), gradient: { X: arr(run.grads.X!) } };
}

const monotoneInIou: PropertyDef<BoxPath> = {
  name: 'monotone-in-iou',
  domains: ['reg'],
  severity: 'fail',
  description: 'along paths toward the target (translation, scaling, aspect, mixtures) the loss does not increase as IoU increases, and is strictly lower at IoU 1 than at 0.5',
  points: (_d, o) => approachPaths(o),
  check(k, path, o) {
    const target = targetOf(path);
    const n = o.pathPoints;
    const ts = Array.from({ length: n }, (_, j) => j / (n - 1));
    const half = halfIouT(path, target);
    if (half !== undefined) ts.push(half);
    const pred = ts.map((t) => pathBox(path, t));
    const { gs, cols, run } = checkPairs(k, pred.map((p) => ({ pred: p, target })));
    const L = run.value;
    const grads = () => ({ U: arr(run.grads.U!), I: arr(run.grads.I!), E: arr(run.grads.E!) });
    for (let j = 0; j + 1 < n; j++) {
      const a = gs[j]!;
      const b = gs[j + 1]!;
      const iouUp = b.I / b.U > a.I / a.U;
      // A step that raises IoU but widens the enclosing gap relative to the union is not an approach.
      const gapNotUp = (b.E - b.U) / b.E <= (a.E - a.U) / a.E + 1e-12;
      if (!iouUp || !gapNotUp) continue;
      const l1 = L[j]!;
      const l2 = L[j + 1]!;
      const ok = l2 <= l1 + o.relTol * Math.max(Math.abs(l1), Math.abs(l2)) + o.absTol;
      if (!ok) {
        return regViolation(
          `${path.kind} path: IoU rises ${fmt(a.I / a.U)} → ${fmt(b.I / b.U)} (t ${fmt(ts[j]!)} → ${fmt(ts[j + 1]!)}) but the loss rises ${fmt(l1)} → ${fmt(l2)}`,
          cols, run, pred, target, grads(),
        );
      }
    }
    if (half !== undefined) {
      const lHalf = L[n]!;
      const lOne = L[n - 1]!;
      if (!(lOne < lHalf)) {
        return regViolation(`${path.kind} path: loss at IoU 1 (${fmt(lOne)}) is not below the loss at IoU 0.5 (${fmt(lHalf)})`, cols, run, pred, target, grads());
      }
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
  points: (_d, o) => overlappingPairs(o),
  check(k, p) {
    const r = descentAt(k, p);
    if (r.toward > 0) return undefined;
    return regViolation(`−∇L·(target − pred) = ${fmt(r.toward)}: the negative gradient does not point toward the target`, r.cols, r.run, [r.pred], r.target, r.gradient);
  },
};

const gradientWithoutOverlap: PropertyDef<BoxPair> = {
  name: 'gradient-without-overlap',
  domains: ['reg'],
  severity: 'warn',
  description: 'for disjoint boxes the negative gradient still points toward the target (plain IoU loss gives none: a warning, not a failure)',
  points: (_d, o) => disjointPairs(o),
  check(k, p) {
    const r = descentAt(k, p);
    if (r.toward > 0) return undefined;
    const what = r.gradient.box.every((g) => g === 0) ? 'no gradient' : `−∇L·(target − pred) = ${fmt(r.toward)}`;
    return regViolation(`disjoint boxes: ${what}`, r.cols, r.run, [r.pred], r.target, r.gradient);
  },
};

function classwise(name: PropertyName, domain: Domain, description: string, applies: (p: LogitPoint, c: number, o: ResolvedOptions) => boolean, ok: (g: number) => boolean, says: string): PropertyDef<LogitPoint> {
  return {
    name,
    domains: [domain],
    severity: 'fail',
    description,
    points: (d, o) => logitPoints(d, o),
    check(k, p, o) {
      const inputs = encodeLogitPoint(k.domain, p);
      const run = k.run(inputs, 1, p.logits.length);
      const g = run.grads.X!;
      for (let c = 0; c < p.logits.length; c++) {
        if (applies(p, c, o) && !ok(g[c]!)) return clsViolation(`∂L/∂x[${c}] = ${fmt(g[c]!)} ${says}`, inputs, run);
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

/** Every property, in the order they are checked (cheap and most-often-failing first). */
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

