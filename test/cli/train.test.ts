import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { tinyDataset } from '../train/_tiny-dataset.js';

// One step on four 64×64 images: these check the command line's plumbing, not learning.
const cheap = ['--steps', '1', '--batch', '2', '--size', '64', '--backend', 'wasm', '--quiet'];

describe('autoloss train: the two-stage detectors with typed losses', () => {
  let data = '';
  before(() => {
    data = tinyDataset();
  });

  const firstStep = (out: string): Record<string, number> =>
    readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((m) => m.type === 'step');

  // Expressions typed on the command line, not built-in names: 2 × CE and 3 × GIoU written out. The first
  // step sees the same weights and samples as a run with ce + giou, so every stage's terms scale by 2 and 3.
  it('cascade-rcnn trains with typed multi and reg expressions, which every stage uses', () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-two-stage-'));
    const cls = 'Mul(2,Neg(Dot(Y,Log(Softmax(X)))))', reg = 'Mul(3,Add(Sub(1,Div(I,U)),Div(Sub(E,U),E)))';
    const typed = cli(['train', '--detector', 'cascade-rcnn', '--cls-loss', cls, '--reg-loss', reg, '--data', data, '--out', join(root, 'typed'), ...cheap]);
    assert.equal(typed.code, 0, typed.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(root, 'typed', 'run.json'), 'utf8')).losses, { cls, reg });
    assert.equal(JSON.parse(readFileSync(join(root, 'typed', 'eval.json'), 'utf8')).stats.length, 12);
    const named = cli(['train', '--detector', 'cascade-rcnn', '--cls-loss', 'ce', '--reg-loss', 'giou', '--data', data, '--out', join(root, 'named'), ...cheap]);
    assert.equal(named.code, 0, named.stderr);
    const a = firstStep(join(root, 'typed')), b = firstStep(join(root, 'named'));
    for (const k of [1, 2, 3]) {
      for (const [term, factor] of [['cls', 2], ['reg', 3]] as const) {
        const t = `s${k}_${term}`;
        assert.ok(b[t]! > 0, `${t} is ${b[t]}`);
        assert.ok(Math.abs(a[t]! - factor * b[t]!) <= 1e-4 * factor * b[t]!, `${t}: ${a[t]} vs ${factor} × ${b[t]}`);
      }
    }
    assert.equal(a.rpn_cls, b.rpn_cls);
  });

  it('mask-rcnn trains with typed multi and reg expressions and reports segm', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-two-stage-')), 'run');
    const cls = 'Neg(Dot(Mul(Y,Add(1,Mul(0.5,Z))),Log(Softmax(X))))', reg = 'Sub(1,Div(I,U))';
    const r = cli(['train', '--detector', 'mask-rcnn', '--cls-loss', cls, '--reg-loss', reg, '--data', data, '--out', out, ...cheap]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).losses, { cls, reg });
    const step = firstStep(out);
    for (const t of ['cls', 'reg', 'mask']) assert.ok(Number.isFinite(step[t]) && step[t]! > 0, `${t} in ${JSON.stringify(step)}`);
    const ev = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    assert.equal(ev.stats.length, 12);
    assert.equal(ev.segm_stats.length, 12);
    assert.match(r.stdout, /^segm AP \d\.\d{3}/m);
  });

  const wrong = [
    { args: ['--detector', 'cascade-rcnn', '--cls-loss', 'focal'], message: /classification loss.*'focal' is a binary loss; expected a multi loss/ },
    { args: ['--detector', 'mask-rcnn', '--cls-loss', 'Neg(Mul(PY,Log(Sig(X))))'], message: /classification loss \(domain multi\).*column 9: input 'PY' is not in domain multi/ },
    { args: ['--detector', 'cascade-rcnn', '--reg-loss', 'Neg(Log(Sig(X)))'], message: /regression loss.*column 13: input 'X' is not in domain reg/ },
    { args: ['--detector', 'mask-rcnn', '--reg-loss', 'autoloss-a-cls'], message: /regression loss.*'autoloss-a-cls' is a multi loss; expected a reg loss/ },
  ];
  for (const w of wrong) {
    it(`${w.args.join(' ')}: exit 2, the expected domain named, no run folder`, () => {
      const out = join(mkdtempSync(join(tmpdir(), 'cli-two-stage-')), 'run');
      const r = cli(['train', ...w.args, '--data', data, '--out', out, ...cheap]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, w.message);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
      assert.ok(!existsSync(out));
    });
  }
});

describe('autoloss train --frozen-stages', () => {
  let data = '';
  before(() => {
    data = tinyDataset();
  });

  it('is recorded in run.json, -1 by default for a randomly initialised backbone', () => {
    const root = mkdtempSync(join(tmpdir(), 'cli-frozen-'));
    const dflt = cli(['train', '--data', data, '--out', join(root, 'a'), ...cheap]);
    assert.equal(dflt.code, 0, dflt.stderr);
    assert.equal(JSON.parse(readFileSync(join(root, 'a', 'run.json'), 'utf8')).frozenStages, -1);
    const given = cli(['train', '--frozen-stages', '3', '--data', data, '--out', join(root, 'b'), ...cheap]);
    assert.equal(given.code, 0, given.stderr);
    assert.equal(JSON.parse(readFileSync(join(root, 'b', 'run.json'), 'utf8')).frozenStages, 3);
    // A resumed run keeps its own frozen stages.
    const resumed = cli(['train', '--resume', join(root, 'b'), '--frozen-stages', '1']);
    assert.equal(resumed.code, 2);
    assert.match(resumed.stderr, /drop --frozen-stages/);
  });

  for (const bad of ['5', '-2', '1.5', 'stem']) {
    it(`rejects ${bad} (exit 2, the allowed values named)`, () => {
      const out = join(mkdtempSync(join(tmpdir(), 'cli-frozen-')), 'run');
      const r = cli(['train', '--frozen-stages', bad, '--data', data, '--out', out, ...cheap]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--frozen-stages.*expected one of -1, 0, 1, 2, 3, 4/);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
      assert.ok(!existsSync(out));
    });
  }
});
