import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { texReportSource } from '../../src/render/report/tex.js';
import { cli } from '../helpers/cli.js';

/** A comparison as autoloss compare writes it (only what the table reads matters here). */
const COMPARISON = {
  detector: 'fcos',
  data: 'synthetic',
  recipe: 'mmdet',
  combos: [
    { combo: { name: 'default', cls: 'focal', reg: 'giou' }, runs: [{ seed: 0 }, { seed: 1 }], mean: [0.412, 0.7, 0.4, 0.2, 0.4, 0.5], std: [0.011, 0.02, 0, 0, 0, 0] },
    { combo: { name: 'published', cls: 'autoloss-b-cls', reg: 'autoloss-b-reg' }, runs: [{ seed: 0 }, { seed: 1 }], mean: [0.431, 0.69, 0.45, 0.2, 0.4, 0.5], std: [0.004, 0, 0, 0, 0, 0] },
  ],
};

/** Runs pdflatex as a user would; returns its exit code and log. */
function pdflatex(dir: string, file = 'report.tex'): { code: number; log: string } {
  const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', file], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  const logPath = join(dir, file.replace(/\.tex$/, '.log'));
  return { code: r.status ?? -1, log: existsSync(logPath) ? readFileSync(logPath, 'latin1') : `${r.stdout}\n${r.stderr}` };
}

describe('autoloss report --to tex', () => {
  let dir = '';
  before(() => {
    for (const tool of ['pdflatex', 'pdftoppm']) {
      const probe = spawnSync(tool, ['-v'], { encoding: 'utf8' });
      assert.ok(!probe.error, `${tool} is missing: install Debian's texlive-latex-base, texlive-latex-recommended, texlive-latex-extra and poppler-utils (scripts/system-deps.sh does)`);
    }
    dir = mkdtempSync(join(tmpdir(), 'autoloss-tex-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should write a document that pdflatex compiles without errors or undefined control sequences, page 1 rendered by pdftoppm', () => {
    writeFileSync(join(dir, 'compare.json'), JSON.stringify(COMPARISON));
    const out = join(dir, 'report');
    const r = cli(['report', '--to', 'tex', '--out', out, '--compare', join(dir, 'compare.json'), 'autoloss-a-cls', 'autoloss-a-reg', 'autoloss-b-cls', 'autoloss-b-reg', 'relu(1 - i/u) + 0.5*(e - u)/e'], { timeout: 300_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(out, 'report.tex'));
    const { code, log } = pdflatex(out);
    const errors = log.split('\n').filter((l) => l.startsWith('!'));
    assert.equal(code, 0, `pdflatex failed:\n${errors.join('\n')}`);
    assert.deepEqual(errors, []);
    assert.doesNotMatch(log, /Undefined control sequence/);
    assert.doesNotMatch(log, /LaTeX (Warning|Error):.*undefined/i);
    // Wide formulas are scaled to the line; nothing may stick out noticeably into the margin.
    const overfull = [...log.matchAll(/Overfull \\hbox \(([\d.]+)pt too wide\)/g)].map((m) => Number(m[1]));
    assert.ok(overfull.every((w) => w < 6), `overfull boxes: ${overfull.join(', ')} pt`);
    const png = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', 'report.pdf', 'page1'], { cwd: out, encoding: 'utf8' });
    assert.equal(png.status, 0, png.stderr);
    const bytes = readFileSync(join(out, 'page1.png'));
    assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
    // A US-letter or A4 page at 60 dpi is about 500 × 700 pixels.
    const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    assert.ok(w > 400 && h > 600 && statSync(join(out, 'page1.png')).size > 10_000, `page 1: ${w}×${h}`);
  });

  it("should hold the losses in the paper's notation, their simplified and rational forms, the verdicts and the comparison", () => {
    const tex = readFileSync(join(dir, 'report', 'report.tex'), 'utf8');
    assert.match(tex, /\\usepackage\{booktabs\}/);
    assert.match(tex, /\\subsection\*\{CSE-Autoloss-B reg/);
    assert.match(tex, /L = \\frac\{3eu\+12e\+3i\+3u\+18\}\{-3eu\+iu\+u\^\{2\}-15e\+5i\+5u\}/);
    assert.match(tex, /Simplified \(assuming e \$\\neq\$ 0\):/);
    assert.match(tex, /\\operatorname\{erf\}\(\\sigma\(1-y\)\)/);
    assert.match(tex, /CSE-Autoloss-A cls & finite & pass &/);
    assert.match(tex, /\\section\*\{Training comparison\}/);
    assert.match(tex, /published & \{\\boldmath\$0\.431 \\pm 0\.004\$\}/);
    assert.match(tex, /over 2 seeds, recipe \\texttt\{mmdet\}/);
  });

  it('should give render --to tex-table output that compiles in a paper, in every form', () => {
    for (const form of ['given', 'simplified', 'rational']) {
      const exprs = form === 'rational' ? ['autoloss-a-reg', 'autoloss-b-reg', 'giou'] : ['autoloss-a-cls', 'autoloss-a-reg', 'autoloss-b-cls', 'autoloss-b-reg', 'focal'];
      const r = cli(['render', '--to', 'tex-table', '--form', form, ...exprs]);
      assert.equal(r.code, 0, r.stderr);
      const file = `table-${form}.tex`;
      writeFileSync(join(dir, file), `\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{booktabs}\n\\begin{document}\n${r.stdout}\\end{document}\n`);
      const { code, log } = pdflatex(dir, file);
      assert.equal(code, 0, `${form}: ${log.split('\n').filter((l) => l.startsWith('!')).join('\n')}`);
      assert.doesNotMatch(log, /Undefined control sequence/);
    }
  });

  it('should leave out the comparison and the verdicts when not asked', () => {
    const tex = texReportSource(['giou'], { verify: false });
    assert.doesNotMatch(tex, /Training comparison|Verification/);
    assert.match(tex, /\\subsection\*\{GIoU loss/);
  });

  it('should refuse a malformed compare.json, naming the field, and write nothing', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...COMPARISON, combos: [{ ...COMPARISON.combos[0], mean: 'high' }] }));
    const out = join(dir, 'refused');
    const r = cli(['report', '--to', 'tex', '--out', out, '--compare', join(dir, 'bad.json'), 'iou']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json: field "combos\[0\]\.mean" must be an array of numbers/);
    assert.equal(existsSync(out), false);
  });
});
