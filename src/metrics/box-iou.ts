/**
 * pycocotools' bbIou (maskApi.c) for [x, y, w, h] boxes, with its exact
 * float64 operation order. Against a crowd region the denominator is the
 * detection's own area, so a detection lying inside a crowd scores 1.
 */

/**
 * IoU of every detection (rows) with every ground-truth box (columns), D×G row-major.
 *
 * @example
 * boxIou([[0, 0, 10, 10]], [[5, 0, 10, 10]], [false]); // Float64Array [0.3333333333333333]
 */
export function boxIou(dts: readonly (readonly number[])[], gts: readonly (readonly number[])[], crowd: readonly boolean[]): Float64Array {
  const D = dts.length;
  const G = gts.length;
  const out = new Float64Array(D * G);
  for (let g = 0; g < G; g++) {
    const [gx, gy, gw, gh] = gts[g] as [number, number, number, number];
    const ga = gw * gh;
    for (let d = 0; d < D; d++) {
      const [dx, dy, dw, dh] = dts[d] as [number, number, number, number];
      const da = dw * dh;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w <= 0) continue;
      const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
      if (h <= 0) continue;
      const i = w * h;
      const u = crowd[g] ? da : da + ga - i;
      out[d * G + g] = i / u;
    }
  }
  return out;
}
