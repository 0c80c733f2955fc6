import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BOX_EPS as AREA_EPS } from '../../src/symbolic/constants.js';
import { boxGradient, pairGeometry, type Box } from '../../src/verify/box-geometry.js';

describe('pairGeometry', () => {
  it('should give U, I, E as the reference computes them, epsilon included', () => {
    const g = pairGeometry([0, 0, 2, 2], [1, 0, 3, 2]);
    assert.equal(g.I, 2);
    assert.equal(g.U, 4 + 4 - 2 + AREA_EPS);
    assert.equal(g.E, 6 + AREA_EPS);
  });

  it('should clip the overlap of disjoint boxes to 0, with no derivative', () => {
    const g = pairGeometry([0, 0, 1, 1], [5, 5, 6, 6]);
    assert.equal(g.I, 0);
    assert.deepEqual(g.dI, [0, 0, 0, 0]);
  });

  it('should match finite differences of U, I, E in the predicted coordinates away from ties', () => {
    const coord = fc.integer({ min: -50, max: 50 }).map((v) => v + 0.37);
    const box = fc.tuple(coord, coord, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })).map(([x, y, w, h]): Box => [x, y, x + w, y + h]);
    fc.assert(
      fc.property(box, fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })), (p, [x, y, w, h]) => {
        const t: Box = [x, y, x + w, y + h];
        const g = pairGeometry(p, t);
        for (let j = 0; j < 4; j++) {
          const h1 = 1e-4;
          const up = [...p] as [number, number, number, number];
          const down = [...p] as [number, number, number, number];
          up[j] += h1;
          down[j] -= h1;
          const a = pairGeometry(up, t);
          const b = pairGeometry(down, t);
          for (const k of ['U', 'I', 'E'] as const) {
            const fd = (a[k] - b[k]) / (2 * h1);
            const d = k === 'U' ? g.dU[j]! : k === 'I' ? g.dI[j]! : g.dE[j]!;
            assert.ok(Math.abs(fd - d) < 1e-6 * (1 + Math.abs(fd)), `∂${k}/∂p${j}: ${d} vs ${fd}`);
          }
        }
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('should carry a (u, i, e) gradient to the box by the chain rule', () => {
    const g = pairGeometry([0, 0, 2, 2], [1, 0, 3, 2]);
    // ∂I/∂p: px2 right grows the overlap by its height 2; px1 is outside the target; the shared
    // y edges take the inward one-sided derivative (±the overlap's width 1).
    assert.deepEqual(boxGradient(g, 0, 1, 0), [0, -1, 2, 1]);
    assert.deepEqual(boxGradient(g, 2, 0, 0), [-4, -4, 4, 4].map((v, j) => v - 2 * [0, -1, 2, 1][j]!));
  });
});
