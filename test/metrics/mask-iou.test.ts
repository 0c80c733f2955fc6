import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeMask } from '../../src/data/mask.js';
import { maskIou } from '../../src/metrics/mask-iou.js';

const m = (rows: string[]) => encodeMask([...rows.join('')].map(Number), rows.length, rows[0]!.length);

describe('maskIou', () => {
  it('should give intersection over union on hand-checked masks', () => {
    const a = m(['1100', '1100', '0000']);
    const b = m(['0110', '0110', '0110']);
    // Intersection 2 pixels, union 4 + 6 − 2 = 8.
    assert.deepEqual([...maskIou([a], [b], [false])], [0.25]);
    assert.deepEqual([...maskIou([a, b], [a], [false])], [1, 0.25]);
    assert.deepEqual([...maskIou([m(['1000'])], [m(['0001'])], [false])], [0]);
  });

  it('should divide by the detection area against a crowd region', () => {
    const crowd = m(['1111', '1111', '0000']);
    const inside = m(['0110', '0000', '0000']);
    const half = m(['0000', '0011', '0011']);
    // inside lies wholly in the crowd: 2/2; half: 2 of its 4 pixels.
    assert.deepEqual([...maskIou([inside, half], [crowd], [true])], [1, 0.5]);
    // As an ordinary object the same pairs score 2/8 and 2/10.
    assert.deepEqual([...maskIou([inside, half], [crowd], [false])], [2 / 8, 2 / 10]);
  });

  it('should score masks of different sizes -1, as pycocotools does', () => {
    assert.deepEqual([...maskIou([m(['11', '11'])], [m(['111', '111'])], [false])], [-1]);
  });

  it('should equal pixel counting on random masks, D×G row-major', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((h) =>
          fc.integer({ min: 1, max: 6 }).chain((w) => {
            const mask = fc.uint8Array({ minLength: h * w, maxLength: h * w, min: 0, max: 1 });
            return fc.tuple(fc.constant(h), fc.constant(w), fc.array(mask, { maxLength: 3 }), fc.array(fc.tuple(mask, fc.boolean()), { maxLength: 3 }));
          }),
        ),
        ([h, w, dts, gts]) => {
          const got = maskIou(
            dts.map((d) => encodeMask(d, h, w)),
            gts.map(([g]) => encodeMask(g, h, w)),
            gts.map(([, c]) => c),
          );
          dts.forEach((d, i) =>
            gts.forEach(([g, crowd], j) => {
              let inter = 0, union = 0, area = 0;
              for (let p = 0; p < h * w; p++) {
                inter += d[p]! & g[p]!;
                union += d[p]! | g[p]!;
                area += d[p]!;
              }
              const want = inter === 0 ? 0 : inter / (crowd ? area : union);
              assert.equal(got[i * gts.length + j], want);
            }),
          );
        },
      ),
    );
  });
});
