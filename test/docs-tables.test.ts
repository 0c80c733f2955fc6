/**
 * The names the docs list come from the project's tables: a detector,
 * backend, recipe or proxy added to its table and not to the README's CLI
 * table or the docs fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BACKBONES, FROZEN_STAGES } from '../src/detect/backbone.js';
import { DETECTOR_TABLE } from '../src/detect/detector-table.js';
import { CENTERNESS_TARGETS, DETECTORS, RECIPES } from '../src/detect/types.js';
import { EXPORT_TARGETS } from '../src/export/targets.js';
import { PROXY_DETECTORS } from '../src/search/proxy.js';
import { BACKEND_REQUESTS } from '../src/train/backend-names.js';
import { REPO } from './helpers/paths.js';

const read = (f: string): string => readFileSync(join(REPO, f), 'utf8');

/** The alternatives written after a flag in the README's CLI table (`--flag a\|b\|c`), each time it appears. */
function readmeChoices(flag: string): string[][] {
  return [...read('README.md').matchAll(new RegExp(`${flag} ([\\w-]+(?:\\\\\\|[\\w-]+)+)`, 'g'))].map((m) => m[1]!.split('\\|'));
}

/** The backticked names in the row of a docs table whose first cell is `flag`. */
function docsRow(file: string, flag: string): string[] {
  const row = read(file)
    .split('\n')
    .find((l) => l.startsWith(`| \`${flag}\` |`));
  assert.ok(row, `${file} has no row for ${flag}`);
  const cell = row.split('|')[2]!;
  return [...cell.matchAll(/`([\w-]+)`/g)].map((m) => m[1]!);
}

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe('docs and README list what the tables hold', () => {
  it('detectors', () => {
    const readme = readmeChoices('--detector');
    assert.ok(readme.length > 0, 'README lists --detector choices');
    for (const names of readme) assert.deepEqual(names, [...DETECTORS]);
    assert.deepEqual(docsRow('docs/train.md', '--detector'), [...DETECTORS]);
    // docs/train.md's table of detectors: one row each, with its classification domain.
    const rows = read('docs/train.md')
      .split('\n')
      .map((l) => /^\| `([\w-]+)` \|.*\| (binary|multi) \|$/.exec(l))
      .filter((m) => m !== null);
    assert.deepEqual(
      rows.map((m) => [m[1], m[2]]),
      DETECTORS.map((d) => [d, DETECTOR_TABLE[d].clsDomain]),
    );
  });

  it('backends', () => {
    for (const names of readmeChoices('--backend')) assert.deepEqual(names, [...BACKEND_REQUESTS]);
    assert.deepEqual(readmeChoices('--check'), [BACKEND_REQUESTS.filter((b) => b !== 'auto')]);
    assert.deepEqual(sorted(docsRow('docs/train.md', '--backend')), sorted(BACKEND_REQUESTS));
  });

  it('recipes, centerness targets, backbones, proxies and export targets', () => {
    assert.deepEqual(readmeChoices('--recipe'), [[...RECIPES]]);
    assert.deepEqual(readmeChoices('--centerness-target'), [[...CENTERNESS_TARGETS]]);
    assert.deepEqual(readmeChoices('--backbone'), [[...BACKBONES]]);
    assert.deepEqual(readmeChoices('--frozen-stages'), [FROZEN_STAGES.map(String)]);
    assert.deepEqual(readmeChoices('--proxy'), [[...PROXY_DETECTORS]]);
    assert.deepEqual(docsRow('docs/search.md', '--proxy'), [...PROXY_DETECTORS]);
    const exportRows = [...read('README.md').matchAll(/^\| `autoloss export \S+ --to ([\w\\|]+)/gm)].map((m) => sorted(m[1]!.split('\\|')));
    assert.ok(exportRows.length > 0);
    for (const names of exportRows) assert.deepEqual(names, sorted(EXPORT_TARGETS));
  });
});
