/**
 * Geometry of a predicted box against its target, as the reference trains
 * regression losses (SEMANTICS.md, "How the reference trains"): I the clipped
 * overlap, U = area_p + area_t − I + 1e-7, E = enclosing area + 1e-7; and the
 * partial derivatives of U, I, E with respect to the predicted box's
 * coordinates, so that a loss's gradient in (u, i, e) can be carried back to
 * the box by the chain rule.
 */
import { BOX_EPS } from '../symbolic/constants.js';

/** A box (x1, y1, x2, y2) with x1 < x2, y1 < y2. */
export type Box = readonly [number, number, number, number];


export interface PairGeometry {
  readonly U: number;
  readonly I: number;
  readonly E: number;
  /** ∂U/∂(px1, py1, px2, py2), and likewise for I and E. */
  readonly dU: readonly number[];
  readonly dI: readonly number[];
  readonly dE: readonly number[];
}

/** The box of width w and height h centred at (cx, cy). */
export function boxAt(cx: number, cy: number, w: number, h: number): Box {
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

/**
 * U, I, E of `pred` against `target` and their derivatives in the predicted
 * coordinates. At a tie (an edge of one box on the other's) the derivative
 * taken is the one of moving the predicted edge inwards, a valid one-sided one.
 *
 * @example
 * pairGeometry([0, 0, 2, 2], [1, 0, 3, 2]).I // 2
 */
export function pairGeometry(pred: Box, target: Box): PairGeometry {
  const [px1, py1, px2, py2] = pred;
  const [tx1, ty1, tx2, ty2] = target;
  const pw = px2 - px1;
  const ph = py2 - py1;
  const iwRaw = Math.min(px2, tx2) - Math.max(px1, tx1);
  const ihRaw = Math.min(py2, ty2) - Math.max(py1, ty1);
  const iw = Math.max(iwRaw, 0);
  const ih = Math.max(ihRaw, 0);
  const I = iw * ih;
  // Clipped widths have no derivative where there is no overlap.
  const dIw = iwRaw > 0 ? [px1 >= tx1 ? -1 : 0, px2 <= tx2 ? 1 : 0] : [0, 0];
  const dIh = ihRaw > 0 ? [py1 >= ty1 ? -1 : 0, py2 <= ty2 ? 1 : 0] : [0, 0];
  const dI = [dIw[0]! * ih, dIh[0]! * iw, dIw[1]! * ih, dIh[1]! * iw];
  const U = pw * ph + (tx2 - tx1) * (ty2 - ty1) - I + BOX_EPS;
  const dAp = [-ph, -pw, ph, pw];
  const dU = dAp.map((d, k) => d - dI[k]!);
  const ew = Math.max(px2, tx2) - Math.min(px1, tx1);
  const eh = Math.max(py2, ty2) - Math.min(py1, ty1);
  const E = ew * eh + BOX_EPS;
  const dE = [(px1 <= tx1 ? -1 : 0) * eh, (py1 <= ty1 ? -1 : 0) * ew, (px2 >= tx2 ? 1 : 0) * eh, (py2 >= ty2 ? 1 : 0) * ew];
  return { U, I, E, dU, dI, dE };
}

/** I/U with the reference's U. */
export function iou(pred: Box, target: Box): number {
  const g = pairGeometry(pred, target);
  return g.I / g.U;
}

/** The gradient of a loss in the predicted box's coordinates from its gradient in (u, i, e). */
export function boxGradient(g: PairGeometry, dLdU: number, dLdI: number, dLdE: number): number[] {
  return [0, 1, 2, 3].map((k) => dLdU * g.dU[k]! + dLdI * g.dI[k]! + dLdE * g.dE[k]!);
}
