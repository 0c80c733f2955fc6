import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { assertClose } from '../helpers/close.js';
import { fixture } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'autoloss-eval-'));

describe('autoloss eval', () => {
  it('should evaluate every fixture case through --cases in case order', () => {
    const path = fixture('reference-values.json');
    const r = cli(['eval', '--cases', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { results } = JSON.parse(r.stdout) as { results: { shape?: number[]; output?: (number | string)[]; error?: string }[] };
    const { cases } = JSON.parse(readFileSync(path, 'utf8')) as { cases: { shape: number[]; output: (number | string)[] }[] };
    assert.equal(results.length, cases.length);
    results.forEach((res, k) => {
      assert.equal(res.error, undefined, `case ${k}`);
      assert.deepEqual(res.shape, cases[k]!.shape);
      assertClose(res.output!, cases[k]!.output, `case ${k}`);
    });
  });

  it('should report a bad case as an error entry and keep going', () => {
    const path = join(dir, 'cases.json');
    writeFileSync(path, JSON.stringify({ cases: [{ domain: 'reg', expr: 'Div(I,', inputs: { I: [1] } }, { domain: 'reg', expr: 'Div(I,U)', inputs: { I: [1], U: [4] } }] }));
    const r = cli(['eval', '--cases', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const { results } = JSON.parse(r.stdout) as { results: { error?: string; output?: number[] }[] };
    assert.match(results[0]!.error!, /column 7/);
    assert.deepEqual(results[1]!.output, [0.25]);
  });

  it('should evaluate an expression on an input file and write non-finite values as strings', () => {
    const path = join(dir, 'in.json');
    writeFileSync(path, JSON.stringify({ U: [1, 0, -1], I: [1, 0, 0] }));
    const r = cli(['eval', 'Add(Sqrt(U),Div(I,U))', '--domain', 'reg', '--input', path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { domain: 'reg', shape: [3], output: [2, 0, 'NaN'] });
  });

  it('should name the field of a malformed input file and exit 2', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ X: [[1, 2], [3]] }));
    const r = cli(['eval', 'Sig(X)', '--domain', 'binary', '--input', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /input\.X\[1\] must be an array of 2 numbers/);
    const missing = cli(['eval', 'Sig(X)', '--input', join(dir, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does not exist/);
    const notJson = join(dir, 'text.json');
    writeFileSync(notJson, '{ nope');
    assert.match(cli(['eval', 'Sig(X)', '--input', notJson]).stderr, /is not valid JSON/);
  });
});
