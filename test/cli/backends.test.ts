import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

describe('autoloss backends', () => {
  it('should say which backend auto picks and why, and list the packages', () => {
    const r = cli(['backends', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { backend: string; reason: string; packages: { pkg: string; version: string | null }[] };
    assert.ok(['tensorflow', 'webgpu', 'wasm', 'cpu'].includes(out.backend));
    assert.ok(out.reason.length > 10);
    assert.deepEqual(out.packages.map((p) => p.pkg), ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    const text = cli(['backends']);
    assert.match(text.stdout, /^backend: \w+ \(auto\)\nwhy: /);
  });

  it('should start a backend asked for by name, and reject an unknown one with exit 2', () => {
    assert.match(cli(['backends', '--check', 'cpu']).stdout, /^backend: cpu\nwhy: requested cpu/);
    const bad = cli(['backends', '--check', 'gpu']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected one of auto, tensorflow, webgpu, wasm, cpu/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /);
  });
});
