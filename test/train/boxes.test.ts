import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { BOX_EPS } from '../../src/symbolic/constants.js';
import { boxTerms } from '../../src/train/boxes.js';

type Tf = typeof import('@tensorflow/tfjs-core');

/**
 * I, U, E as chains of float32 tfjs ops differentiated by tfjs's autograd:
 * an independent formulation of SEMANTICS.md's box terms, the oracle for the
 * one-pass kernel's values (bit for bit) and its gradients (tie rules included).
 */
function opsTerms(tf: Tf, pred: tfc.Tensor2D, target: tfc.Tensor2D): tfc.Tensor1D[] {
  const [px1, py1, px2, py2] = tf.unstack(pred, 1);
  const [tx1, ty1, tx2, ty2] = tf.unstack(target, 1);
  const iw = tf.relu(tf.sub(tf.minimum(px2!, tx2!), tf.maximum(px1!, tx1!)));
  const ih = tf.relu(tf.sub(tf.minimum(py2!, ty2!), tf.maximum(py1!, ty1!)));
  const inter = tf.mul(iw, ih);
  const areaP = tf.mul(tf.sub(px2!, px1!), tf.sub(py2!, py1!));
  const areaT = tf.mul(tf.sub(tx2!, tx1!), tf.sub(ty2!, ty1!));
  const union = tf.add(tf.sub(tf.add(areaP, areaT), inter), BOX_EPS);
  const ew = tf.relu(tf.sub(tf.maximum(px2!, tx2!), tf.minimum(px1!, tx1!)));
  const eh = tf.relu(tf.sub(tf.maximum(py2!, ty2!), tf.minimum(py1!, ty1!)));
  const enclose = tf.add(tf.mul(ew, eh), BOX_EPS);
  return [inter, union, enclose] as tfc.Tensor1D[];
}

/** A deterministic LCG in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Boxes with every case the clipping and tie rules distinguish: on a small
 * integer grid (shared edges, zero-width overlaps, identical boxes, disjoint
 * and nested pairs, degenerate boxes), and generic real-valued ones.
 */
function boxes(n: number, seed: number): { pred: number[][]; target: number[][] } {
  const r = lcg(seed);
  const box = (grid: boolean): number[] => {
    const v = () => (grid ? Math.floor(r() * 6) : r() * 40);
    const x1 = v(), y1 = v();
    return [x1, y1, x1 + v(), y1 + v()];
  };
  const pred: number[][] = [];
  const target: number[][] = [];
  for (let k = 0; k < n; k++) {
    const grid = k % 2 === 0;
    target.push(box(grid));
    pred.push(k % 7 === 0 ? [...target[k]!] : box(grid));
  }
  return { pred, target };
}

describe('boxTerms', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`should give bit for bit the float32 values of the tfjs-op formulation, with the 1e-7 terms (${backend})`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      const { pred, target } = boxes(400, 11);
      const p = tf.tensor2d(pred);
      const t = tf.tensor2d(target);
      const got = boxTerms(tf, p, t);
      const want = opsTerms(tf, p, t);
      (['I', 'U', 'E'] as const).forEach((name, j) => assert.deepEqual(Array.from(got[name].dataSync()), Array.from(want[j]!.dataSync()), name));
      // Identical degenerate boxes: no overlap, U and E exactly the guard.
      const z = boxTerms(tf, tf.tensor2d([[3, 3, 3, 3]]), tf.tensor2d([[3, 3, 3, 3]]));
      assert.deepEqual([z.I.dataSync()[0], z.U.dataSync()[0], z.E.dataSync()[0]], [0, Math.fround(BOX_EPS), Math.fround(BOX_EPS)]);
    });

    it(`should give both boxes the gradient tfjs's autograd gives the op formulation, ties and clipped overlaps included (${backend})`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      const { pred, target } = boxes(400, 12);
      const r = lcg(13);
      const w = [0, 1, 2].map(() => tf.tensor1d(pred.map(() => r() * 4 - 2)));
      const objective = (terms: (p: tfc.Tensor2D, t: tfc.Tensor2D) => tfc.Tensor1D[]) => (p: tfc.Tensor, t: tfc.Tensor) =>
        tf.sum(tf.addN(terms(p as tfc.Tensor2D, t as tfc.Tensor2D).map((v, j) => tf.mul(v, w[j]!)))) as tfc.Scalar;
      const ours = tf.grads(objective((p, t) => {
        const { I, U, E } = boxTerms(tf, p, t);
        return [I, U, E];
      }))([tf.tensor2d(pred), tf.tensor2d(target)]);
      const theirs = tf.grads(objective((p, t) => opsTerms(tf, p, t)))([tf.tensor2d(pred), tf.tensor2d(target)]);
      ['pred', 'target'].forEach((which, j) => {
        const a = ours[j]!.dataSync();
        const b = theirs[j]!.dataSync();
        for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-5 * (1 + Math.abs(b[i]!)), `d${which}[${i}]: ${a[i]} vs ${b[i]}`);
      });
    });
  }

  it('should match central finite differences of the float64 definition away from ties', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    // Generic real boxes (no ties, overlap or not); the objective Σ a·I + b·U + c·E in float64.
    const r = lcg(21);
    const pred = Array.from({ length: 30 }, () => {
      const x = r() * 10, y = r() * 10;
      return [x, y, x + 1 + r() * 8, y + 1 + r() * 8];
    });
    const target = pred.map((b) => b.map((v) => v + (r() - 0.5) * 6)).map(([a, b, c, d]) => [a!, b!, Math.max(c!, a! + 0.5), Math.max(d!, b! + 0.5)]);
    const [a, b, c] = [0.7, -1.3, 0.4];
    const f64 = (p: number[], t: number[]): number => {
      const iw = Math.max(0, Math.min(p[2]!, t[2]!) - Math.max(p[0]!, t[0]!));
      const ih = Math.max(0, Math.min(p[3]!, t[3]!) - Math.max(p[1]!, t[1]!));
      const i = iw * ih;
      const u = (p[2]! - p[0]!) * (p[3]! - p[1]!) + (t[2]! - t[0]!) * (t[3]! - t[1]!) - i + 1e-7;
      const e = (Math.max(p[2]!, t[2]!) - Math.min(p[0]!, t[0]!)) * (Math.max(p[3]!, t[3]!) - Math.min(p[1]!, t[1]!)) + 1e-7;
      return a * i + b * u + c * e;
    };
    const g = tf.grads((p: tfc.Tensor, t: tfc.Tensor) => {
      const { I, U, E } = boxTerms(tf, p as tfc.Tensor2D, t as tfc.Tensor2D);
      return tf.sum(tf.add(tf.add(tf.mul(a, I), tf.mul(b, U)), tf.mul(c, E))) as tfc.Scalar;
    })([tf.tensor2d(pred), tf.tensor2d(target)]);
    const h = 1e-4;
    for (const [j, boxesOf] of [pred, target].entries()) {
      const grad = g[j]!.dataSync();
      boxesOf.forEach((bx, k) => {
        for (let q = 0; q < 4; q++) {
          const at = (d: number) => {
            const moved = [...bx];
            moved[q] = moved[q]! + d;
            return j === 0 ? f64(moved, target[k]!) : f64(pred[k]!, moved);
          };
          const fd = (at(h) - at(-h)) / (2 * h);
          assert.ok(Math.abs(grad[4 * k + q]! - fd) <= 1e-4 * (1 + Math.abs(fd)), `${j === 0 ? 'pred' : 'target'}[${k}][${q}]: ${grad[4 * k + q]} vs ${fd}`);
        }
      });
    }
  });

  it('should refuse boxes that are not both N×4', async () => {
    await setupBackend('wasm');
    const tf = getTf();
    assert.throws(() => boxTerms(tf, tf.zeros([2, 4]) as tfc.Tensor2D, tf.zeros([3, 4]) as tfc.Tensor2D), /N×4/);
  });
});
