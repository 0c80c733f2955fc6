import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DataError } from '../../src/data/data-error.js';
import {
  bboxToRle,
  compressRle,
  decodeMask,
  decompressRle,
  encodeMask,
  mergeRles,
  polygonToRle,
  rleArea,
  rleFromString,
  rleToBbox,
  rleToString,
  segmentationToRle,
} from '../../src/data/mask.js';
import { fixture } from '../helpers/paths.js';

/** A random row-major binary mask with its size. */
const arbMask = fc
  .record({ h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }) })
  .chain(({ h, w }) => fc.record({ h: fc.constant(h), w: fc.constant(w), mask: fc.uint8Array({ minLength: h * w, maxLength: h * w, min: 0, max: 1 }) }));

describe('encodeMask / decodeMask', () => {
  it('should read masks down the columns, starting with a run of 0s', () => {
    // Rows [0 1] and [1 1]: column 0 is 0,1 and column 1 is 1,1.
    assert.deepEqual(encodeMask([0, 1, 1, 1], 2, 2), { size: [2, 2], counts: [1, 3] });
    assert.deepEqual(encodeMask([1, 1, 1, 1], 2, 2).counts, [0, 4]);
    assert.deepEqual(encodeMask([0, 0, 0], 1, 3).counts, [3]);
    assert.deepEqual(encodeMask([1, 0, 0, 1, 0, 0], 2, 3).counts, [0, 2, 4]);
  });

  it('should round-trip any mask', () => {
    fc.assert(
      fc.property(arbMask, ({ h, w, mask }) => {
        const rle = encodeMask(mask, h, w);
        assert.deepEqual(decodeMask(rle), mask);
        assert.equal(rle.counts.reduce((a, b) => a + b, 0), h * w);
        assert.equal(rleArea(rle), mask.reduce((a, b) => a + b, 0));
      }),
    );
  });
});

describe('compressed RLE strings', () => {
  it('should write hand-checked strings', () => {
    assert.equal(rleToString({ size: [2, 2], counts: [1, 3] }), '13');
    // From the fourth count on, each is written as the difference from the count two before.
    assert.equal(rleToString({ size: [4, 4], counts: [0, 2, 2, 2, 10] }), '02208');
    // 100 = 4 + 3·32: low group 4 with the continuation bit (36 → 'T'), then 3.
    assert.equal(rleToString({ size: [10, 10], counts: [100] }), 'T3');
    // 1 − 10 = −9: one group of 5 bits, 10111 (23 → 'G'), its sign bit ending the number.
    assert.equal(rleToString({ size: [18, 1], counts: [5, 10, 2, 1] }), '5:2G');
  });

  it('should read what it writes, for any mask', () => {
    fc.assert(
      fc.property(arbMask, ({ h, w, mask }) => {
        const rle = encodeMask(mask, h, w);
        assert.deepEqual(decompressRle(compressRle(rle)), rle);
      }),
    );
  });

  it('should read large counts and negative differences', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 30 }), { minLength: 1, maxLength: 12 }), (counts) => {
        assert.deepEqual(rleFromString(rleToString({ size: [1, 1], counts }), 1, 1).counts, counts);
      }),
    );
  });

  it("should reproduce pycocotools' strings in the segm fixture bit for bit", () => {
    const { cases } = JSON.parse(readFileSync(fixture('coco-segm-eval-cases.json'), 'utf8')) as { cases: { dets: { segmentation: { size: [number, number]; counts: string } }[] }[] };
    let n = 0;
    for (const c of cases) {
      for (const d of c.dets) {
        const rle = decompressRle(d.segmentation);
        assert.equal(rle.counts.reduce((a, b) => a + b, 0), d.segmentation.size[0] * d.segmentation.size[1]);
        assert.equal(compressRle(encodeMask(decodeMask(rle), ...d.segmentation.size)).counts, d.segmentation.counts);
        n++;
      }
    }
    assert.ok(n > 100);
  });

  it('should refuse malformed strings with a DataError', () => {
    assert.throws(() => rleFromString('1~', 2, 2), (e: unknown) => e instanceof DataError && /character "~" at 1/.test(e.message));
    // 'P' (32) carries the continuation bit, so the string ends inside a count.
    assert.throws(() => rleFromString('1P', 2, 2), (e: unknown) => e instanceof DataError && /ends inside a count/.test(e.message));
    // 'G' alone is −9.
    assert.throws(() => rleFromString('G', 2, 2), (e: unknown) => e instanceof DataError && /negative count/.test(e.message));
  });
});

/** The bounding box pycocotools' toBbox gives, computed from the pixels. */
function pixelBox(mask: Uint8Array, h: number, w: number): number[] {
  let xs = w, ys = h, xe = -1, ye = -1;
  let wraps = false;
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      if (!mask[y * w + x]) continue;
      xs = Math.min(xs, x), xe = Math.max(xe, x), ys = Math.min(ys, y), ye = Math.max(ye, y);
      // A run of 1s that continues from the bottom of this column to the top of the next.
      if (y === h - 1 && x + 1 < w && mask[x + 1]) wraps = true;
    }
  }
  if (xe < 0) return [0, 0, 0, 0];
  if (wraps) [ys, ye] = [0, h - 1];
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

describe('rleToBbox', () => {
  it('should give the box of the set pixels, full height where a run wraps a column', () => {
    assert.deepEqual(rleToBbox({ size: [3, 3], counts: [4, 1, 4] }), [1, 1, 1, 1]);
    // Rows 2 of column 0 and 0 of column 1 form one run: pycocotools widens the box to every row.
    assert.deepEqual(rleToBbox({ size: [3, 3], counts: [2, 2, 5] }), [0, 0, 2, 3]);
    assert.deepEqual(rleToBbox({ size: [3, 3], counts: [9] }), [0, 0, 0, 0]);
    fc.assert(
      fc.property(arbMask, ({ h, w, mask }) => {
        assert.deepEqual(rleToBbox(encodeMask(mask, h, w)), pixelBox(mask, h, w));
      }),
    );
  });
});

describe('mergeRles', () => {
  it('should be the pixelwise union or intersection', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((h) => fc.integer({ min: 1, max: 7 }).chain((w) => fc.tuple(fc.constant(h), fc.constant(w), fc.array(fc.uint8Array({ minLength: h * w, maxLength: h * w, min: 0, max: 1 }), { minLength: 1, maxLength: 4 })))),
        fc.boolean(),
        ([h, w, masks], intersect) => {
          const got = decodeMask(mergeRles(masks.map((m) => encodeMask(m, h, w)), intersect));
          const want = Uint8Array.from({ length: h * w }, (_, p) => (intersect ? masks.every((m) => m[p]) : masks.some((m) => m[p])) ? 1 : 0);
          assert.deepEqual(got, want);
        },
      ),
    );
  });

  it('should give an empty 0×0 RLE for differing sizes, as pycocotools does', () => {
    assert.deepEqual(mergeRles([encodeMask([1], 1, 1), encodeMask([1, 1], 1, 2)]), { size: [0, 0], counts: [] });
  });
});

describe('polygonToRle (pycocotools frPoly)', () => {
  it('should rasterise hand-checked polygons', () => {
    // The 2×2 square at the origin covers pixels (0..1, 0..1): columns 0 and 1 start with two 1s.
    assert.deepEqual(polygonToRle([0, 0, 0, 2, 2, 2, 2, 0], 4, 4).counts, [0, 2, 2, 2, 10]);
    // Triangle x + y < 4: pixel centres with x + y ≤ 2; the centres on the hypotenuse (x + y = 3) stay out.
    assert.deepEqual(polygonToRle([0, 0, 4, 0, 0, 4], 4, 4).counts, [0, 3, 1, 2, 2, 1, 7]);
    // Corners at 0.5 and 2.5 land on the 5× grid at 3 and 13 (0.6 and 2.6): pixels 1..2 in both directions.
    assert.deepEqual(polygonToRle([0.5, 0.5, 0.5, 2.5, 2.5, 2.5, 2.5, 0.5], 4, 4).counts, [5, 2, 2, 2, 5]);
    // Parts outside the image are clipped; C's truncation toward zero applies to negative corners.
    assert.deepEqual(polygonToRle([-2, -2, -2, 2, 2, 2, 2, -2], 4, 4).counts, [0, 2, 2, 2, 10]);
    assert.deepEqual(polygonToRle([1, 1, 1, 9, 9, 9, 9, 1], 4, 4).counts, [5, 3, 1, 3, 1, 3]);
    // The winding direction does not matter.
    assert.deepEqual(polygonToRle([0, 0, 2, 0, 2, 2, 0, 2], 4, 4).counts, [0, 2, 2, 2, 10]);
  });

  it('should set exactly the pixels whose centres lie inside an axis-aligned rectangle on the 5× grid', () => {
    const coord = (n: number) => fc.integer({ min: -5, max: 5 * n + 5 }).map((k) => k / 5);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }).chain((h) => fc.integer({ min: 1, max: 10 }).chain((w) => fc.tuple(fc.constant(h), fc.constant(w), coord(w), coord(w), coord(h), coord(h)))),
        ([h, w, xa, xb, ya, yb]) => {
          const [x0, x1] = [Math.min(xa, xb), Math.max(xa, xb)];
          const [y0, y1] = [Math.min(ya, yb), Math.max(ya, yb)];
          const want = Uint8Array.from({ length: h * w }, (_, p) => {
            const cx = (p % w) + 0.5;
            const cy = Math.floor(p / w) + 0.5;
            return cx > x0 && cx < x1 && cy > y0 && cy < y1 ? 1 : 0;
          });
          assert.deepEqual(decodeMask(polygonToRle([x0, y0, x0, y1, x1, y1, x1, y0], h, w)), want);
          assert.deepEqual(decodeMask(bboxToRle([x0, y0, x1 - x0, y1 - y0], h, w)), want);
        },
      ),
    );
  });
});

describe('segmentationToRle (pycocotools annToRLE)', () => {
  it('should merge the polygons of one object and keep RLEs as given', () => {
    const two = segmentationToRle(
      [
        [0, 0, 0, 2, 2, 2, 2, 0],
        [2, 2, 2, 4, 4, 4, 4, 2],
      ],
      4,
      4,
    );
    assert.deepEqual(decodeMask(two), Uint8Array.from([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]));
    assert.deepEqual(segmentationToRle({ size: [2, 2], counts: [1, 3] }, 2, 2).counts, [1, 3]);
    assert.deepEqual(segmentationToRle({ size: [2, 2], counts: '13' }, 2, 2).counts, [1, 3]);
  });
});
