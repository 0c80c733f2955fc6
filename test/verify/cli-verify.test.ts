import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

describe('autoloss verify', () => {
  it('should pass the published losses and baselines by default, exit 0', () => {
    const r = cli(['verify', '--runs', '100']);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['autoloss-a-cls', 'autoloss-a-reg', 'autoloss-b-cls', 'autoloss-b-reg', 'ce', 'focal', 'iou', 'giou']) assert.match(r.stdout, new RegExp(`${name}  \\(`));
    assert.match(r.stdout, /gradient-without-overlap\s+warn/);
    assert.match(r.stdout, /all pass/);
  });

  it('should exit 1 with the failing property and its counterexample in JSON', () => {
    const r = cli(['verify', 'Div(1,Sub(U,I))', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout) as { pass: boolean; losses: { verdict: string; domain: string; properties: { name: string; status: string; counterexample?: { inputs: object; value: number[]; gradient: object } }[] }[] };
    assert.equal(out.pass, false);
    const m = out.losses[0]!.properties.find((p) => p.name === 'monotone-in-iou')!;
    assert.equal(m.status, 'fail');
    assert.ok(m.counterexample && m.counterexample.value.length > 0 && 'U' in m.counterexample.inputs);
  });

  it('should run the simulation and the chosen properties only', () => {
    const r = cli(['verify', 'Log(Sig(X))', '-d', 'binary', '--properties', 'negatives-push-down', '--simulate', '--json']);
    assert.equal(r.code, 1, r.stderr);
    const v = (JSON.parse(r.stdout) as { losses: { properties: { name: string; status: string }[]; simulation: { pass: boolean } }[] }).losses[0]!;
    assert.deepEqual(v.properties.map((p) => [p.name, p.status]), [['negatives-push-down', 'pass']]);
    assert.equal(v.simulation.pass, false);
  });

  it('should exit 2 with a clear message on bad input, and no stack', () => {
    const bad = cli(['verify', 'Div(I,']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /column/);
    assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
    const prop = cli(['verify', 'iou', '--properties', 'monotone']);
    assert.equal(prop.code, 2);
    assert.match(prop.stderr, /unknown property 'monotone'/);
    const dom = cli(['verify', 'ce', '--domain', 'reg']);
    assert.equal(dom.code, 2);
    assert.match(dom.stderr, /domain multi, not reg/);
    const runs = cli(['verify', 'iou', '--runs', '0']);
    assert.equal(runs.code, 2);
  });
});
