import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BUILTIN_LOSSES } from '../../src/symbolic/builtins.js';
import { canonicalHash } from '../../src/symbolic/canonical.js';
import { depth, size } from '../../src/symbolic/node.js';
import { parse } from '../../src/symbolic/parse/index.js';
import { DEFAULT_SEARCH, initialState, nextGeneration, rank, selectParents, type Candidate, type SearchContext, type SearchOptions, type SearchState } from '../../src/search/evolve.js';
import { createExecutor } from '../../src/search/executor/index.js';
import type { Executor } from '../../src/search/executor/types.js';

// A proxy small enough for unit tests: a few steps on a handful of images.
const TINY_PROXY = { ...DEFAULT_SEARCH.proxy, images: 8, valImages: 4, steps: 3, batch: 4 };
const cache = mkdtempSync(join(tmpdir(), 'autoloss-search-cache-'));
let executor: Executor | undefined;
after(async () => executor?.close());

async function ctx(): Promise<SearchContext> {
  executor ??= await createExecutor({});
  return { executor, cacheDir: cache, trainings: new Map() };
}

const small = (over: Partial<SearchOptions> = {}): SearchOptions => ({
  ...DEFAULT_SEARCH,
  domain: 'reg',
  population: 10,
  generations: 2,
  parents: 3,
  trainTop: 1,
  checks: { ...DEFAULT_SEARCH.checks, numRuns: 40, simulationSteps: 40 },
  proxy: TINY_PROXY,
  ...over,
});

const cand = (prefix: string, verdict: Candidate['verdict'], extra: Partial<Candidate> = {}): Candidate => ({ prefix, hash: prefix, verdict, generation: 0, ...extra });

/** The generations without their timings (the only part allowed to differ between runs). */
const timeless = (s: SearchState): unknown => s.history.map(({ seconds: _s, ...h }) => h);

describe('search: selection', () => {
  it('should rank trained losses by proxy AP above every untrained or rejected loss', () => {
    const pop = [
      cand('a', 'property', { failed: ['finite', 'monotone-in-iou'] }),
      cand('b', 'trained', { fitness: 0.1 }),
      cand('c', 'untrained', { simulation: { pass: true, before: 0.2, after: 0.9, improvement: 0.7 } }),
      cand('d', 'trained', { fitness: 0.3 }),
      cand('e', 'simulation'),
      cand('f', 'property', { failed: ['finite'] }),
      cand('g', 'trained', { fitness: 0 }),
    ];
    assert.deepEqual(selectParents(pop, 3).map((c) => c.prefix), ['d', 'b', 'g']);
    assert.deepEqual(selectParents(pop, 7).map((c) => c.prefix), ['d', 'b', 'g', 'c', 'e', 'f', 'a']);
    assert.ok(rank(cand('x', 'structure')) === -Infinity);
  });
});

describe('search: space', () => {
  it('should admit all four published losses with the default limits', () => {
    for (const b of BUILTIN_LOSSES.filter((l) => l.published)) {
      const t = parse(b.prefix, { domain: b.domain }).tree;
      assert.ok(size(t) <= DEFAULT_SEARCH.maxSize, `${b.name}: ${size(t)} nodes`);
      assert.ok(depth(t) <= DEFAULT_SEARCH.maxDepth, `${b.name}: depth ${depth(t)}`);
    }
  });

  it('should keep the --seed-builtins seeds in the population of generation 0', async () => {
    for (const domain of ['reg', 'binary'] as const) {
      const s = await initialState(small({ domain, seedBuiltins: true, trainTop: 1, proxy: domain === 'reg' ? TINY_PROXY : TINY_PROXY }), await ctx());
      for (const b of BUILTIN_LOSSES.filter((l) => l.domain === domain)) {
        const h = canonicalHash(parse(b.prefix, { domain }).tree, domain);
        assert.ok(s.population.includes(h), `${b.name} is not in generation 0`);
        const c = s.archive.find((x) => x.hash === h)!;
        assert.ok(c.verdict === 'untrained' || c.verdict === 'trained', `${b.name}: ${c.verdict}`);
      }
    }
  });
});

describe('search: evolution', () => {
  it('should give duplicates no slot: the population holds distinct losses and stays full', async () => {
    const c = await ctx();
    let s = await initialState(small({ seedBuiltins: true }), c);
    s = await nextGeneration(s, c);
    s = await nextGeneration(s, c);
    const dupes = s.history.reduce((a, h) => a + h.duplicates, 0);
    assert.ok(dupes > 0, 'the test needs a generation with duplicates');
    assert.equal(new Set(s.population).size, s.population.length);
    assert.equal(s.population.length, 10);
    for (const h of s.history) {
      const rejected = Object.values(h.rejected).reduce((a, n) => a + n, 0);
      // Every candidate generated is a duplicate, rejected at one stage, or passed every check.
      assert.equal(h.generated, h.duplicates + rejected + h.passed, JSON.stringify(h));
      assert.ok(h.trained <= 1);
    }
    assert.equal(new Set(s.archive.map((x) => x.hash)).size, s.archive.length);
  });

  it('should give the same generations for the same seed, also when resumed from a JSON checkpoint', async () => {
    const o = small({ seedBuiltins: true });
    const c1 = await ctx();
    let a = await initialState(o, c1);
    a = await nextGeneration(a, c1);
    a = await nextGeneration(a, c1);
    // A fresh context: nothing cached, every training reruns.
    const c2 = { ...(await ctx()), trainings: new Map() };
    let b = JSON.parse(JSON.stringify(await initialState(o, c2))) as SearchState;
    b = JSON.parse(JSON.stringify(await nextGeneration(b, c2))) as SearchState;
    b = await nextGeneration(b, c2);
    assert.deepEqual(timeless(b), timeless(a));
    assert.deepEqual(b.population, a.population);
    assert.deepEqual(b.archive, a.archive);
    const other = await initialState({ ...o, seed: 2, seedBuiltins: false }, c2);
    assert.notDeepEqual(other.population, a.population.slice(0, other.population.length));
  });

  it('should train every candidate and skip every check in vanilla mode', async () => {
    const s = await initialState(small({ vanilla: true, population: 4, trainTop: 1 }), await ctx());
    const h = s.history[0]!;
    assert.equal(h.trained, h.generated - h.rejected.structure!);
    assert.equal(h.passed, h.trained);
    assert.ok(s.archive.every((c) => c.verdict === 'trained' || c.verdict === 'structure'));
  });
});
