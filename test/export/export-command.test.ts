import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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

describe('autoloss export --to mmdet, latex and from a search (CLI)', () => {
  let dir = '';
  before(() => (dir = mkdtempSync(join(tmpdir(), 'autoloss-export-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const best = (content: unknown): string => {
    const p = join(dir, `best-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };
  // As src/cli/commands/search.ts writes it: best first, with fitness and metric.
  const search = {
    domain: 'reg',
    generations: 3,
    best: [
      { fitness: 0.61, metric: 'AP', prefix: 'Add(Sub(1,Div(I,U)),Div(Sub(E,U),E))', infix: '1 - i/u + (e - u)/e' },
      { fitness: 0.55, metric: 'AP', prefix: 'Sub(1,Div(I,U))', infix: '1 - i/u' },
      { fitness: 0.2, metric: 'AP', prefix: 'Log(U)', infix: 'log(u)' },
    ],
  };

  it('should write the module and a config per detector that takes the loss', () => {
    const out = join(dir, 'mm');
    const r = cli(['export', 'autoloss-a-cls', '--to', 'mmdet', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(out).sort(), ['autoloss_a_cls.py', 'autoloss_a_cls_cascade_rcnn.py', 'autoloss_a_cls_faster_rcnn.py']);
    assert.match(readFileSync(join(out, 'autoloss_a_cls.py'), 'utf8'), /@_REGISTRY\.register_module\(name="AutolossACls"\)\nclass AutolossACls\(nn\.Module\):/);
    assert.match(r.stdout, /wrote .*autoloss_a_cls_faster_rcnn\.py/);
  });

  it('should export the top K of a search by rank, to every target', () => {
    const path = best(search);
    for (const to of ['pytorch', 'tfjs', 'mmdet', 'latex']) {
      const out = join(dir, `top-${to}`);
      const r = cli(['export', path, '--to', to, '--top', '2', '--out', out]);
      assert.equal(r.code, 0, `${to}: ${r.stderr}`);
      const files = readdirSync(out).sort();
      if (to === 'pytorch') assert.deepEqual(files, ['rank1.py', 'rank2.py']);
      if (to === 'tfjs') assert.deepEqual(files, ['rank1.ts', 'rank2.ts']);
      if (to === 'mmdet') assert.equal(files.filter((f) => /^searched_reg_rank[12]\.py$/.test(f)).length, 2, files.join(' '));
      if (to === 'latex') assert.deepEqual(files, ['losses.tex']);
    }
    assert.match(readFileSync(join(dir, 'top-pytorch', 'rank1.py'), 'utf8'), /# prefix: Add\(Sub\(1,Div\(I,U\)\),Div\(Sub\(E,U\),E\)\)/);
    assert.match(readFileSync(join(dir, 'top-pytorch', 'rank2.py'), 'utf8'), /class SearchedRegRank2\(nn\.Module\)/);
    const tex = readFileSync(join(dir, 'top-latex', 'losses.tex'), 'utf8');
    assert.match(tex, /Rank 1 \(AP 0\.61\) & \$\\displaystyle 1-\\frac\{i\}\{u\}\+\\frac\{e-u\}\{e\}\$/);
    assert.doesNotMatch(tex, /Rank 3/);
  });

  it('should order by an explicit rank field when every entry has one', () => {
    const path = best({ domain: 'reg', best: [{ rank: 2, prefix: 'Log(U)' }, { rank: 1, prefix: 'Sub(1,Div(I,U))' }] });
    const out = join(dir, 'ranked');
    assert.equal(cli(['export', path, '--to', 'pytorch', '--out', out]).code, 0);
    assert.match(readFileSync(join(out, 'rank1.py'), 'utf8'), /# prefix: Sub\(1,Div\(I,U\)\)/);
  });

  const refusals: [string, unknown, RegExp][] = [
    ['not JSON', '{"domain": "reg", ', /is not valid JSON/],
    ['no domain', { best: search.best }, /field "domain" must be one of multi, binary, reg \(missing\)/],
    ['a bad domain', { domain: 'cls', best: search.best }, /field "domain" must be one of multi, binary, reg, not "cls"/],
    ['no best', { domain: 'reg' }, /field "best" must be an array of losses \(missing\)/],
    ['an empty best', { domain: 'reg', best: [] }, /field "best" is empty/],
    ['an entry without prefix', { domain: 'reg', best: [search.best[0], { fitness: 1 }] }, /best\[1\]\.prefix must be a non-empty string .*missing/],
    ['a prefix of another domain', { domain: 'reg', best: [{ prefix: 'Log(Sig(X))' }] }, /best\[0\]\.prefix does not parse in domain reg/],
    ['a fitness that is not a number', { domain: 'reg', best: [{ prefix: 'Log(U)', fitness: 'high' }] }, /best\[0\]\.fitness must be a number/],
    ['a repeated rank', { domain: 'reg', best: [{ prefix: 'Log(U)', rank: 1 }, { prefix: 'U', rank: 1 }] }, /best\[1\]\.rank 1 appears twice/],
  ];
  for (const [what, content, message] of refusals)
    it(`should refuse a best.json with ${what}, exit 2, and write nothing`, () => {
      const out = join(dir, `refused-${what.replace(/\W+/g, '-')}`);
      const r = cli(['export', best(content), '--to', 'mmdet', '--out', out]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(existsSync(out), false);
    });

  it('should refuse a missing best.json, naming it', () => {
    const r = cli(['export', join(dir, 'nowhere', 'best.json'), '--to', 'latex']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /search result .*nowhere\/best\.json does not exist/);
  });

  it('should refuse a loss whose domain does not fit the slot or the detector, with exit 2', () => {
    const reg = cli(['export', 'autoloss-a-reg', '--to', 'mmdet', '--slot', 'loss_cls', '--out', join(dir, 'no')]);
    assert.equal(reg.code, 2);
    assert.match(reg.stderr, /'autoloss-a-reg' is a reg loss: it fills loss_bbox, not --slot loss_cls/);
    const det = cli(['export', 'autoloss-b-cls', '--to', 'mmdet', '--detector', 'cascade-rcnn', '--out', join(dir, 'no')]);
    assert.equal(det.code, 2);
    assert.match(det.stderr, /binary loss, but Cascade R-CNN's loss_cls takes a multi loss/);
    const fromSearch = cli(['export', best(search), '--to', 'pytorch', '--slot', 'loss_cls', '--out', join(dir, 'no')]);
    assert.equal(fromSearch.code, 2);
    assert.match(fromSearch.stderr, /\(domain reg\) is a reg loss: it fills loss_bbox, not --slot loss_cls/);
    assert.equal(existsSync(join(dir, 'no')), false);
  });

  it('should refuse an unknown --to, with exit 2', () => {
    const r = cli(['export', 'iou', '--to', 'onnx']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--to <target>' argument 'onnx' is invalid\. expected one of pytorch, tfjs, mmdet, latex/);
  });

  it('should print LaTeX in the asked form, and refuse a rational form that does not exist', () => {
    const r = cli(['export', 'autoloss-b-reg', '--to', 'latex', '--form', 'rational']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '\\frac{3eu+12e+3i+3u+18}{-3eu+iu+u^{2}-15e+5i+5u}\n');
    const bad = cli(['export', 'ce', '--to', 'latex', '--form', 'rational']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /'ce' is not a rational function of its inputs/);
  });
});
