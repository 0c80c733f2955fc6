import type { Command } from 'commander';
import { existsSync, appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toInfix } from '../../render/infix.js';
import { bestCandidates, DEFAULT_SEARCH, initialState, nextGeneration, type SearchOptions, type SearchState } from '../../search/evolve.js';
import { checkSearchState } from '../../search/state-file.js';
import type { Domain } from '../../symbolic/domains.js';
import { parse } from '../../symbolic/parse/index.js';
import { TrainProgress } from '../../train/progress.js';
import { UserError } from '../errors.js';
import { readJson, writeFileAtomic } from '../../util/fs.js';
import { domainOption, nonNegativeInt, positiveInt } from '../options.js';

interface SearchFlags {
  domain?: Domain;
  population: number;
  generations: number;
  seed: number;
  seedBuiltins?: boolean;
  out: string;
  resume?: string;
  top: number;
  json?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('search')
    .description('convergence-simulation driven evolutionary search for a loss (CSE-Autoloss); resumable')
    .option('-d, --domain <domain>', 'multi | binary | reg (required unless --resume)', domainOption)
    .option('--population <n>', 'candidates per generation', positiveInt, DEFAULT_SEARCH.population)
    .option('--generations <n>', 'generations after the initial one (with --resume: the new total)', nonNegativeInt, DEFAULT_SEARCH.generations)
    .option('--seed <n>', 'random seed', nonNegativeInt, DEFAULT_SEARCH.seed)
    .option('--seed-builtins', "start from the domain's published and baseline losses as well as random trees")
    .option('--out <dir>', 'folder for search-state.json, generations.jsonl and best.json', 'runs/search')
    .option('--resume <dir>', 'continue the search saved in this folder')
    .option('--top <n>', 'how many of the best losses to print', positiveInt, 10)
    .option('--json', 'print the best losses as JSON')
    .option('-q, --quiet', 'no progress output')
    .action((flags: SearchFlags) => {
      let state: SearchState | undefined;
      let out = flags.out;
      if (flags.resume) {
        out = flags.resume;
        const path = join(out, 'search-state.json');
        if (!existsSync(path)) throw new UserError(`--resume ${out}: no search-state.json there`);
        const saved = checkSearchState(readJson(path, 'search state'), path);
        state = { ...saved, options: { ...saved.options, generations: Math.max(flags.generations, saved.generation) } };
      } else if (!flags.domain) {
        throw new UserError('--domain is required (multi, binary or reg), or --resume DIR');
      }
      const options: SearchOptions = state?.options ?? { ...DEFAULT_SEARCH, domain: flags.domain!, population: flags.population, generations: flags.generations, seed: flags.seed, seedBuiltins: !!flags.seedBuiltins };
      if (!state) rmSync(join(out, 'generations.jsonl'), { force: true });
      const total = (options.generations + 1) * options.population;
      const progress = new TrainProgress({ total, start: state ? (state.generation + 1) * options.population : 0, quiet: flags.quiet, label: 'search' });
      let best = state?.history.at(-1)?.bestFitness ?? -Infinity;
      const hooks = {
        onCandidate: (done: number, _n: number, gen: number) => progress.update(gen * options.population + done, { gen, best: best }),
        onGeneration: (s: SearchState) => {
          const h = s.history.at(-1)!;
          best = h.bestFitness;
          writeFileAtomic(join(out, 'search-state.json'), JSON.stringify(s));
          appendFileSync(join(out, 'generations.jsonl'), `${JSON.stringify(h)}\n`);
          progress.log(`generation ${h.generation}: ${h.outcomes.pass} pass, ${h.outcomes.property} rejected by properties, ${h.outcomes.simulation} by simulation, ${h.outcomes.duplicate} duplicates; best ${Number.isFinite(h.bestFitness) ? h.bestFitness.toFixed(4) : '-'}`);
        },
      };
      state ??= initialState(options, hooks);
      while (state.generation < options.generations) state = nextGeneration(state, hooks);
      progress.stop();
      const top = bestCandidates(state, flags.top).map((r) => ({
        fitness: r.fitness,
        metric: r.simulation?.metric,
        prefix: r.prefix,
        infix: toInfix(parse(r.prefix, { domain: options.domain }).tree, options.domain),
      }));
      writeFileAtomic(join(out, 'best.json'), JSON.stringify({ domain: options.domain, generations: state.generation, best: top }, null, 2));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ domain: options.domain, best: top })}\n`);
        return;
      }
      if (top.length === 0) {
        process.stdout.write(`no loss passed the filter in ${state.generation} generations; try a larger --population or --seed-builtins\n`);
        return;
      }
      process.stdout.write(`best ${options.domain} losses after ${state.generation} generations (fitness = ${top[0]!.metric} after the simulated optimisation):\n`);
      for (const t of top) process.stdout.write(`  ${t.fitness.toFixed(4)}  ${t.infix}\n`);
      process.stdout.write(`state and results in ${out}\n`);
    });
}
