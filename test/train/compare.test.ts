import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { compare, formatTable, meanStd, namedCombo, reportHtml, summarizeCombo, svgChart } from '../../src/train/compare.js';
import { DEFAULT_TRAIN } from '../../src/train/trainer.js';
import { tinyDataset } from './_tiny-dataset.js';

describe('meanStd', () => {
  it('gives the mean and the sample standard deviation', () => {
    const [m, s] = meanStd([0.5, 0.6, 0.7]);
    assert.ok(Math.abs(m - 0.6) < 1e-12 && Math.abs(s - 0.1) < 1e-12);
    assert.deepEqual(meanStd([0.3]), [0.3, 0]);
  });
});

describe('formatTable', () => {
  it('prints AP, AP50, AP75, APs/m/l as mean ± std per combination with its runs', () => {
    const stats = (ap: number) => [ap, ap + 0.2, ap + 0.1, ap - 0.1, ap, ap + 0.05, 0, 0, 0, 0, 0, 0];
    const combo = namedCombo('default', 'fcos')!;
    const recipe = { centernessTarget: 'iou' as const, regWeight: 1 };
    const r = { detector: 'fcos' as const, data: 'synthetic', recipe: 'cse-autoloss' as const, combos: [summarizeCombo(combo, [0.4, 0.5].map((ap, seed) => ({ combo: 'default', seed, dir: `runs/default/seed${seed}`, stats: stats(ap) })), recipe)] };
    const t = formatTable(r);
    assert.match(t, /losses\s+AP\s+AP50\s+AP75\s+APs\s+APm\s+APl/);
    assert.match(t, /default\s+0\.450 ± 0\.071\s+0\.650 ± 0\.071/);
    assert.match(t, /runs runs\/default\/seed0, runs\/default\/seed1/);
    assert.match(t, /cls focal, reg giou/);
    assert.match(t, /^recipe cse-autoloss: centerness target iou, reg weight 1$/m);
  });
});

describe('namedCombo', () => {
  it('maps default and published to each detector family', () => {
    assert.deepEqual(namedCombo('published', 'faster-rcnn'), { name: 'published', cls: 'autoloss-a-cls', reg: 'autoloss-a-reg' });
    assert.deepEqual(namedCombo('published', 'atss'), { name: 'published', cls: 'autoloss-b-cls', reg: 'autoloss-b-reg' });
    assert.deepEqual(namedCombo('default', 'faster-rcnn'), { name: 'default', cls: 'ce', reg: 'l1' });
    assert.equal(namedCombo('mine', 'fcos'), undefined);
  });
});

describe('svgChart', () => {
  it('draws one polyline per series with a legend', () => {
    const svg = svgChart('loss', [{ name: 'a', points: [[1, 2], [2, 1]] }, { name: 'b<c', points: [[1, 3], [2, 2.5]] }], 'loss');
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.match(svg, /b&lt;c/);
  });
});

describe('compare', () => {
  let data = '';
  before(() => {
    data = tinyDataset();
  });
  it('trains every combination × seed in its own folder and writes the table, JSON and report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cmp-'));
    const base = { ...DEFAULT_TRAIN, data, steps: 1, batch: 2, imageSize: 64, backend: 'wasm' as const, warmup: 0, evalEvery: 0 };
    const r = await compare({ detector: 'fcos', combos: [namedCombo('default', 'fcos')!, namedCombo('published', 'fcos')!], seeds: [0, 1], base, out, quiet: true });
    assert.deepEqual(r.combos.map((c) => c.runs.map((x) => x.dir)), [
      [join(out, 'default', 'seed0'), join(out, 'default', 'seed1')],
      [join(out, 'published', 'seed0'), join(out, 'published', 'seed1')],
    ]);
    for (const c of r.combos) for (const run of c.runs) assert.ok(existsSync(join(run.dir, 'eval.json')));
    assert.match(readFileSync(join(out, 'table.txt'), 'utf8'), /published/);
    // Both arms train under the one recipe, and each run records it.
    assert.deepEqual(r.combos.map((c) => c.recipe), [{ centernessTarget: 'centerness', regWeight: 1 }, { centernessTarget: 'centerness', regWeight: 1 }]);
    for (const c of r.combos)
      for (const run of c.runs) {
        const rec = JSON.parse(readFileSync(join(run.dir, 'run.json'), 'utf8'));
        assert.deepEqual(rec.recipe, { name: 'mmdet', centernessTarget: 'centerness', regWeight: 1 });
        assert.deepEqual(rec.losses, { cls: c.combo.cls, reg: c.combo.reg });
        assert.equal(rec.seed, run.seed);
      }
    const html = reportHtml(r);
    assert.match(html, /<table class="compare">/);
    // With one evaluation per run (evalEvery 0) there is no AP curve to draw, only the loss curves.
    assert.equal((html.match(/<svg/g) ?? []).length, 1);
    // A second call reads the finished runs instead of training again.
    const again = await compare({ detector: 'fcos', combos: [namedCombo('default', 'fcos')!], seeds: [0], base, out, quiet: true });
    assert.deepEqual(again.combos[0]!.runs[0]!.stats, r.combos[0]!.runs[0]!.stats);
  });
});
