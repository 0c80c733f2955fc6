import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

describe('autoloss parse', () => {
  it('should print a built-in loss in infix', () => {
    const r = cli(['parse', 'autoloss-a-reg', '--to', 'infix']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1 + -(i / u + -((e + -(i + 2)) / e))\n');
  });

  it('should accept an infix expression that starts with a minus sign', () => {
    const r = cli(['parse', '-dot(y*(1+sin(w)), log(softmax(x)))']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Neg(Dot(Mul(Y,Add(1,Sin(Z))),Log(Softmax(X))))\n');
  });

  it('should print JSON with the inferred domain', () => {
    const r = cli(['parse', '1 - i/u', '--to', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { domain: string; prefix: string; size: number; tree: unknown };
    assert.equal(j.domain, 'reg');
    assert.equal(j.prefix, 'Sub(1,Div(I,U))');
    assert.equal(j.size, 5);
    assert.deepEqual(j.tree, { op: 'Sub', args: [{ const: '1' }, { op: 'Div', args: [{ input: 'I' }, { input: 'U' }] }] });
  });

  it('should print an indented tree', () => {
    const r = cli(['parse', 'Add(X,Neg(Q))', '--to', 'tree']);
    assert.equal(r.stdout, 'Add\n  X\n  Neg\n    Q\n');
  });

  it('should exit 2 with the column and a caret on a parse error, and print nothing on stdout', () => {
    const r = cli(['parse', 'Add(X,Foo(Y))']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^autoloss: column 7: unknown operator 'Foo'\n  Add\(X,Foo\(Y\)\)\n {8}\^\n$/);
    assert.doesNotMatch(r.stderr, /at .*\.js/);
  });

  it('should exit 2 on an input that is not in the requested domain', () => {
    const r = cli(['parse', 'Mul(Q,X)', '--domain', 'multi']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /column 5: input 'Q' is not in domain multi/);
  });

  it('should exit 2 on a bad flag value and 0 on --help', () => {
    assert.equal(cli(['parse', 'X', '--to', 'yaml']).code, 2);
    const h = cli(['parse', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Usage: autoloss parse/);
  });

  it('should exit 2 for an unknown command', () => {
    const r = cli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command/);
  });
});
