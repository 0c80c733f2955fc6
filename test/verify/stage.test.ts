import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyStage } from '../../src/verify/stage.js';

describe('verifyStage', () => {
  it('should print every built-in loss passing with its simulation, then a failing loss with counterexamples', async () => {
    let text = '';
    const verdicts = await verifyStage({ quick: true, write: (s) => void (text += s) });
    assert.equal(verdicts.length, 9);
    assert.ok(verdicts.slice(0, 8).every((v) => v.verdict === 'pass' && v.simulation?.pass));
    assert.equal(verdicts[8]!.verdict, 'fail');
    assert.match(text, /autoloss-b-reg {2}\(reg\) {2}PASS/);
    assert.match(text, /simulation\s+pass\s+mean-iou/);
    assert.match(text, /Div\(I,U\) {2}\(reg\) {2}FAIL[\s\S]*monotone-in-iou\s+fail\s*\n\s+counterexample \(\d+ shrinks\)/);
  });
});
