import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderExpressions } from '../../src/render/render-command.js';
import { toMarkdownTable } from '../../src/render/markdown.js';
import { escapeLatexText, toTexTable } from '../../src/render/tex-table.js';
import { cli } from '../helpers/cli.js';

describe('renderExpressions', () => {
  it('should print one LaTeX line per expression', async () => {
    assert.equal(await renderExpressions(['iou', 'Div(I,U)'], { to: 'latex' }), '1-\\frac{i}{u}\n\\frac{i}{u}\n');
  });
  it('should render MathML without needing CSS', async () => {
    const out = await renderExpressions(['giou'], { to: 'mathml' });
    assert.match(out, /<math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML" display="block">/);
    assert.match(out, /<mfrac><mi>i<\/mi><mi>u<\/mi><\/mfrac>/);
  });
  it('should render KaTeX HTML', async () => {
    const out = await renderExpressions(['autoloss-b-cls'], { to: 'html' });
    assert.match(out, /class="katex-display"/);
    assert.doesNotMatch(out, /katex-error/);
  });
  it('should simplify before printing when asked', async () => {
    assert.equal(await renderExpressions(['Add(Mul(1,U),0)'], { to: 'latex', simplified: true }), 'u\n');
  });
});

describe('toTexTable and toMarkdownTable', () => {
  it('should print a booktabs table with escaped names and display-style formulas', () => {
    const t = toTexTable([{ name: 'Focal loss (α=0.25, γ=2) & 50%', latex: '1-\\frac{i}{u}' }]);
    assert.match(t, /\\toprule\nLoss & Formula \\\\\n\\midrule\n/);
    assert.ok(t.includes('Focal loss ($\\alpha$=0.25, $\\gamma$=2) \\& 50\\% & $\\displaystyle 1-\\frac{i}{u}$ \\\\\n\\bottomrule'));
    assert.equal(escapeLatexText('a_b{c}'), 'a\\_b\\{c\\}');
  });
  it('should keep Markdown cells intact when the formula holds |', () => {
    const md = toMarkdownTable([{ name: 'abs | loss', latex: '\\left|u\\right|' }]);
    assert.equal(md, '| Loss | Formula |\n| --- | --- |\n| abs \\| loss | $\\left\\vert u\\right\\vert $ |\n');
  });
});

describe('autoloss render (CLI)', () => {
  it('should print a tex table for several expressions', () => {
    const r = cli(['render', 'autoloss-a-reg', 'iou', '--to', 'tex-table']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /CSE-Autoloss-A reg & \$\\displaystyle 1-\\left\(\\frac\{i\}\{u\}/);
  });
  it('should reject a bad expression with its column and exit 2', () => {
    const r = cli(['render', 'Div(I,']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /column 7/);
    assert.doesNotMatch(r.stderr, /at .*\.js/);
  });
  it('should reject an unknown target naming the flag', () => {
    const r = cli(['render', 'iou', '--to', 'pdf']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--to <target>.*pdf.*latex, html, mathml, tex-table, markdown/);
  });
});

describe('rational forms', () => {
  it('should print autoloss-b-reg as the paper does', async () => {
    assert.equal(await renderExpressions(['autoloss-b-reg'], { to: 'latex', rational: true }), '\\frac{3eu+12e+3i+3u+18}{-3eu+iu+u^{2}-15e+5i+5u}\n');
  });
  it('should print the other rational losses reduced', async () => {
    assert.equal(await renderExpressions(['autoloss-a-reg', 'giou'], { to: 'latex', rational: true }), '\\frac{-ei+2eu-iu-2u}{eu}\n\\frac{-ei+2eu-u^{2}}{eu}\n');
  });
  it('should refuse an expression with no rational form, naming it', async () => {
    await assert.rejects(renderExpressions(['iou', 'Log(U)'], { to: 'latex', rational: true }), /expression 2 \(Log\(U\)\) is not a rational function/);
  });
});

describe('render --form', () => {
  it('should print Autoloss-B reg in a tex-table as its rational form, not its 39-node tree', async () => {
    const table = await renderExpressions(['autoloss-b-reg'], { to: 'tex-table', form: 'rational' });
    assert.match(table, /^CSE-Autoloss-B reg & \$\\displaystyle \\frac\{3eu\+12e\+3i\+3u\+18\}\{-3eu\+iu\+u\^\{2\}-15e\+5i\+5u\}\$ \\\\$/m);
    const given = await renderExpressions(['autoloss-b-reg'], { to: 'tex-table', form: 'given' });
    assert.ok(given.length > table.length + 40, 'the tree as written is longer than its rational form');
  });
  it('should agree with --simplified and --rational, and refuse a contradiction', async () => {
    assert.equal(await renderExpressions(['giou'], { to: 'latex', form: 'simplified' }), await renderExpressions(['giou'], { to: 'latex', simplified: true }));
    await assert.rejects(renderExpressions(['giou'], { to: 'latex', form: 'given', rational: true }), /--rational contradicts --form given/);
  });
  it('should take --form on the command line', () => {
    const r = cli(['render', 'autoloss-b-reg', '--to', 'tex-table', '--form', 'rational']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\\frac\{3eu\+12e/);
    assert.equal(cli(['render', 'iou', '--form', 'factored']).code, 2);
  });
});
