import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'autoloss-simplify-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('autoloss simplify', () => {
  it('should print the rational form of Autoloss-B reg as JSON, exactly as published', () => {
    const r = cli(['simplify', 'autoloss-b-reg', '--form', 'rational', '--to', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { numerator: '3*e*u + 12*e + 3*i + 3*u + 18', denominator: '-3*e*u + i*u + u^2 - 15*e + 5*i + 5*u' });
  });

  it('should print each form in each syntax', () => {
    assert.equal(cli(['simplify', '1 - i/u', '--form', 'rational']).stdout, '(-i + u) / u\n');
    assert.equal(cli(['simplify', 'Sub(1,Sig(X))', '-d', 'binary']).stdout, 'sig(-x)\n');
    assert.equal(cli(['simplify', 'Sub(1,Sig(X))', '-d', 'binary', '--to', 'prefix']).stdout, 'Sig(Neg(X))\n');
    assert.match(cli(['simplify', 'autoloss-b-reg', '--form', 'rational', '--to', 'latex']).stdout, /^\\frac\{3eu\+12e\+3i\+3u\+18\}/);
    const c = JSON.parse(cli(['simplify', '(u - i)/u', '--form', 'canonical', '--json']).stdout) as { hash: string };
    assert.equal(c.hash, (JSON.parse(cli(['simplify', '1 - i/u', '--form', 'canonical', '--json']).stdout) as { hash: string }).hash);
    assert.match(cli(['simplify', 'Div(Mul(U,I),U)', '--explain']).stdout, /^i\nrules: .*\nwhere u ≠ 0\n$/);
  });

  it('should run a cases file in case order, with an error object for a bad case', () => {
    const cases = (JSON.parse(readFileSync(fixture('rational-forms.json'), 'utf8')) as { cases: { expr: string }[] }).cases;
    const file = join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify({ cases: [...cases.slice(0, 3), { expr: 'Div(I,Sub(U,U))' }, { expr: 'Add(U,' }, { nope: 1 }] }));
    const r = cli(['simplify', '--cases', file, '--form', 'rational', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { results: ({ numerator: string; denominator: string } | { error: string })[] };
    assert.equal(out.results.length, 6);
    assert.deepEqual(out.results[2], { numerator: '-e*u + 6', denominator: '3*e' });
    assert.match((out.results[3] as { error: string }).error, /divisor u - u is identically zero/);
    assert.match((out.results[4] as { error: string }).error, /column/);
    assert.match((out.results[5] as { error: string }).error, /cases\[5\]\.expr must be a string/);
  });

  it('should reject bad input with exit 2 and one clear line', () => {
    for (const [args, message] of [
      [['simplify', 'Div(I,Sub(U,U))', '--form', 'rational'], /no rational form: division by zero: the divisor u - u is identically zero/],
      [['simplify', 'Add(U,'], /column/],
      [['simplify', 'u', '--form', 'exact'], /expected one of simplified, rational, canonical/],
      [['simplify', '--cases', join(dir, 'missing.json')], /cases file .*missing\.json does not exist/],
      [['simplify'], /missing expression/],
    ] as const) {
      const r = cli([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});
