import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { cli } from '../helpers/cli.js';

// A tiny proxy so the whole CLI path (baselines, checks, trainings, report) runs in seconds.
const TINY = ['--domain', 'reg', '--population', '8', '--parents', '3', '--train-top', '1', '--seed-builtins', '--proxy-steps', '3', '--proxy-images', '8', '--proxy-val-images', '4', '--baseline-seeds', '2', '--quiet', '--json'];
const root = mkdtempSync(join(tmpdir(), 'autoloss-search-cli-'));
const cache = ['--cache-dir', join(root, 'cache')];
const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');
/** generations.jsonl without the timings. */
const timeless = (dir: string): unknown[] =>
  read(dir, 'generations.jsonl')
    .trim()
    .split('\n')
    .map((l) => {
      const { seconds: _s, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
const hashes = (dir: string): string[] =>
  read(dir, 'trainings.jsonl')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { hash: string }).hash);

describe('autoloss search (CLI)', () => {
  const whole = join(root, 'whole');
  before(() => {
    const r = cli(['search', ...TINY, ...cache, '--generations', '2', '--out', whole], { timeout: 600_000 });
    assert.equal(r.code, 0, r.stderr);
  });

  it('should write the generations, trainings, baselines, best loss and report', () => {
    const gens = read(whole, 'generations.jsonl').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(gens.length, 3);
    for (const k of ['generation', 'generated', 'duplicates', 'rejected', 'trained', 'best_fitness', 'best_prefix', 'seconds']) assert.ok(k in gens[0]!, k);
    assert.deepEqual(Object.keys(gens[0]!.rejected as object), ['structure', 'finite', 'monotone-in-iou', 'descent-toward-target', 'gradient-without-overlap', 'simulation']);
    const h = hashes(whole);
    assert.equal(new Set(h).size, h.length);
    const base = JSON.parse(read(whole, 'baselines.json')) as { baselines: { name: string; runs: unknown[] }[] };
    assert.deepEqual(base.baselines.map((b) => [b.name, b.runs.length]), [['giou', 2], ['autoloss-b-reg', 1]]);
    const best = JSON.parse(read(whole, 'best.json')) as { best: { prefix: string; latex: string }[] };
    assert.ok(best.best.length > 0 && best.best[0]!.latex.length > 0);
    assert.match(read(whole, 'report.html'), /The funnel[\s\S]*<svg/);
  });

  it('should resume an interrupted search to the same generations, without training a loss twice', () => {
    const split = join(root, 'split');
    const a = cli(['search', ...TINY, ...cache, '--generations', '1', '--out', split], { timeout: 600_000 });
    assert.equal(a.code, 0, a.stderr);
    const b = cli(['search', '--resume', split, '--generations', '2', '--quiet', '--json', ...cache], { timeout: 600_000 });
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(timeless(split), timeless(whole));
    assert.deepEqual(JSON.parse(read(split, 'search-state.json')).archive, JSON.parse(read(whole, 'search-state.json')).archive);
    const h = hashes(split);
    assert.equal(new Set(h).size, h.length);
    assert.deepEqual([...h].sort(), [...hashes(whole)].sort());
  });

  it('should refuse a tampered or empty state with exit 2, naming the field, and keep the files', () => {
    const bad = join(root, 'tampered');
    cpSync(whole, bad, { recursive: true });
    const path = join(bad, 'search-state.json');
    const original = readFileSync(path, 'utf8');
    const state = JSON.parse(original) as { archive: Record<string, unknown>[]; population: string[] };
    // Div(I,U) rewards lower IoU; a forged fitness of 1 must not make it the best loss.
    state.archive.push({ prefix: 'Div(I,U)', hash: state.archive[0]!.hash, verdict: 'trained', fitness: 1, generation: 0 });
    writeFileSync(path, JSON.stringify(state));
    let r = cli(['search', '--resume', bad, '--generations', '3', ...cache]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`archive\\[${state.archive.length - 1}\\]\\.hash`));
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
    // The right hash but a fitness no training produced.
    const best = JSON.parse(original) as typeof state;
    const trained = best.archive.find((c) => c.verdict === 'trained')!;
    trained.fitness = 1;
    writeFileSync(path, JSON.stringify(best));
    r = cli(['search', '--resume', bad, '--generations', '3', ...cache]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /archive\[\d+\]\.fitness/);
    const empty = JSON.parse(original) as typeof state;
    empty.population = [];
    writeFileSync(path, JSON.stringify(empty));
    r = cli(['search', '--resume', bad, '--generations', '3', ...cache]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /field "population" is empty/);
    assert.equal(read(bad, 'generations.jsonl'), read(whole, 'generations.jsonl'));
  });

  it('should exit 2 for a missing domain, a wrong proxy for the domain, or an existing search', () => {
    assert.match(cli(['search']).stderr, /--domain is required/);
    const r = cli(['search', '--domain', 'multi', '--proxy', 'fcos', '--out', join(root, 'x')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /faster-rcnn/);
    const again = cli(['search', '--domain', 'reg', '--out', whole]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /--resume/);
  });
});
