/**
 * The search stage of `npm start`: a short regression-loss search from random
 * trees on a small FCOS proxy, a couple of minutes on two cores. It prints
 * the funnel and the best loss found, with its rational form and LaTeX, and
 * writes the search's folder (state, logs, report) to `<out>/search`.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { toInfix } from '../render/infix.js';
import { toLatex } from '../render/latex.js';
import { rationalOf } from '../render/report/sections.js';
import { parse } from '../symbolic/parse/index.js';
import { simplify } from '../symbolic/simplify/simplify.js';
import { writeFileAtomic } from '../util/fs.js';
import { trainBaselines } from './baselines.js';
import { bestCandidates, DEFAULT_SEARCH, runSearch, type SearchOptions, type SearchState } from './evolve.js';
import { createExecutor } from './executor/index.js';
import { funnel, writeSearchReport } from './report.js';

/** The demo's search: small enough for `npm start`, the same code as `autoloss search`. */
const DEMO_SEARCH: SearchOptions = {
  ...DEFAULT_SEARCH,
  domain: 'reg',
  population: 24,
  generations: 2,
  parents: 6,
  trainTop: 2,
  seed: 3,
  proxy: { ...DEFAULT_SEARCH.proxy, images: 48, valImages: 16, steps: 30, batch: 4 },
};

/**
 * Runs the demo search into `outDir/search` and prints what it found.
 *
 * @example
 * await searchStage('out', { cacheDir: '.autoloss-cache', say: console.log });
 */
export async function searchStage(outDir: string, o: { cacheDir: string; say: (s: string) => void; options?: SearchOptions }): Promise<SearchState> {
  const opts = o.options ?? DEMO_SEARCH;
  const out = join(outDir, 'search');
  const t0 = Date.now();
  const p = opts.proxy;
  o.say(`== Search: ${opts.domain} losses from random trees, ${opts.generations + 1} generations of ${opts.population}, fitness = AP of a ${p.steps}-step ${p.detector} proxy on ${p.images} synthetic images ==`);
  const executor = await createExecutor({});
  try {
    const baselines = await trainBaselines(opts.domain, p, executor, o.cacheDir, 1);
    writeFileAtomic(join(out, 'baselines.json'), `${JSON.stringify(baselines, null, 2)}\n`);
    for (const b of baselines.baselines) o.say(`baseline ${b.name} (${b.role}): proxy AP ${b.mean.toFixed(4)}`);
    writeFileAtomic(join(out, 'trainings.jsonl'), '');
    const state = await runSearch(opts, {
      executor,
      cacheDir: o.cacheDir,
      trainings: new Map(),
      onTraining: (r) => appendFileSync(join(out, 'trainings.jsonl'), `${JSON.stringify(r)}\n`),
      onGeneration: (s) => {
        const h = s.history.at(-1)!;
        writeFileAtomic(join(out, 'search-state.json'), JSON.stringify(s));
        writeFileAtomic(join(out, 'generations.jsonl'), s.history.map((x) => `${JSON.stringify(x)}\n`).join(''));
        o.say(`generation ${h.generation}: ${h.generated} generated, ${h.duplicates} duplicates, ${h.passed} passed the checks, ${h.trained} trained; best AP ${h.best_fitness === null ? '-' : h.best_fitness.toFixed(4)}`);
      },
    });
    const f = funnel(state);
    o.say(`funnel: ${f.map((x) => `${x.stage} ${x.count}`).join(' → ')}`);
    o.say(`rejected before any training: ${(100 * (1 - f[5]!.count / Math.max(1, f[0]!.count))).toFixed(1)} %`);
    const best = bestCandidates(state, 1)[0];
    if (!best) o.say('no candidate reached a proxy training in this short search');
    else {
      const tree = parse(best.prefix, { domain: opts.domain }).tree;
      const s = simplify(tree, opts.domain).tree;
      o.say(`best loss found: proxy AP ${best.fitness!.toFixed(4)}`);
      o.say(`  expression: ${toInfix(tree, opts.domain)}`);
      o.say(`  simplified: ${toInfix(s, opts.domain)}`);
      const rational = rationalOf(tree, opts.domain);
      if (rational) o.say(`  rational form (LaTeX): ${rational}`);
      o.say(`  LaTeX: ${toLatex(s, opts.domain)}`);
    }
    const report = writeSearchReport(out, state, baselines);
    o.say(`search report: ${report} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    return state;
  } finally {
    await executor.close();
  }
}
