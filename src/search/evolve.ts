/**
 * The CSE-Autoloss search: an evolutionary loop whose candidates go through
 * a funnel, cheapest stage first, every verdict recorded:
 *
 * structure limits → canonical-hash dedupe (a duplicate reuses the earlier
 * verdict and takes no slot) → convergence properties → optimisation
 * simulation (a threshold) → proxy training of at most `trainTop` survivors
 * per generation, picked by simulation score → fitness = proxy COCO AP.
 *
 * Parents are the top `parents` of the population by fitness, the best
 * `elite` survive unchanged, offspring come from subtree crossover and the
 * four mutations. Everything that can run in parallel (the checks, the proxy
 * trainings) goes to an `Executor` as one batch per generation; every job's
 * result depends on its payload alone and the coordinator draws all the
 * randomness, so a seeded search gives the same generations whatever runs
 * its jobs. The state after each generation is plain JSON: a search can stop
 * and resume exactly.
 */
import type { Domain } from '../symbolic/domains.js';
import { canonicalHash } from '../symbolic/canonical.js';
import { depth, size, type Node } from '../symbolic/node.js';
import { parse } from '../symbolic/parse/index.js';
import { BUILTIN_LOSSES } from '../symbolic/builtins.js';
import { toPrefix } from '../render/prefix.js';
import { propertiesFor } from '../verify/properties.js';
import { SeededRng as Rng } from '../util/rng.js';
import type { Executor, JobOutcome } from './executor/types.js';
import { DEFAULT_CHECKS, type CheckResult, type CheckSettings } from './checks.js';
import { generate } from './generate.js';
import { fromTree, toTree, type Gene } from './genome.js';
import { makeJob } from './jobs.js';
import { primitiveSet } from './primitives.js';
import { DEFAULT_PROXY, proxyKey, slotFor, type ProxyResult, type ProxySettings } from './proxy.js';
import { crossover, mutate } from './variation.js';

export interface SearchOptions {
  readonly domain: Domain;
  /** Distinct candidates per generation (elites included). */
  readonly population: number;
  /** Generations after the initial one. */
  readonly generations: number;
  readonly seed: number;
  /** Parents: the top P of the population by fitness. */
  readonly parents: number;
  /** The best this many of a population survive unchanged. */
  readonly elite: number;
  readonly crossoverRate: number;
  readonly mutationRate: number;
  /** Depth range of the initial random trees. */
  readonly initDepth: readonly [number, number];
  /** Start from the domain's built-in losses (published and baselines) besides random trees. */
  readonly seedBuiltins: boolean;
  readonly maxSize: number;
  readonly maxDepth: number;
  /** Proxy trainings per generation at most, the best by simulation score. */
  readonly trainTop: number;
  /** No dedupe, no properties, no simulation: every candidate is proxy-trained (the baseline of the speed-up). */
  readonly vanilla: boolean;
  readonly checks: CheckSettings;
  readonly proxy: ProxySettings;
}

/**
 * The defaults admit all four published losses (Autoloss-B reg has 39 nodes,
 * B cls 37 and depth 10, A reg depth 9).
 */
export const DEFAULT_SEARCH: Omit<SearchOptions, 'domain'> = {
  population: 48,
  generations: 8,
  seed: 1,
  parents: 8,
  elite: 2,
  crossoverRate: 0.6,
  mutationRate: 0.5,
  initDepth: [2, 4],
  seedBuiltins: false,
  maxSize: 40,
  maxDepth: 10,
  trainTop: 4,
  vanilla: false,
  checks: DEFAULT_CHECKS,
  proxy: DEFAULT_PROXY,
};

/** Where a candidate left the funnel: a stage, a property's name, or the two ends. */
export type Verdict = 'structure' | 'property' | 'simulation' | 'untrained' | 'trained';

/** One distinct loss the search has judged. */
export interface Candidate {
  readonly prefix: string;
  /** Canonical hash: candidates with one hash are the same loss. */
  readonly hash: string;
  readonly verdict: Verdict;
  /** Every property that failed. */
  readonly failed?: readonly string[];
  /** Simulation score (the task metric after the simulated optimisation), when it ran. */
  readonly simulation?: CheckResult['simulation'];
  /** Proxy COCO AP, for trained candidates only. */
  readonly fitness?: number;
  /** The generation that first produced it. */
  readonly generation: number;
}

export interface GenerationStats {
  readonly generation: number;
  /** Candidates produced (duplicates and rejected ones included). */
  readonly generated: number;
  readonly duplicates: number;
  /** Candidates rejected at each stage; each counts once, at its first failing property. */
  readonly rejected: Readonly<Record<string, number>>;
  /** Candidates that passed every check (before the top-K cut). */
  readonly passed: number;
  readonly trained: number;
  /** Proxy trainings since the start. */
  readonly trained_total: number;
  readonly best_fitness: number | null;
  readonly best_prefix: string | null;
  readonly best_hash: string | null;
  /** Summed handler seconds per stage, and the generation's wall time. */
  readonly seconds: { readonly checks: number; readonly simulation: number; readonly training: number; readonly wall: number };
}

export interface SearchState {
  readonly version: 2;
  readonly options: SearchOptions;
  /** Generations finished (0: the initial population is judged). */
  readonly generation: number;
  readonly rngState: number;
  /** Hashes of the current population, in order. */
  readonly population: readonly string[];
  /** Every distinct loss judged, in the order first seen. */
  readonly archive: readonly Candidate[];
  readonly history: readonly GenerationStats[];
}

/** One finished proxy training, as `trainings.jsonl` holds it. */
export interface TrainingRecord {
  readonly key: string;
  readonly hash: string;
  readonly prefix: string;
  readonly fitness: number;
  readonly stats: readonly number[];
  readonly failure?: string;
  readonly seconds: number;
  readonly worker: string;
  readonly generation: number;
}

export interface SearchContext {
  readonly executor: Executor;
  /** Where proxy datasets are generated (workers resolve it relative to their own folder). */
  readonly cacheDir: string;
  /** Finished proxy trainings by job key (from `trainings.jsonl`): reused, never retrained. */
  readonly trainings: Map<string, TrainingRecord>;
  /** After each proxy training that ran (not reused): append it to `trainings.jsonl`. */
  readonly onTraining?: (r: TrainingRecord) => void;
  /** Progress within the current generation, in [0, 1]. */
  readonly onProgress?: (generation: number, fraction: number) => void;
  /** After each generation, with the state to checkpoint. */
  readonly onGeneration?: (state: SearchState) => void;
}

/** How good a candidate is for selection: proxy AP when trained, below every trained loss otherwise. */
export function rank(c: Candidate): number {
  switch (c.verdict) {
    case 'trained':
      return c.fitness!;
    case 'untrained':
      return -1 + 0.5 * Math.max(0, Math.min(1, c.simulation?.after ?? 0));
    case 'simulation':
      return -1.5;
    case 'property':
      // Fewer failing properties rank higher, so selection can climb toward the feasible region.
      return -2 - (c.failed?.length ?? 1);
    case 'structure':
      return -Infinity;
  }
}

/** The funnel's stage keys for a domain: structure, each of its properties, simulation. */
function rejectionKeys(domain: Domain): string[] {
  return ['structure', ...propertiesFor(domain).map((p) => p.name), 'simulation'];
}

function checkKey(hash: string, o: SearchOptions): string {
  return `check:${hash}:${o.domain}:${o.checks.numRuns}:${o.checks.simulationSteps}:${o.checks.simulationThreshold}:${o.checks.seed}`;
}

interface Child {
  readonly tree: Node;
  readonly prefix: string;
  /** Empty when the structure limits reject it before hashing. */
  readonly hash: string;
  readonly tooLarge: boolean;
}

function childOf(genome: Gene[], o: SearchOptions): Child {
  const tree = toTree(genome);
  const prefix = toPrefix(tree);
  if (size(tree) > o.maxSize || depth(tree) > o.maxDepth) return { tree, prefix, hash: '', tooLarge: true };
  return { tree, prefix, hash: canonicalHash(tree, o.domain), tooLarge: false };
}

function genomeOf(c: Candidate, domain: Domain): Gene[] {
  return fromTree(parse(c.prefix, { domain }).tree);
}

/** The best trained candidate of an archive (first found wins a tie). */
function bestTrained(archive: Iterable<Candidate>): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of archive) if (c.verdict === 'trained' && (!best || c.fitness! > best.fitness!)) best = c;
  return best;
}

/** Sorts by rank, best first; the sort is stable, so ties keep their order. */
function byRank(cs: readonly Candidate[]): Candidate[] {
  return [...cs].sort((a, b) => rank(b) - rank(a));
}

/**
 * Judges one generation's new candidates through the funnel and returns
 * their verdicts, in order, and the generation's statistics.
 */
async function judge(
  children: readonly Child[],
  generated: number,
  duplicates: number,
  gen: number,
  o: SearchOptions,
  archive: Map<string, Candidate>,
  ctx: SearchContext,
  trainedBefore: number,
): Promise<{ fresh: Candidate[]; stats: Omit<GenerationStats, 'seconds'> & { seconds: Omit<GenerationStats['seconds'], 'wall'> } }> {
  const rejected: Record<string, number> = Object.fromEntries(rejectionKeys(o.domain).map((k) => [k, 0]));
  rejected.structure = children.filter((c) => c.tooLarge).length;
  const valid = children.filter((c) => !c.tooLarge);
  const seconds = { checks: 0, simulation: 0, training: 0 };
  const total = (o.vanilla ? 0 : valid.length) + Math.min(valid.length, o.vanilla ? valid.length : o.trainTop);
  let done = 0;
  const tick = (): void => ctx.onProgress?.(gen, total ? ++done / total : 1);

  // Checks (skipped by vanilla evolution).
  let checks: (CheckResult | undefined)[] = valid.map(() => undefined);
  if (!o.vanilla && valid.length) {
    const jobs = valid.map((c) => makeJob('check', checkKey(c.hash, o), { prefix: c.prefix, domain: o.domain, checks: o.checks }));
    const outcomes = await ctx.executor.run<CheckResult>(jobs, tick);
    checks = outcomes.map((x) => x.result);
  }
  const order = propertiesFor(o.domain).map((p) => p.name as string);
  const stage: Candidate[] = valid.map((c, i) => {
    const r = checks[i];
    const base = { prefix: c.prefix, hash: c.hash, generation: gen };
    if (!r) return { ...base, verdict: 'untrained' as const };
    seconds.checks += r.seconds.checks;
    seconds.simulation += r.seconds.simulation;
    if (r.failed.length) {
      rejected[order.find((n) => r.failed.includes(n)) ?? r.failed[0]!]! += 1;
      return { ...base, verdict: 'property' as const, failed: r.failed };
    }
    if (!r.simulation?.pass) {
      rejected.simulation! += 1;
      return { ...base, verdict: 'simulation' as const, simulation: r.simulation };
    }
    return { ...base, verdict: 'untrained' as const, simulation: r.simulation };
  });
  const passed = stage.filter((c) => c.verdict === 'untrained').length;

  // Proxy training of the best K by simulation score (vanilla: of every candidate).
  const eligible = stage.map((c, i) => ({ c, i })).filter(({ c }) => c.verdict === 'untrained');
  if (!o.vanilla) eligible.sort((a, b) => (b.c.simulation?.after ?? 0) - (a.c.simulation?.after ?? 0) || a.i - b.i);
  const chosen = o.vanilla ? eligible : eligible.slice(0, o.trainTop);
  const slot = slotFor(o.domain, o.proxy.detector);
  const keyOf = (c: Candidate): string => proxyKey(c.hash, o.proxy);
  const toRun = new Map<string, Candidate>();
  for (const { c } of chosen) if (!ctx.trainings.has(keyOf(c)) && !toRun.has(keyOf(c))) toRun.set(keyOf(c), c);
  done += chosen.length - toRun.size;
  const jobs = [...toRun.entries()].map(([key, c]) => makeJob('proxy', key, { settings: o.proxy, slot, loss: c.prefix, cacheDir: ctx.cacheDir }));
  await ctx.executor.run<ProxyResult>(jobs, (x: JobOutcome<ProxyResult>) => {
    const c = toRun.get(x.key)!;
    const rec: TrainingRecord = {
      key: x.key,
      hash: c.hash,
      prefix: c.prefix,
      fitness: Math.max(0, x.result.fitness),
      stats: x.result.stats,
      ...(x.result.failure ? { failure: x.result.failure } : {}),
      seconds: x.seconds,
      worker: x.worker,
      generation: gen,
    };
    ctx.trainings.set(x.key, rec);
    seconds.training += x.seconds;
    ctx.onTraining?.(rec);
    tick();
  });
  for (const { c, i } of chosen) stage[i] = { ...c, verdict: 'trained', fitness: ctx.trainings.get(keyOf(c))!.fitness };
  for (const c of stage) if (!archive.has(c.hash)) archive.set(c.hash, c);
  const best = bestTrained(archive.values());
  return {
    fresh: stage,
    stats: {
      generation: gen,
      generated,
      duplicates,
      rejected,
      passed,
      trained: chosen.length,
      trained_total: trainedBefore + chosen.length,
      best_fitness: best?.fitness ?? null,
      best_prefix: best?.prefix ?? null,
      best_hash: best?.hash ?? null,
      seconds,
    },
  };
}

/** Offspring until the population's free slots hold distinct new losses (or the attempts run out). */
function breed(
  make: () => Gene[][],
  slots: number,
  o: SearchOptions,
  archive: ReadonlyMap<string, Candidate>,
): { children: Child[]; generated: number; duplicates: number } {
  const children: Child[] = [];
  const seen = new Set<string>();
  let generated = 0;
  let duplicates = 0;
  let valid = 0;
  // Duplicates take no slot; a bound keeps a collapsed population from looping forever.
  for (let attempts = 0; valid < slots && attempts < slots * 20; ) {
    for (const g of make()) {
      if (valid >= slots) break;
      attempts++;
      generated++;
      const c = childOf(g, o);
      if (c.tooLarge) {
        children.push(c);
        continue;
      }
      if (!o.vanilla && (archive.has(c.hash) || seen.has(c.hash))) {
        duplicates++;
        continue;
      }
      seen.add(c.hash);
      children.push(c);
      valid++;
    }
  }
  return { children, generated, duplicates };
}

function finishGeneration(
  gen: number,
  rng: Rng,
  o: SearchOptions,
  population: string[],
  archive: Map<string, Candidate>,
  history: readonly GenerationStats[],
  stats: Awaited<ReturnType<typeof judge>>['stats'],
  t0: number,
): SearchState {
  return {
    version: 2,
    options: o,
    generation: gen,
    rngState: rng.state,
    population,
    archive: [...archive.values()],
    history: [...history, { ...stats, seconds: { ...stats.seconds, wall: (performance.now() - t0) / 1000 } }],
  };
}

/** The seed losses of `--seed-builtins`: the domain's published and baseline losses. */
function builtinSeeds(domain: Domain): Gene[][] {
  return BUILTIN_LOSSES.filter((b) => b.domain === domain).map((b) => fromTree(parse(b.prefix, { domain }).tree));
}

/** A fresh search: the initial population (seeds, then random trees), judged (generation 0). */
export async function initialState(o: SearchOptions, ctx: SearchContext): Promise<SearchState> {
  const t0 = performance.now();
  const rng = new Rng(o.seed);
  const pset = primitiveSet(o.domain);
  const archive = new Map<string, Candidate>();
  const seeds = o.seedBuiltins ? builtinSeeds(o.domain) : [];
  let k = 0;
  const make = (): Gene[][] => [k < seeds.length ? seeds[k++]! : generate(pset, rng, o.initDepth[0], o.initDepth[1], 'half')];
  const { children, generated, duplicates } = breed(make, o.population, o, archive);
  const { fresh, stats } = await judge(children, generated, duplicates, 0, o, archive, ctx, 0);
  const population = fresh.map((c) => c.hash);
  const state = finishGeneration(0, rng, o, population, archive, [], stats, t0);
  ctx.onGeneration?.(state);
  return state;
}

/** The parents of the next generation: the top P of the population. */
export function selectParents(population: readonly Candidate[], p: number): Candidate[] {
  return byRank(population).slice(0, p);
}

/** One generation: elites survive, the other slots go to offspring of the top-P parents. */
export async function nextGeneration(state: SearchState, ctx: SearchContext): Promise<SearchState> {
  const t0 = performance.now();
  const o = state.options;
  const rng = Rng.fromState(state.rngState);
  const pset = primitiveSet(o.domain);
  const archive = new Map(state.archive.map((c) => [c.hash, c]));
  const pop = state.population.map((h) => archive.get(h)!);
  const ranked = byRank(pop);
  const elites = ranked.slice(0, o.elite).filter((c) => rank(c) > -Infinity);
  const parents = selectParents(pop, o.parents).filter((c) => rank(c) > -Infinity);
  const pool = parents.length ? parents : ranked;
  const make = (): Gene[][] => {
    let a = genomeOf(rng.pick(pool), o.domain);
    let b = genomeOf(rng.pick(pool), o.domain);
    if (rng.next() < o.crossoverRate) [a, b] = crossover(a, b, rng);
    if (rng.next() < o.mutationRate) a = mutate(a, pset, rng);
    if (rng.next() < o.mutationRate) b = mutate(b, pset, rng);
    return [a, b];
  };
  const gen = state.generation + 1;
  const { children, generated, duplicates } = breed(make, o.population - elites.length, o, archive);
  const trainedBefore = state.history.at(-1)?.trained_total ?? 0;
  const { fresh, stats } = await judge(children, generated, duplicates, gen, o, archive, ctx, trainedBefore);
  const population = [...elites.map((c) => c.hash), ...fresh.filter((c) => c.verdict !== 'structure').map((c) => c.hash)];
  const next = finishGeneration(gen, rng, o, population, archive, state.history, stats, t0);
  ctx.onGeneration?.(next);
  return next;
}

/** Runs (or continues) a search up to `options.generations`. */
export async function runSearch(start: SearchState | SearchOptions, ctx: SearchContext): Promise<SearchState> {
  let state = 'version' in start ? start : await initialState(start, ctx);
  while (state.generation < state.options.generations) state = await nextGeneration(state, ctx);
  return state;
}

/** The best distinct trained losses, best first. */
export function bestCandidates(state: SearchState, k = 10): Candidate[] {
  return state.archive
    .filter((c) => c.verdict === 'trained')
    .sort((a, b) => b.fitness! - a.fitness!)
    .slice(0, k);
}
