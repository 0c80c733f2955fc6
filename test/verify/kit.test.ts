import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import { properties } from '../../src/verify/kit.js';
import { propertiesFor, type PropertyName } from '../../src/verify/properties.js';

const KIT: Record<PropertyName, keyof typeof properties> = {
  finite: 'finite',
  'monotone-in-iou': 'monotoneInIou',
  'descent-toward-target': 'descentTowardTarget',
  'gradient-without-overlap': 'gradientWithoutOverlap',
  'negatives-push-down': 'negativesPushDown',
  'positives-push-up': 'positivesPushUp',
  'target-logit-up': 'targetLogitUp',
  'other-logits-down': 'otherLogitsDown',
};

describe('properties (the fast-check kit)', () => {
  for (const b of BUILTIN_LOSSES) {
    it(`should hold for ${b.name} on every property of its domain`, () => {
      for (const def of propertiesFor(b.domain)) {
        // Plain IoU loss gives no gradient for disjoint boxes: that property is a warning, asserted below.
        if (b.name === 'iou' && def.name === 'gradient-without-overlap') continue;
        fc.assert(properties[KIT[def.name]](b.name), { seed: 11, numRuns: 200 });
      }
    });
  }

  it('should report a violation naming the property, the value and the gradient (as the error\'s cause, and in the report with includeErrorInReport)', () => {
    const cause = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return ((e as Error).cause as Error).message;
      }
      throw new Error('the property did not fail');
    };
    const m = cause(() => fc.assert(properties.gradientWithoutOverlap('iou'), { seed: 1 }));
    assert.match(m, /^gradient-without-overlap: disjoint boxes: no gradient/);
    assert.match(m, /value \[1\]/);
    assert.match(m, /gradient \{"box":\[0,0,0,0\]/);
    assert.match(cause(() => fc.assert(properties.targetLogitUp('Dot(Y,Log(Softmax(X)))'))), /^target-logit-up: ∂L\/∂x\[0\] = /);
    assert.throws(() => fc.assert(properties.monotoneInIou('Sin(Mul(3,Div(I,U)))'), { includeErrorInReport: true }), /monotone-in-iou: /);
  });

  it('should refuse a property of another domain', () => {
    assert.throws(() => properties.monotoneInIou('ce'), /monotone-in-iou applies to reg, not to a multi loss/);
  });

  it('should accept options: a domain for an ambiguous expression and wider logits', () => {
    fc.assert(properties.positivesPushUp('Neg(Log(Sig(X)))', { domain: 'binary', logitRange: 30 }), { numRuns: 100 });
  });
});
