import type { Command } from 'commander';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toInfix } from '../../render/infix.js';
import { toLatex } from '../../render/latex.js';
import { trainBaselines, type Baselines } from '../../search/baselines.js';
import { DEFAULT_CHECKS } from '../../search/checks.js';
import { bestCandidates, DEFAULT_SEARCH, initialState, nextGeneration, type SearchOptions, type SearchState, type TrainingRecord } from '../../search/evolve.js';
import { createExecutor } from '../../search/executor/index.js';
import { DEFAULT_PROXY, PROXY_DETECTORS, PROXY_RECIPES, slotFor, type ProxyRecipe } from '../../search/proxy.js';
import { writeSearchReport, funnel } from '../../search/report.js';
import { checkSearchState, readTrainings } from '../../search/state-file.js';
import type { Domain } from '../../symbolic/domains.js';
import { parse } from '../../symbolic/parse/index.js';
import { simplify } from '../../symbolic/simplify/simplify.js';
import { rationalOf } from '../../render/report/sections.js';
import type { DetectorKind } from '../../detect/types.js';
import { TrainProgress } from '../../train/progress.js';
import { UserError } from '../errors.js';
import { readJson, writeFileAtomic } from '../../util/fs.js';
import { choice, domainOption, nonNegativeInt, positiveInt } from '../options.js';

interface SearchFlags {
  domain?: Domain;
  population: number;
  generations: number;
  seed: number;
  seedBuiltins?: boolean;
  parents: number;
  elite: number;
  trainTop: number;
  maxSize: number;
  maxDepth: number;
  vanilla?: boolean;
  proxy: DetectorKind;
  data: string;
  proxySteps: number;
  proxyImages: number;
  proxyValImages?: number;
  proxySize: number;
  proxyRecipe: ProxyRecipe;
  baselineSeeds: number;
  cacheDir: string;
  workers: number;
  queue?: string;
  out: string;
  resume?: string;
  top: number;
  json?: boolean;
  quiet?: boolean;
}

/** The best loss's forms for people: simplified infix, rational form (when it has one) and LaTeX. */
function describeLoss(prefix: string, domain: Domain): { infix: string; simplified: string; rational?: string; latex: string } {
  const tree = parse(prefix, { domain }).tree;
  const s = simplify(tree, domain).tree;
  const rational = rationalOf(tree, domain);
  return { infix: toInfix(tree, domain), simplified: toInfix(s, domain), ...(rational ? { rational } : {}), latex: toLatex(s, domain) };
}

function optionsFrom(f: SearchFlags): SearchOptions {
  if (!f.domain) throw new UserError('--domain is required (multi, binary or reg), or --resume DIR');
  if (f.parents > f.population) throw new UserError(`--parents ${f.parents} exceeds --population ${f.population}`);
  if (f.elite >= f.population) throw new UserError(`--elite ${f.elite} must be below --population ${f.population}`);
  const proxy = {
    ...DEFAULT_PROXY,
    detector: f.proxy,
    data: f.data,
    steps: f.proxySteps,
    images: f.proxyImages,
    valImages: f.proxyValImages ?? Math.max(16, Math.round(f.proxyImages / 4)),
    imageSize: f.proxySize,
    recipe: f.proxyRecipe,
  };
  slotFor(f.domain, proxy.detector);
  return {
    ...DEFAULT_SEARCH,
    domain: f.domain,
    population: f.population,
    generations: f.generations,
    seed: f.seed,
    seedBuiltins: !!f.seedBuiltins,
    parents: f.parents,
    elite: f.elite,
    trainTop: f.trainTop,
    maxSize: f.maxSize,
    maxDepth: f.maxDepth,
    vanilla: !!f.vanilla,
    checks: DEFAULT_CHECKS,
    proxy,
  };
}

function historyJsonl(state: SearchState): string {
  return state.history.map((h) => `${JSON.stringify(h)}\n`).join('');
}

export function register(program: Command): void {
  program
    .command('search')
    .description('CSE-Autoloss evolutionary search: structure limits, dedupe, properties, simulation, then proxy training (fitness = proxy COCO AP); resumable, parallel')
    .option('-d, --domain <domain>', 'multi | binary | reg (required unless --resume)', domainOption)
    .option('--population <n>', 'distinct candidates per generation', positiveInt, DEFAULT_SEARCH.population)
    .option('--generations <n>', 'generations after the initial one (with --resume: the new total)', nonNegativeInt, DEFAULT_SEARCH.generations)
    .option('--seed <n>', 'random seed of the evolution', nonNegativeInt, DEFAULT_SEARCH.seed)
    .option('--seed-builtins', "start from the domain's published and baseline losses as well as random trees")
    .option('--parents <n>', 'top-P candidates by fitness that breed the next generation', positiveInt, DEFAULT_SEARCH.parents)
    .option('--elite <n>', 'best candidates kept unchanged', nonNegativeInt, DEFAULT_SEARCH.elite)
    .option('--train-top <k>', 'proxy trainings per generation at most (the best by simulation score)', positiveInt, DEFAULT_SEARCH.trainTop)
    .option('--max-size <n>', 'most nodes in a candidate', positiveInt, DEFAULT_SEARCH.maxSize)
    .option('--max-depth <n>', 'greatest depth of a candidate', positiveInt, DEFAULT_SEARCH.maxDepth)
    .option('--vanilla', 'no dedupe, properties or simulation: proxy-train every candidate (the speed-up baseline)')
    .option('--proxy <detector>', `proxy detector: ${PROXY_DETECTORS.join(' | ')}`, choice(PROXY_DETECTORS), DEFAULT_PROXY.detector)
    .option('--data <data>', 'proxy data: synthetic | fashion-mnist | a COCO folder', DEFAULT_PROXY.data)
    .option('--proxy-steps <n>', 'training steps per proxy run', positiveInt, DEFAULT_PROXY.steps)
    .option('--proxy-images <n>', 'training images of the proxy', positiveInt, DEFAULT_PROXY.images)
    .option('--proxy-val-images <n>', 'validation images the proxy AP is measured on (default a quarter of --proxy-images, at least 16)', positiveInt)
    .option('--proxy-size <px>', 'proxy input size', positiveInt, DEFAULT_PROXY.imageSize)
    .option('--proxy-recipe <recipe>', `one-stage recipe of every proxy run: ${PROXY_RECIPES.join(' | ')}`, choice(PROXY_RECIPES), DEFAULT_PROXY.recipe)
    .option('--baseline-seeds <n>', 'seeds of the default-loss baseline (0: no baselines)', nonNegativeInt, 3)
    .option('--cache-dir <dir>', 'where proxy datasets are generated', '.autoloss-cache')
    .option('--workers <n>', 'evaluate candidates in N workers', positiveInt, 1)
    .option('--queue <url>', 'run jobs through BullMQ on Redis (redis://HOST:PORT); `autoloss worker --queue URL` takes them')
    .option('--out <dir>', 'folder for the state, logs, baselines, best.json and report.html', 'runs/search')
    .option('--resume <dir>', 'continue the search saved in this folder')
    .option('--top <n>', 'how many of the best losses to print', positiveInt, 5)
    .option('--json', 'print the best losses as JSON')
    .option('-q, --quiet', 'no progress output')
    .action(async (flags: SearchFlags) => {
      let state: SearchState | undefined;
      const out = flags.resume ?? flags.out;
      const statePath = join(out, 'search-state.json');
      const trainingsPath = join(out, 'trainings.jsonl');
      const trainings = readTrainings(trainingsPath);
      if (flags.resume) {
        if (!existsSync(statePath)) throw new UserError(`--resume ${out}: no search-state.json there`);
        const saved = checkSearchState(readJson(statePath, 'search state'), statePath, trainings);
        state = { ...saved, options: { ...saved.options, generations: Math.max(flags.generations, saved.generation) } };
      } else if (existsSync(statePath)) {
        throw new UserError(`--out ${out} already holds a search (search-state.json); continue it with --resume ${out} or choose another --out`);
      }
      const options: SearchOptions = state?.options ?? optionsFrom(flags);
      const say = (s: string): void => {
        if (!flags.quiet) process.stderr.write(`${s}\n`);
      };
      // The executor first: an unreachable queue must leave no empty run folder behind.
      const executor = await createExecutor({ workers: flags.workers, queue: flags.queue });
      mkdirSync(out, { recursive: true });
      try {
        say(`search: ${options.domain} losses, proxy ${options.proxy.detector} on ${options.proxy.data}; jobs run ${executor.description}`);
        const baselinesPath = join(out, 'baselines.json');
        let baselines: Baselines | undefined;
        if (existsSync(baselinesPath)) baselines = readJson(baselinesPath, 'baselines') as Baselines;
        else if (flags.baselineSeeds > 0) {
          say(`training the baselines on the proxy (${flags.baselineSeeds} seeds of the default loss, 1 of the published one)...`);
          baselines = await trainBaselines(options.domain, options.proxy, executor, flags.cacheDir, flags.baselineSeeds);
          writeFileAtomic(baselinesPath, `${JSON.stringify(baselines, null, 2)}\n`);
        }
        for (const b of baselines?.baselines ?? []) say(`baseline ${b.role} ${b.name}: proxy AP ${b.mean.toFixed(4)}${b.runs.length > 1 ? ` ± ${b.std.toFixed(4)} (std over ${b.runs.length} seeds)` : ''}`);
        // The log is rewritten from the checkpoint, so the two always agree (even after a kill between them).
        writeFileAtomic(join(out, 'generations.jsonl'), state ? historyJsonl(state) : '');
        const total = (options.generations + 1) * 100;
        const progress = new TrainProgress({ total, start: state ? (state.generation + 1) * 100 : 0, quiet: flags.quiet, label: 'search' });
        let best = state?.history.at(-1)?.best_fitness ?? null;
        let shown = -1;
        const show = (step: number, gen: number): void => {
          if (step > shown) progress.update((shown = step), terms(gen));
        };
        const terms = (gen: number): Record<string, number> => (best === null ? { generation: gen } : { generation: gen, 'best AP': best });
        const ctx = {
          executor,
          cacheDir: flags.cacheDir,
          trainings,
          onTraining: (r: TrainingRecord) => appendFileSync(trainingsPath, `${JSON.stringify(r)}\n`),
          onProgress: (gen: number, frac: number) => show(Math.round(gen * 100 + frac * 99), gen),
          onGeneration: (s: SearchState) => {
            const h = s.history.at(-1)!;
            best = h.best_fitness;
            writeFileAtomic(statePath, JSON.stringify(s));
            writeFileAtomic(join(out, 'generations.jsonl'), historyJsonl(s));
            show((h.generation + 1) * 100, h.generation);
            const rej = Object.entries(h.rejected)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k} ${n}`)
              .join(', ');
            progress.log(`generation ${h.generation}: ${h.generated} generated, ${h.duplicates} duplicates, rejected: ${rej || 'none'}; ${h.trained} trained; best AP ${h.best_fitness === null ? '-' : h.best_fitness.toFixed(4)}${h.best_prefix ? ` ${h.best_prefix}` : ''} (${h.seconds.wall.toFixed(0)} s)`);
          },
        };
        state ??= await initialState(options, ctx);
        while (state.generation < options.generations) state = await nextGeneration(state, ctx);
        progress.stop();
        const top = bestCandidates(state, flags.top).map((c) => ({ fitness: c.fitness!, prefix: c.prefix, hash: c.hash, generation: c.generation, ...describeLoss(c.prefix, options.domain) }));
        const f = funnel(state);
        const summary = {
          domain: options.domain,
          generations: state.generation,
          proxy: options.proxy,
          vanilla: options.vanilla,
          funnel: f,
          rejected_before_training: f[0]!.count ? 1 - f[5]!.count / f[0]!.count : 0,
          baselines: baselines?.baselines.map((b) => ({ name: b.name, role: b.role, mean: b.mean, std: b.std })) ?? [],
          best: top,
        };
        writeFileAtomic(join(out, 'best.json'), `${JSON.stringify(summary, null, 2)}\n`);
        const report = writeSearchReport(out, state, baselines);
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        const w = (s: string): void => void process.stdout.write(`${s}\n`);
        w(`funnel over ${state.generation + 1} generations: ${f.map((x) => `${x.stage} ${x.count}`).join(' → ')}`);
        w(`rejected before any training: ${(summary.rejected_before_training * 100).toFixed(1)} %`);
        for (const b of summary.baselines) w(`baseline ${b.role} ${b.name}: proxy AP ${b.mean.toFixed(4)} ± ${b.std.toFixed(4)}`);
        if (top.length === 0) {
          w(`no loss was proxy-trained in ${state.generation + 1} generations; try a larger --population or --seed-builtins`);
        } else {
          w(`best ${options.domain} losses (fitness = COCO AP of the ${options.proxy.detector} proxy):`);
          for (const t of top) w(`  ${t.fitness.toFixed(4)}  ${t.simplified}${t.rational ? `   rational form: ${t.rational}` : ''}`);
          w(`best loss: ${top[0]!.prefix}\n  simplified: ${top[0]!.simplified}\n  LaTeX: ${top[0]!.latex}`);
        }
        w(`state, logs and report in ${out} (${report})`);
      } finally {
        await executor.close();
      }
    });
}
