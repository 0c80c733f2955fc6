import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bestCandidates, DEFAULT_SEARCH, initialState, nextGeneration, runSearch } from '../../src/search/evolve.js';
import { evaluateCandidate } from '../../src/search/evaluate-candidate.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { cli } from '../helpers/cli.js';

const small = { ...DEFAULT_SEARCH, domain: 'reg' as const, population: 16, generations: 2, numRuns: 60, simulationSteps: 60, seedBuiltins: true };

describe('search', () => {
  it('should pass the published losses through the filter and reject a loss that rewards lower IoU', () => {
    const ok = evaluateCandidate(parse('Sub(1,Div(I,U))').tree, 'reg', new Map(), small, 1);
    assert.equal(ok.outcome, 'pass');
    assert.ok(ok.fitness > 0.5);
    const bad = evaluateCandidate(parse('Div(I,U)').tree, 'reg', new Map(), small, 1);
    assert.equal(bad.outcome, 'property');
    assert.ok(bad.fitness < 0);
  });

  it('should give the same result for the same seed, and resume exactly', () => {
    const a = runSearch(small);
    const b = runSearch(small);
    assert.deepEqual(a.history, b.history);
    const one = JSON.parse(JSON.stringify(nextGeneration(initialState(small))));
    const resumed = nextGeneration({ ...one, population: one.population.map((r: { fitness: number | null }) => ({ ...r, fitness: r.fitness ?? -Infinity })), archive: one.archive.map((r: { fitness: number | null }) => ({ ...r, fitness: r.fitness ?? -Infinity })) });
    assert.deepEqual(JSON.parse(JSON.stringify(resumed.history)), JSON.parse(JSON.stringify(a.history)));
    assert.ok(bestCandidates(a).length > 0);
  });

  it('should run from the CLI, write its state, and continue with --resume', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'autoloss-search-')), 'run');
    const first = cli(['search', '--domain', 'reg', '--population', '12', '--generations', '1', '--seed-builtins', '--out', dir, '--quiet', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const state = JSON.parse(readFileSync(join(dir, 'search-state.json'), 'utf8')) as { generation: number };
    assert.equal(state.generation, 1);
    const again = cli(['search', '--resume', dir, '--generations', '2', '--quiet', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((JSON.parse(readFileSync(join(dir, 'search-state.json'), 'utf8')) as { generation: number }).generation, 2);
    assert.equal(readFileSync(join(dir, 'generations.jsonl'), 'utf8').trim().split('\n').length, 3);
    const best = JSON.parse(again.stdout) as { best: { prefix: string }[] };
    assert.ok(best.best.length > 0);
  });

  it('should exit 2 with a clear message for a missing domain or a bad state file', () => {
    assert.match(cli(['search']).stderr, /--domain is required/);
    const r = cli(['search', '--resume', tmpdir()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no search-state.json/);
  });
});
