import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Params } from '../../src/detect/params.js';
import { tf } from '../../src/detect/tf.js';
import { SeededRng as Rng } from '../../src/util/rng.js';

describe('Params', () => {
  it('should give two live detectors distinct variable names, and reuse a disposed one\'s', () => {
    const a = new Params(new Rng(0));
    const b = new Params(new Rng(0));
    a.conv('head', 3, 2, 4);
    b.conv('head', 3, 2, 4);
    const na = a.entries().map(([, v]) => v.name);
    const nb = b.entries().map(([, v]) => v.name);
    assert.equal(new Set([...na, ...nb]).size, 4, `${na} / ${nb}`);
    // The same seed gives the same weights whatever the variable is called.
    assert.deepEqual(a.get('head.w').dataSync(), b.get('head.w').dataSync());
    a.dispose();
    const c = new Params(new Rng(1));
    c.conv('head', 3, 2, 4);
    assert.deepEqual(c.entries().map(([, v]) => v.name), na);
    assert.ok(c.entries().every(([, v]) => v.name in tf.engine().registeredVariables));
    b.dispose();
    c.dispose();
  });
});
