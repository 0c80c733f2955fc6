import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import type { Domain } from '../../src/symbolic/domains.js';
import { LossKernel } from '../../src/verify/loss-kernel.js';
import { accuracy, averagePrecision, simulate } from '../../src/verify/simulate.js';

describe('simulate', () => {
  for (const b of BUILTIN_LOSSES) {
    it(`should pass ${b.name}: its metric improves by at least the threshold`, () => {
      const r = simulate(LossKernel.from(b.name));
      assert.ok(r.pass, JSON.stringify(r));
      assert.equal(r.metric, b.domain === 'reg' ? 'mean-iou' : b.domain === 'binary' ? 'ap' : 'accuracy');
    });
  }

  const degenerate: [string, Domain, string][] = [
    ['1', 'reg', 'constant'],
    ['Div(I,U)', 'reg', 'IoU-increasing'],
    ['Div(1,Sub(U,I))', 'reg', 'exploding'],
    ['Mul(0,X)', 'binary', 'constant'],
    ['Log(Sig(X))', 'binary', 'pushes every logit down'],
    ['Dot(Y,Log(Softmax(X)))', 'multi', 'rewards a lower target probability'],
    ['Exp(Mul(1000,Div(I,U)))', 'reg', 'exploding'],
  ];
  for (const [expr, domain, what] of degenerate) {
    it(`should fail ${expr} (${what})`, () => {
      const r = simulate(LossKernel.from(expr, domain));
      assert.equal(r.pass, false, JSON.stringify(r));
      assert.ok(r.reason);
    });
  }

  it('should reject below a configurable threshold', () => {
    // Mean IoU lies in [0, 1]: no run improves it by a whole 1, while GIoU clears the default 0.1.
    const k = LossKernel.from('giou');
    assert.equal(simulate(k).pass, true);
    const strict = simulate(k, { threshold: 1 });
    assert.equal(strict.threshold, 1);
    assert.equal(strict.pass, false, JSON.stringify(strict));
    assert.match(strict.reason ?? '', /below 1$/);
  });

  it('should give the same run for the same seed', () => {
    const k = LossKernel.from('focal');
    assert.deepEqual(simulate(k, { seed: 5, steps: 20 }), simulate(k, { seed: 5, steps: 20 }));
  });

  it('should score accuracy and AP pessimistically on ties', () => {
    assert.equal(accuracy(Float64Array.of(1, 1, 2, 0), [0, 0], 2), 0.5);
    assert.equal(averagePrecision(Float64Array.of(0, 0), [0], 2), 0.5);
    assert.equal(averagePrecision(Float64Array.of(3, 0, 0, 2), [0, 1], 2), 1);
  });
});
