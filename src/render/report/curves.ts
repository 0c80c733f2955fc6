/**
 * The numbers behind the report's plots, from the float64 evaluator:
 * - regression losses against IoU, along two box paths onto a 32×32 target:
 *   a box of the same size sliding onto it horizontally, and a centred box
 *   scaling up to it; U and E carry the reference's 1e-7. The gradient is
 *   dL/dIoU along the path (central differences of the path parameter).
 * - classification losses against the swept logit x: positives of the
 *   target class at IoU w ∈ {0.3, 0.6, 0.9} and a negative (background for
 *   `multi`, y = 0 for `binary`). For `multi` there are 3 columns (2 classes +
 *   background), the other logits 0, and a sample's loss is its value under
 *   Dot, or the sum over classes of an elementwise loss. The gradient is the
 *   exact ∂L/∂x of the symbolic engine at the swept logit.
 */
import type { Batch } from '../../symbolic/batch.js';
import { derivative } from '../../symbolic/derivative.js';
import type { Domain } from '../../symbolic/domains.js';
import { evaluate, type Inputs } from '../../symbolic/evaluate.js';
import type { Node } from '../../symbolic/node.js';
import { shapeOf } from '../../symbolic/shape.js';
import { pairGeometry, type Box } from '../../verify/box-geometry.js';

export interface Curve {
  /** Which condition: 'slide', 'scale', 'positive w=0.6', 'negative'. */
  readonly condition: string;
  readonly x: readonly number[];
  readonly loss: readonly number[];
  readonly grad: readonly number[];
}

export const TARGET_SIDE = 32;
export const POSITIVE_IOUS = [0.3, 0.6, 0.9] as const;
const LOGITS = Array.from({ length: 161 }, (_, k) => -8 + k * 0.1);

const col = (v: readonly number[]): Batch => ({ rows: v.length, cols: 1, data: Float64Array.from(v) });
const mat = (rows: number, cols: number, f: (r: number, c: number) => number): Batch => {
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = f(r, c);
  return { rows, cols, data };
};

interface BoxState {
  readonly U: number;
  readonly I: number;
  readonly E: number;
  readonly iou: number;
}

/** U, I, E of a predicted box against the target [0, 0, S, S], as the reference computes them. */
function boxState(pred: Box): BoxState {
  const { U, I, E } = pairGeometry(pred, [0, 0, TARGET_SIDE, TARGET_SIDE]);
  return { U, I, E, iou: I / U };
}

/** Path parameter p ∈ [0, 1] → boxes; p = 1 is the target itself. */
const PATHS: Record<'slide' | 'scale', (p: number) => BoxState> = {
  slide: (p) => boxState([(1 - p) * TARGET_SIDE, 0, (2 - p) * TARGET_SIDE, TARGET_SIDE]),
  scale: (p) => boxState([0, 0, Math.max(p, 1e-3) * TARGET_SIDE, Math.max(p, 1e-3) * TARGET_SIDE]),
};

function regCurves(tree: Node): Curve[] {
  const n = 101;
  const h = 1e-4;
  return (['slide', 'scale'] as const).map((path) => {
    const ps = Array.from({ length: n }, (_, k) => 0.02 + (0.98 * k) / (n - 1));
    // Each point with its two neighbours for the central difference.
    const states = ps.flatMap((p) => [PATHS[path](p - h), PATHS[path](p), PATHS[path](Math.min(p + h, 1))]);
    const out = evaluate(tree, 'reg', { U: col(states.map((s) => s.U)), I: col(states.map((s) => s.I)), E: col(states.map((s) => s.E)) }).data;
    const loss: number[] = [];
    const grad: number[] = [];
    const x: number[] = [];
    ps.forEach((_, k) => {
      const [a, b, c] = [states[3 * k]!, states[3 * k + 1]!, states[3 * k + 2]!];
      x.push(b.iou);
      loss.push(out[3 * k + 1]!);
      grad.push((out[3 * k + 2]! - out[3 * k]!) / (c.iou - a.iou));
    });
    return { condition: path, x, loss, grad };
  });
}

/** Per-sample values from a full-shape result: one column when the value is per sample, else the row sum. */
function perSample(b: Batch, shape: 0 | 1 | 2): number[] {
  return Array.from({ length: b.rows }, (_, r) => {
    if (shape !== 2) return b.data[r * b.cols]!;
    let s = 0;
    for (let c = 0; c < b.cols; c++) s += b.data[r * b.cols + c]!;
    return s;
  });
}

function clsInputs(domain: Domain, positive: boolean, w: number): Inputs {
  const n = LOGITS.length;
  if (domain === 'multi') {
    const C = 3;
    const label = positive ? 0 : C - 1;
    return {
      X: mat(n, C, (r, c) => (c === 0 ? LOGITS[r]! : 0)),
      Y: mat(n, C, (_r, c) => (c === label ? 1 : 0)),
      Z: mat(n, C, () => (positive ? w : 1)),
    };
  }
  const y = positive ? 1 : 0;
  return { X: mat(n, 1, (r) => LOGITS[r]!), PY: mat(n, 1, () => y), NY: mat(n, 1, () => 1 - y), Q: mat(n, 1, () => (positive ? w : 0)) };
}

function clsCurves(tree: Node, domain: Domain): Curve[] {
  const shape = shapeOf(tree, domain);
  const dx = derivative(tree, 'X', domain);
  const conditions = [...POSITIVE_IOUS.map((w) => ({ condition: `positive w=${w}`, positive: true, w })), { condition: 'negative', positive: false, w: 0 }];
  return conditions.map(({ condition, positive, w }) => {
    const inputs = clsInputs(domain, positive, w);
    const loss = perSample(evaluate(tree, domain, inputs), shape);
    // ∂(Σ loss)/∂X at the swept logit (column 0).
    const g = evaluate(dx, domain, inputs);
    const grad = Array.from({ length: g.rows }, (_, r) => g.data[r * g.cols]!);
    return { condition, x: LOGITS, loss, grad };
  });
}

/**
 * The curves of one loss.
 *
 * @example
 * lossCurves(parse('iou').tree, 'reg').map((c) => c.condition) // ['slide', 'scale']
 */
export function lossCurves(tree: Node, domain: Domain): Curve[] {
  return domain === 'reg' ? regCurves(tree) : clsCurves(tree, domain);
}
