import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import type { Domain } from '../../src/symbolic/domains.js';
import { evaluate } from '../../src/symbolic/evaluate.js';
import { LossKernel } from '../../src/verify/loss-kernel.js';
import { resolveOptions } from '../../src/verify/options.js';
import { checkPoint, propertiesFor, propertyDef, type PropertyName } from '../../src/verify/properties.js';
import { PointCache, verifyLoss } from '../../src/verify/verify-loss.js';

/** The degenerate losses and the property each must fail. */
const BAD: [string, Domain, PropertyName][] = [
  ['Div(I,U)', 'reg', 'monotone-in-iou'],
  ['Sin(Mul(3,Div(I,U)))', 'reg', 'monotone-in-iou'],
  ['Log(Sig(X))', 'binary', 'positives-push-up'],
  ['Div(1,Sub(U,I))', 'reg', 'monotone-in-iou'],
  ['Dot(Y,Log(Softmax(X)))', 'multi', 'target-logit-up'],
];

describe('verifyLoss', () => {
  for (const b of BUILTIN_LOSSES) {
    it(`should pass every failing-severity property of its domain for ${b.name}`, () => {
      const v = verifyLoss(b.name);
      assert.equal(v.verdict, 'pass', JSON.stringify(v.properties.filter((p) => p.status === 'fail'), null, 1));
      assert.deepEqual(v.properties.map((p) => p.name), propertiesFor(b.domain).map((p) => p.name));
    });
  }

  it('should warn, not fail, that plain IoU loss gives no gradient for disjoint boxes', () => {
    const v = verifyLoss('iou');
    const p = v.properties.find((q) => q.name === 'gradient-without-overlap')!;
    assert.equal(p.status, 'warn');
    assert.deepEqual(p.counterexample!.gradient['box'], [0, 0, 0, 0]);
    assert.equal(v.verdict, 'pass');
    assert.equal(verifyLoss('giou').properties.find((q) => q.name === 'gradient-without-overlap')!.status, 'pass');
  });

  for (const [expr, domain, name] of BAD) {
    it(`should fail ${expr} on ${name} with a counterexample that reproduces and is minimal`, () => {
      const v = verifyLoss(expr, { domain });
      assert.equal(v.verdict, 'fail');
      const p = v.properties.find((q) => q.name === name)!;
      assert.equal(p.status, 'fail');
      const c = p.counterexample!;
      assert.equal(c.property, name);
      assert.ok(c.message.length > 0 && c.value.length > 0 && Object.keys(c.gradient).length > 0);

      // Re-evaluated by the independent evaluator, the recorded inputs give the recorded value.
      const k = LossKernel.from(expr, domain);
      const rows = domain === 'reg' ? c.value.length : 1;
      const cols = domain === 'reg' ? 1 : c.value.length;
      const batches = Object.fromEntries(Object.entries(c.inputs).map(([n, data]) => [n, { rows, cols, data: Float64Array.from(data) }]));
      assert.deepEqual(Array.from(evaluate(k.tree, domain, batches).data), c.value);

      // Re-checked at the shrunk point, the property fails the same way.
      const o = resolveOptions();
      const def = propertyDef(name);
      assert.equal(checkPoint(k, def, c.point, o)?.message, c.message);

      // Minimal in fast-check's sense: replaying the search finds no smaller failing point.
      const replay = fc.check(fc.property(def.points(domain, o), (pt) => checkPoint(k, def, pt, o) === undefined), { seed: c.replay!.seed, path: c.replay!.path });
      assert.ok(replay.failed);
      assert.equal(replay.numShrinks, 0);
      assert.deepEqual(replay.counterexample![0], c.point);
    });
  }

  it('should stop at the first failing property with failFast, and skip the search without shrink', () => {
    const v = verifyLoss('Div(I,U)', { failFast: true, shrink: false });
    assert.equal(v.properties.at(-1)!.status, 'fail');
    assert.ok(v.properties.length < propertiesFor('reg').length);
    assert.equal(v.properties.at(-1)!.counterexample!.shrinks, 0);
  });

  it('should draw the same points and verdicts for the same seed', () => {
    const a = verifyLoss('Sin(Mul(3,Div(I,U)))', { seed: 9, numRuns: 50 });
    const b = verifyLoss('Sin(Mul(3,Div(I,U)))', { seed: 9, numRuns: 50 });
    assert.deepEqual(a, b);
  });

  it('should give the same verdicts with one PointCache shared by many losses as with a fresh one each', () => {
    const losses = ['Div(I,U)', 'giou', 'Sin(Mul(3,Div(I,U)))', 'iou', 'Sub(1,Div(I,U))'];
    const points = new PointCache();
    const shared = losses.map((l) => verifyLoss(l, { numRuns: 60, points }));
    const fresh = losses.map((l) => verifyLoss(l, { numRuns: 60 }));
    assert.deepEqual(shared, fresh);
    assert.ok(shared.some((v) => v.verdict === 'fail') && shared.some((v) => v.verdict === 'pass'));
  });

  it('should check only the named properties', () => {
    const v = verifyLoss('giou', { properties: ['finite'] });
    assert.deepEqual(v.properties.map((p) => p.name), ['finite']);
  });
});
