/**
 * pycocotools' rleIou (maskApi.c): IoU of run-length masks. Against a crowd
 * region the denominator is the detection's own area, so a detection lying
 * inside a crowd scores 1, as with boxes. Pairs whose bounding boxes do not
 * meet are 0 without walking the runs, as in the C code.
 */
import { rleArea, rleToBbox, type Rle } from '../data/mask.js';
import { boxIou } from './box-iou.js';

/** Intersection and union (pixel counts) of two masks of one size, walking both run lists at once. */
function interUnion(a: readonly number[], b: readonly number[]): [number, number] {
  let ca = a[0]!;
  let cb = b[0]!;
  let ka = 1;
  let kb = 1;
  let va = 0;
  let vb = 0;
  let i = 0;
  let u = 0;
  let ct = 1;
  while (ct > 0) {
    const c = Math.min(ca, cb);
    if (va || vb) {
      u += c;
      if (va && vb) i += c;
    }
    ct = 0;
    ca -= c;
    if (!ca && ka < a.length) {
      ca = a[ka++]!;
      va ^= 1;
    }
    ct += ca;
    cb -= c;
    if (!cb && kb < b.length) {
      cb = b[kb++]!;
      vb ^= 1;
    }
    ct += cb;
  }
  return [i, u];
}

/**
 * IoU of every detection mask (rows) with every ground-truth mask (columns),
 * D×G row-major. A pair of different image sizes scores -1 (never a match),
 * as in pycocotools.
 *
 * @example
 * maskIou([encodeMask([1, 1, 0, 0], 2, 2)], [encodeMask([1, 0, 0, 0], 2, 2)], [true]); // Float64Array [0.5]
 */
export function maskIou(dts: readonly Rle[], gts: readonly Rle[], crowd: readonly boolean[]): Float64Array {
  const D = dts.length;
  const G = gts.length;
  const out = boxIou(dts.map(rleToBbox), gts.map(rleToBbox), crowd);
  for (let g = 0; g < G; g++) {
    const gt = gts[g]!;
    for (let d = 0; d < D; d++) {
      if (!(out[d * G + g]! > 0)) continue;
      const dt = dts[d]!;
      if (dt.size[0] !== gt.size[0] || dt.size[1] !== gt.size[1]) {
        out[d * G + g] = -1;
        continue;
      }
      const [i, u0] = interUnion(dt.counts, gt.counts);
      const u = i === 0 ? 1 : crowd[g] ? rleArea(dt) : u0;
      out[d * G + g] = i / u;
    }
  }
  return out;
}
