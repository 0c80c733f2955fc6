import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

describe('autoloss diff', () => {
  it('should print the simplified derivative in each syntax', () => {
    assert.equal(cli(['diff', 'Log(Sig(X))', '--wrt', 'X', '-d', 'binary']).stdout, 'sig(-x)\n');
    assert.equal(cli(['diff', 'i/u', '--wrt', 'i']).stdout, '1 / u\n');
    assert.equal(cli(['diff', 'i/u', '--wrt', 'I', '--to', 'prefix']).stdout, 'Div(1,U)\n');
    const j = JSON.parse(cli(['diff', 'iou', '--wrt', 'u', '--to', 'json']).stdout) as { wrt: string; infix: string };
    assert.equal(j.wrt, 'U');
    assert.equal(j.infix, 'i / (u * u)');
  });

  it('should name the inputs of the domain when --wrt is not one of them', () => {
    const r = cli(['diff', 'iou', '--wrt', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--wrt x: not an input of domain reg; its inputs are U \(u\), I \(i\), E \(e\)/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
