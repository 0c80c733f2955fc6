import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { symbolicStage } from '../../src/symbolic/demo-stage.js';

describe('symbolicStage', () => {
  it('should show each published loss simplified, and the rational forms of the regression losses', () => {
    const lines: string[] = [];
    symbolicStage((l) => lines.push(l));
    const text = lines.join('\n');
    for (const name of ['autoloss-a-cls', 'autoloss-a-reg', 'autoloss-b-cls', 'autoloss-b-reg']) assert.match(text, new RegExp(`\\(${name}, domain`));
    assert.match(text, /rational form: \(3\*e\*u \+ 12\*e \+ 3\*i \+ 3\*u \+ 18\) \/ \(-3\*e\*u \+ i\*u \+ u\^2 - 15\*e \+ 5\*i \+ 5\*u\)/);
    assert.match(text, /rational form: \(-e\*i \+ 2\*e\*u - i\*u - 2\*u\) \/ \(e\*u\)/);
    assert.equal((text.match(/rational form:/g) ?? []).length, 2);
    assert.equal((text.match(/simplified \(\d+ nodes\)/g) ?? []).length, 4);
  });
});
