import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { buildEntries, writeReport } from '../../src/render/report/report.js';
import { ParseError } from '../../src/symbolic/parse/errors.js';
import { cli } from '../helpers/cli.js';

const CHROMIUM = '/usr/bin/chromium';

function chromium(dir: string, ...args: string[]): string {
  if (!existsSync(CHROMIUM)) assert.fail(`${CHROMIUM} is missing: install Debian's chromium (scripts/system-deps.sh does)`);
  const profile = mkdtempSync(join(dir, 'profile-'));
  const r = spawnSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, ...args],
    { encoding: 'utf8', timeout: 90_000, maxBuffer: 1 << 27 },
  );
  assert.equal(r.status, 0, `chromium failed: ${r.stderr}`);
  return r.stdout;
}

describe('the loss report', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoloss-report-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should show no KaTeX error and one plot per loss in headless Chromium, and take a screenshot', () => {
    const exprs = ['autoloss-a-cls', 'autoloss-a-reg', 'autoloss-b-cls', 'autoloss-b-reg', 'Div(I,U)', 'Mul(Neg(Q),Log(Sig(X)))'];
    const page = writeReport(exprs, join(dir, 'report'));
    const dom = chromium(dir, '--dump-dom', pathToFileURL(page).href);
    assert.match(dom, /<h1>autoloss report<\/h1>/);
    assert.equal((dom.match(/class="[^"]*katex-error/g) ?? []).length, 0, 'a .katex-error element is on the page');
    const sections = dom.split('<section class="loss"').slice(1);
    assert.equal(sections.length, exprs.length);
    sections.forEach((s, k) => assert.equal((s.match(/<svg class="plot"/g) ?? []).length, 1, `section ${k}: one plot`));
    assert.ok((dom.match(/class="katex-display"/g) ?? []).length >= 3 * exprs.length, 'math rendered for every part');
    // KaTeX's fonts and CSS are local: nothing refers to the network.
    assert.doesNotMatch(readFileSync(page, 'utf8'), /https?:\/\/(?!www\.w3\.org)/);
    assert.ok(readdirSync(join(dir, 'report', 'katex', 'fonts')).some((f) => f.endsWith('.woff2')));

    const shot = join(dir, 'report.png');
    chromium(dir, `--screenshot=${shot}`, '--window-size=1200,2000', pathToFileURL(page).href);
    assert.ok(statSync(shot).size > 10_000, 'screenshot written');
    const png = PNG.sync.read(readFileSync(shot));
    assert.equal(png.width, 1200);
    // A rendered page, not a blank one: many distinct colours.
    const colours = new Set<number>();
    for (let k = 0; k < png.data.length; k += 4 * 97) colours.add(png.data.readUInt32BE(k));
    assert.ok(colours.size > 20, `only ${colours.size} colours in the screenshot`);
  });

  it('should leave nothing behind when an expression is bad', () => {
    const out = join(dir, 'bad');
    assert.throws(() => writeReport(['iou', 'Div(I,'], out), ParseError);
    assert.equal(existsSync(out), false);
  });

  it('should plot regression losses against IoU and classification losses against the logit', () => {
    const [reg, cls] = buildEntries(['giou', 'focal']);
    assert.match(reg!.svg, />IoU with the target</);
    assert.match(reg!.svg, />CSE-Autoloss-A reg</);
    assert.match(cls!.svg, />logit x</);
    assert.match(cls!.svg, />CSE-Autoloss-B cls</);
    assert.equal(reg!.parts.derivatives.length, 3);
    assert.equal(cls!.parts.derivatives[0]!.wrt, 'X');
  });

  it('should write the default report from the CLI and reject bad input with exit 2', () => {
    const out = join(dir, 'cli');
    const r = cli(['report', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), join(out, 'index.html'));
    assert.equal((readFileSync(join(out, 'index.html'), 'utf8').match(/<section class="loss"/g) ?? []).length, 4);
    const bad = cli(['report', 'Log(', '--out', join(dir, 'cli-bad')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /column 5/);
    assert.equal(existsSync(join(dir, 'cli-bad')), false);
    const onFile = cli(['report', 'iou', '--out', join(dir, 'cli', 'index.html')]);
    assert.equal(onFile.code, 2);
    assert.match(onFile.stderr, /is a file, not a folder/);
  });
});
