import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as tfc from '@tensorflow/tfjs-core';
import { derivative } from '../../src/symbolic/derivative.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { inputsOf } from '../../src/symbolic/node.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { getTf, setupBackend } from '../../src/train/backend.js';
import { compileTfjs } from '../../src/train/compile-tfjs.js';
import { firstMismatch, referenceCases, tensorInputs } from './_helpers/cases.js';

const CASES = referenceCases();

/**
 * Where the symbolic derivative and autograd are expected to agree: both
 * finite and away from the guards' regime (|d| < 1e15: a/1e-20 and the Exp
 * clamp at 88, where autograd differentiates the guard and the symbolic
 * derivative the unguarded function).
 */
function comparable(sym: number, auto: number): boolean {
  return Number.isFinite(sym) && Number.isFinite(auto) && Math.abs(sym) < 1e15;
}

describe('compileTfjs', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`should equal the float64 evaluator on every reference-values case within float32 tolerance (${backend})`, async () => {
      await setupBackend(backend);
      const tf = getTf();
      for (const c of CASES) {
        const out = tf.tidy(() => compileTfjs(c.tree, c.domain).full(tf, tensorInputs(tf, c)).dataSync());
        const k = firstMismatch(out, c.output);
        assert.equal(k, -1, `case ${c.index} ${c.expr} [${k}]: got ${out[k]}, expected ${c.output[k]}`);
      }
    });
  }

  it('should give autograd gradients equal to the symbolic derivatives on the reference cases', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    let compared = 0;
    let total = 0;
    for (const c of CASES) {
      const loss = compileTfjs(c.tree, c.domain);
      for (const w of inputsOf(c.tree)) {
        const sym = evaluate(derivative(c.tree, w, c.domain), c.domain, c.inputs).data;
        const auto = tf.tidy(() => {
          const ins = tensorInputs(tf, c);
          return tf.grad((x: tfc.Tensor) => tf.sum(loss.natural(tf, { ...ins, [w]: x })))(ins[w]!).dataSync();
        });
        for (let i = 0; i < sym.length; i++) {
          total++;
          if (!comparable(sym[i]!, auto[i]!)) continue;
          compared++;
          const ok = Math.abs(auto[i]! - sym[i]!) <= 1e-3 * Math.abs(sym[i]!) + 1e-4;
          assert.ok(ok, `case ${c.index} ${c.expr}: d/d${w} [${i}] autograd ${auto[i]}, symbolic ${sym[i]}`);
        }
      }
    }
    assert.ok(compared > 0.85 * total, `compared ${compared} of ${total} gradient values`);
  });

  it('should keep natural shapes: Dot gives N×1, a constant a scalar, Dot of scalars their product, Softmax of a scalar 1', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    const X = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const Y = tf.tensor2d([[0, 1, 0], [1, 0, 0]]);
    const natural = (e: string) => compileTfjs(parse(e, { domain: 'multi' }).tree, 'multi').natural(tf, { X, Y });
    assert.deepEqual(natural('Dot(X,Y)').shape, [2, 1]);
    assert.deepEqual(Array.from(natural('Dot(X,Y)').dataSync()), [2, 0]);
    assert.deepEqual(natural('Add(1,2)').shape, []);
    assert.deepEqual(Array.from(natural('Dot(2,3)').dataSync()), [6]);
    assert.deepEqual(Array.from(natural('Softmax(7)').dataSync()), [1]);
    const full = compileTfjs(parse('Dot(X,Y)', { domain: 'multi' }).tree, 'multi').full(tf, { X, Y });
    assert.deepEqual(full.shape, [2, 3]);
  });

  it('should refuse a missing input and an axis operator in the reg domain', async () => {
    await setupBackend('cpu');
    const tf = getTf();
    assert.throws(() => compileTfjs(parse('Div(I,U)', { domain: 'reg' }).tree, 'reg').full(tf, { I: tf.tensor1d([1]) }), /input U is used but not given/);
    const dotX = parse('Dot(X,X)', { domain: 'multi' }).tree;
    assert.throws(() => compileTfjs(dotX, 'reg'), /not an input of domain reg|needs a class axis/);
  });
});
