import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

describe('autoloss export (CLI)', () => {
  it('should print a PyTorch module named after the built-in', () => {
    const r = cli(['export', 'autoloss-b-reg', '--to', 'pytorch']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^class AutolossBReg\(nn\.Module\):$/m);
    assert.match(r.stdout, /def forward\(self, pred, target, weight=None, avg_factor=None, reduction_override=None\):/);
  });
  it('should print a tfjs function with the given name', () => {
    const r = cli(['export', '-dot(y, log(softmax(x)))', '--to', 'tfjs', '--name', 'myCe']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /export function myCe\(clsScore: tf\.Tensor2D, label: tf\.Tensor1D, iou: tf\.Tensor1D/);
    assert.match(r.stdout, /export function myCeElementwise\(X: tf\.Tensor, Y: tf\.Tensor, Z: tf\.Tensor\): tf\.Tensor/);
  });
  it('should refuse a name that would inject code, with exit 2 and no output', () => {
    const r = cli(['export', 'iou', '--to', 'pytorch', '--name', 'X(nn.Module):\n  import os']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--name .* is not an identifier/);
  });
  it('should import tf from the chosen tfjs package', () => {
    const r = cli(['export', 'giou', '--to', 'tfjs', '--tf-package', '@tensorflow/tfjs-node-gpu']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^import \* as tf from '@tensorflow\/tfjs-node-gpu';$/m);
    assert.equal(cli(['export', 'giou', '--to', 'tfjs', '--tf-package', 'left-pad']).code, 2);
  });
  it('should require --to', () => {
    const r = cli(['export', 'iou']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--to/);
  });
});
