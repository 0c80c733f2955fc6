/**
 * FCOS target assignment: which feature-map locations are positive and what
 * they regress. Plain arrays: targets carry no gradient.
 */

/** Locations of every pyramid level, finest level first, row-major within a level. */
export interface Points {
  readonly xs: Float32Array;
  readonly ys: Float32Array;
  readonly level: Int32Array;
  /** Locations per level. */
  readonly counts: readonly number[];
}

/**
 * The centres of every feature cell, as FCOS places them: column j of a
 * stride-s map sits at x = j·s + ⌊s/2⌋.
 *
 * @example makePoints([[2, 2]], [8]).xs // Float32Array [4, 12, 4, 12]
 */
export function makePoints(sizes: readonly (readonly [number, number])[], strides: readonly number[]): Points {
  const total = sizes.reduce((a, [h, w]) => a + h * w, 0);
  const xs = new Float32Array(total), ys = new Float32Array(total), level = new Int32Array(total);
  let k = 0;
  sizes.forEach(([h, w], l) => {
    const s = strides[l]!;
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++, k++) {
        xs[k] = j * s + Math.floor(s / 2);
        ys[k] = i * s + Math.floor(s / 2);
        level[k] = l;
      }
  });
  return { xs, ys, level, counts: sizes.map(([h, w]) => h * w) };
}

export interface FcosAssignConfig {
  readonly strides: readonly number[];
  /** Per level, the range (lo, hi] of max(l,t,r,b) a location may regress. */
  readonly ranges: readonly (readonly [number, number])[];
  /** Only locations within `radius`·stride of a box centre may be positive. */
  readonly centerSampling: boolean;
  readonly radius: number;
  readonly numClasses: number;
}

/**
 * Regress ranges for small images: level l takes (2·s_l, 4·s_l], the first
 * from 0 and the last unbounded (COCO-sized FCOS uses 8·s_l, too coarse here).
 */
export function defaultRanges(strides: readonly number[]): [number, number][] {
  return strides.map((s, l) => [l === 0 ? -1 : 2 * s, l === strides.length - 1 ? 1e8 : 4 * s]);
}

export interface FcosTargets {
  /** Class per location; `numClasses` means background. */
  readonly labels: Int32Array;
  /** Target box (x1,y1,x2,y2) per location (0 for background). */
  readonly boxes: Float32Array;
  /** Standard centerness target per location (0 for background). */
  readonly centerness: Float32Array;
  /** Indices of the positive locations, ascending. */
  readonly positives: Int32Array;
}

/**
 * Assigns each location to the smallest-area ground-truth box that contains
 * it (within the centre region when centre sampling), whose largest side
 * distance falls in the location's level range.
 */
export function assignFcos(points: Points, gtBoxes: Float32Array, gtLabels: Int32Array, cfg: FcosAssignConfig): FcosTargets {
  const n = points.xs.length, g = gtLabels.length;
  const labels = new Int32Array(n).fill(cfg.numClasses);
  const boxes = new Float32Array(4 * n);
  const centerness = new Float32Array(n);
  const positives: number[] = [];
  for (let p = 0; p < n; p++) {
    const x = points.xs[p]!, y = points.ys[p]!, l = points.level[p]!;
    const s = cfg.strides[l]!, [lo, hi] = cfg.ranges[l]!;
    let best = -1, bestArea = Infinity;
    for (let k = 0; k < g; k++) {
      const x1 = gtBoxes[4 * k]!, y1 = gtBoxes[4 * k + 1]!, x2 = gtBoxes[4 * k + 2]!, y2 = gtBoxes[4 * k + 3]!;
      const left = x - x1, top = y - y1, right = x2 - x, bottom = y2 - y;
      if (Math.min(left, top, right, bottom) <= 0) continue;
      if (cfg.centerSampling) {
        const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2, r = s * cfg.radius;
        const cx1 = Math.max(cx - r, x1), cy1 = Math.max(cy - r, y1), cx2 = Math.min(cx + r, x2), cy2 = Math.min(cy + r, y2);
        if (!(x > cx1 && y > cy1 && x < cx2 && y < cy2)) continue;
      }
      const m = Math.max(left, top, right, bottom);
      if (!(m > lo && m <= hi)) continue;
      const area = (x2 - x1) * (y2 - y1);
      if (area < bestArea) {
        bestArea = area;
        best = k;
      }
    }
    if (best < 0) continue;
    labels[p] = gtLabels[best]!;
    for (let c = 0; c < 4; c++) boxes[4 * p + c] = gtBoxes[4 * best + c]!;
    const left = x - gtBoxes[4 * best]!, top = y - gtBoxes[4 * best + 1]!, right = gtBoxes[4 * best + 2]! - x, bottom = gtBoxes[4 * best + 3]! - y;
    centerness[p] = Math.sqrt((Math.min(left, right) / Math.max(left, right)) * (Math.min(top, bottom) / Math.max(top, bottom)));
    positives.push(p);
  }
  return { labels, boxes, centerness, positives: Int32Array.from(positives) };
}
