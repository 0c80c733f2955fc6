import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';
import { tinyDataset } from './_tiny-dataset.js';

describe('autoloss train / compare (CLI)', () => {
  let data = '';
  before(() => {
    data = tinyDataset();
  });

  it('trains, prints the AP line and writes the run folder', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-')), 'run');
    const r = cli(['train', '--data', data, '--steps', '2', '--batch', '2', '--size', '64', '--backend', 'wasm', '--out', out, '--quiet', '--detector', 'atss', '--recipe', 'cse-autoloss', '--reg-weight', '1.5']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).recipe, { name: 'cse-autoloss', centernessTarget: 'iou', regWeight: 1.5 });
    assert.match(r.stdout, /^AP \d\.\d{3}\s+AP50/m);
    for (const f of ['metrics.jsonl', 'eval.json', 'detections.json', 'checkpoint/state.json']) assert.ok(existsSync(join(out, f)), f);
    // Resume with a longer schedule continues at step 3.
    const again = cli(['train', '--resume', out, '--steps', '3', '--quiet']);
    assert.equal(again.code, 0, again.stderr);
    const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((m) => m.type === 'step');
    assert.deepEqual(lines.map((m) => m.step), [1, 2, 3]);
  });

  it('names the expected domain for a loss of the wrong domain (exit 2, no output folder)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'cli-')), 'run');
    const r = cli(['train', '--detector', 'fcos', '--cls-loss', 'autoloss-a-cls', '--data', data, '--out', out, '--backend', 'wasm']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /binary/);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    assert.ok(!existsSync(join(out, 'eval.json')));
  });

  it('rejects bad flags with a one-line message', () => {
    assert.equal(cli(['train', '--detector', 'yolo', '--out', 'x']).code, 2);
    const noOut = cli(['train', '--data', data]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /--out/);
    const badCombo = cli(['compare', '--combo', 'nonsense', '--out', join(tmpdir(), 'never')]);
    assert.equal(badCombo.code, 2);
    assert.match(badCombo.stderr, /--combo 'nonsense'/);
    const missingResume = cli(['train', '--resume', join(tmpdir(), 'no-such-run-dir')]);
    assert.equal(missingResume.code, 2);
    assert.match(missingResume.stderr, /no checkpoint/);
  });
});
