import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { numpyMean } from '../../src/metrics/numpy-mean.js';

// Expected values printed by numpy 1.24's np.mean for the same vectors.
const vector = (n: number) => Array.from({ length: n }, (_, i) => ((i * 7919) % 1013) / 1013 + 1e-3 * i);

describe('numpyMean', () => {
  it('should sum in numpy’s pairwise order, which differs from a running sum', () => {
    assert.equal(numpyMean(vector(5)), 0.4367482724580453);
    assert.equal(numpyMean(vector(100)), 0.5495197433366239);
    assert.equal(numpyMean(vector(1000)), 0.9998810463968411);
    assert.equal(numpyMean(vector(20000)), 10.499075222112536);
    const naive = vector(20000).reduce((a, b) => a + b, 0) / 20000;
    assert.notEqual(naive, 10.499075222112536);
  });
});
