import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { derivative } from '../../src/symbolic/derivative.js';
import type { InputName } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { inputsOf } from '../../src/symbolic/node.js';
import { shapeOf } from '../../src/symbolic/shape.js';
import { resolveLoss } from '../../src/symbolic/builtins.js';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { compileTfjs, fullShape } from '../../src/train/compile-tfjs.js';
import { compileFused } from '../../src/train/fused.js';
import { firstMismatch, referenceCases, tensorInputs } from './_helpers/cases.js';

const CASES = referenceCases();

describe('compileFused', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`should equal the float64 evaluator on every reference-values case within float32 tolerance (${backend})`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      for (const c of CASES) {
        const wrt = [...inputsOf(c.tree)];
        const out = tf.tidy(() => {
          const ins = tensorInputs(tf, c);
          const v = compileFused(c.tree, c.domain, wrt).full(tf, ins);
          // A row value (N×1) stands for itself broadcast over the classes, as the evaluator gives it.
          return tf.broadcastTo(v, fullShape(c.domain, ins)).dataSync();
        });
        // The kernel computes in float64 from float32 inputs: only the inputs' and the output's rounding differ.
        const k = firstMismatch(out, c.output);
        assert.equal(k, -1, `case ${c.index} ${c.expr} [${k}]: got ${out[k]}, expected ${c.output[k]}`);
      }
    });
  }

  it('should give gradients equal to the symbolic derivatives on the reference cases', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    let compared = 0;
    let total = 0;
    for (const c of CASES) {
      const shape = shapeOf(c.tree, c.domain);
      if (shape === 0) continue;
      for (const w of inputsOf(c.tree)) {
        const fused = compileFused(c.tree, c.domain, [w]);
        const sym = evaluate(derivative(c.tree, w, c.domain), c.domain, c.inputs).data;
        const got = tf.tidy(() => {
          const ins = tensorInputs(tf, c);
          // derivative() differentiates the natural-shape sum: a row-reduced value counts once per sample.
          const natSum = (v: tfc.Tensor) => (shape === 1 && v.rank === 2 ? tf.sum(tf.slice(v, [0, 0], [-1, 1])) : tf.sum(v));
          return tf.grad((x: tfc.Tensor) => natSum(fused.full(tf, { ...ins, [w]: x })))(ins[w]!).dataSync();
        });
        for (let i = 0; i < sym.length; i++) {
          total++;
          if (!Number.isFinite(sym[i]!) || Math.abs(sym[i]!) >= 1e15) continue;
          compared++;
          const ok = Math.abs(got[i]! - sym[i]!) <= 1e-4 * Math.abs(sym[i]!) + 1e-5;
          assert.ok(ok, `case ${c.index} ${c.expr}: d/d${w} [${i}] fused ${got[i]}, symbolic ${sym[i]}`);
        }
      }
    }
    assert.ok(compared > 0.85 * total, `compared ${compared} of ${total} gradient values`);
  });

  it('should back-propagate an arbitrary cotangent like tfjs autograd, elementwise and row-coupled alike', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const exprs: [string, 'multi' | 'binary', InputName[]][] = [
      ['autoloss-b-cls', 'binary', ['X']],
      ['autoloss-a-cls', 'multi', ['X']],
      ['Add(Mul(Softmax(X),Z),Dot(Y,Log(Softmax(Mul(2,X)))))', 'multi', ['X', 'Z']],
    ];
    for (const [spec, domain, wrt] of exprs) {
      const { tree } = resolveLoss(spec, { domain });
      const fused = compileFused(tree, domain, wrt);
      const generic = compileTfjs(tree, domain);
      tf.tidy(() => {
        const n = 6;
        const c = 5;
        const u = (seed: number, lo = -3, hi = 3) => tf.randomUniform([n, c], lo, hi, 'float32', seed);
        const ins = domain === 'binary' ? { X: u(1), Q: u(2, 0, 1), PY: u(3, 0, 1), NY: u(4, 0, 1) } : { X: u(1), Y: u(2, 0, 1), Z: u(3, 0, 1) };
        const dy = u(9, -1, 1);
        for (const w of wrt) {
          const f = (run: typeof fused.full) => tf.grad((x: tfc.Tensor) => tf.sum(tf.mul(run(tf, { ...ins, [w]: x }), dy)))(ins[w as 'X']).dataSync();
          const a = f(fused.full);
          const b = f(generic.full);
          const k = firstMismatch(a, b, 1e-3, 1e-4);
          assert.equal(k, -1, `${spec} d/d${w} [${k}]: fused ${a[k]}, autograd ${b[k]}`);
        }
      });
    }
  });

  it('should say whether it needs a second pass (Softmax, Dot) and expose its generated source', () => {
    const b = compileFused(resolveLoss('autoloss-b-cls', { domain: 'binary' }).tree, 'binary', ['X']);
    assert.equal(b.elementwise, true);
    assert.match(b.source, /for \(let i = 0; i < n; i\+\+\)/);
    assert.doesNotMatch(b.source, /seed/);
    const a = compileFused(resolveLoss('autoloss-a-cls', { domain: 'multi' }).tree, 'multi', ['X']);
    assert.equal(a.elementwise, false);
    assert.equal(a.rowValued, true);
    // Its softmax is handed in (the backend's), not computed with Math.exp.
    assert.doesNotMatch(a.source, /Math\.exp/);
    assert.match(a.source, /const sm0 = args\[3\]/);
  });
});
