import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

/**
 * From a real (tiny) search to every export target: the best.json is the one
 * `autoloss search` writes today, so a change of its format shows up here.
 */
describe('autoloss export of a finished search (end to end)', () => {
  let dir = '';
  let best: { domain: string; best: { prefix: string; fitness: number }[] };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoloss-export-search-'));
    const flags = ['--population', '6', '--parents', '3', '--elite', '1', '--generations', '1', '--train-top', '1', '--proxy-steps', '4', '--proxy-images', '16', '--proxy-val-images', '16', '--baseline-seeds', '0'];
    const r = cli(['search', '-d', 'reg', '--seed-builtins', ...flags, '--out', join(dir, 'search'), '--cache-dir', join(dir, 'cache')], { timeout: 600_000 });
    assert.equal(r.code, 0, r.stderr);
    best = JSON.parse(readFileSync(join(dir, 'search', 'best.json'), 'utf8'));
    assert.ok(best.best.length >= 2, `the search kept ${best.best.length} losses`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should export its two best losses, by rank, to mmdet, pytorch, tfjs and latex', () => {
    const path = join(dir, 'search', 'best.json');
    for (const to of ['mmdet', 'pytorch', 'tfjs', 'latex']) {
      const r = cli(['export', path, '--to', to, '--top', '2']);
      assert.equal(r.code, 0, `${to}: ${r.stderr}`);
    }
    const out = join(dir, 'search', 'export');
    const files = readdirSync(out);
    for (const f of ['rank1.py', 'rank2.py', 'rank1.ts', 'rank2.ts', 'losses.tex', 'searched_reg_rank1.py', 'searched_reg_rank2_cascade_rcnn.py']) assert.ok(files.includes(f), `${f} missing from ${files.join(' ')}`);
    best.best.slice(0, 2).forEach((b, k) => {
      const escaped = b.prefix.replace(/[()]/g, '\\$&');
      assert.match(readFileSync(join(out, `rank${k + 1}.py`), 'utf8'), new RegExp(`^# prefix: ${escaped}$`, 'm'));
      assert.match(readFileSync(join(out, `searched_reg_rank${k + 1}.py`), 'utf8'), new RegExp(`^# prefix: ${escaped}$`, 'm'));
    });
    const tex = readFileSync(join(out, 'losses.tex'), 'utf8');
    assert.match(tex, new RegExp(`Rank 1 \\(fitness ${Number(best.best[0]!.fitness.toPrecision(4))}\\)`.replace(/\./g, '\\.')));
    // The table compiles in a paper.
    writeFileSync(join(out, 'paper.tex'), `\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{booktabs}\n\\begin{document}\n${tex}\\end{document}\n`);
    const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'paper.tex'], { cwd: out, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout.split('\n').filter((l) => l.startsWith('!')).join('\n'));
  });
});
