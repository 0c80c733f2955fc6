import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

// The package's public entry points, as a user imports them (self-reference through package.json "exports").
describe('package exports', () => {
  it('should expose the language, symbolic engine, rendering and verification from "autoloss"', async () => {
    const m = await import('autoloss');
    const { tree, domain } = m.parse('Sub(1,Div(I,U))');
    assert.equal(domain, 'reg');
    assert.equal(m.toLatex(tree, domain), '1-\\frac{i}{u}');
    assert.deepEqual(m.rationalFormJson(m.rationalForm(tree, domain)), { numerator: '-i + u', denominator: 'u' });
    assert.equal(m.verifyLoss('giou').verdict, 'pass');
  });

  it('should expose the property kit from "autoloss/verify" and the engine from "autoloss/symbolic"', async () => {
    const v = await import('autoloss/verify');
    assert.equal(typeof v.properties.monotoneInIou, 'function');
    const s = await import('autoloss/symbolic');
    assert.equal(s.resolveLoss('autoloss-a-cls').domain, 'multi');
  });
});
