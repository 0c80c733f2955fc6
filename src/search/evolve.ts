/**
 * The convergence-simulation driven evolutionary search (CSE-Autoloss):
 * a population of random loss trees evolves by tournament selection,
 * subtree crossover and mutation; every new candidate goes through the
 * filter of `evaluate-candidate.ts`. The search state after each generation
 * is a plain JSON object, so a search can stop and resume exactly.
 */
import type { Domain } from '../symbolic/domains.js';
import { evaluateCandidate, type CandidateResult, type FilterOptions, type Outcome } from './evaluate-candidate.js';
import { generate } from './generate.js';
import { fromTree, toTree, type Gene } from './genome.js';
import { primitiveSet } from './primitives.js';
import { SeededRng as Rng } from '../util/rng.js';
import { crossover, mutate } from './variation.js';
import { parse } from '../symbolic/parse/index.js';
import { BUILTIN_LOSSES } from '../symbolic/builtins.js';

export interface SearchOptions extends FilterOptions {
  readonly domain: Domain;
  readonly population: number;
  readonly generations: number;
  readonly seed: number;
  readonly tournament: number;
  readonly elite: number;
  readonly crossoverRate: number;
  readonly mutationRate: number;
  /** Depth range of the initial random trees. */
  readonly initDepth: readonly [number, number];
  /** Start from the domain's built-in losses (published and baselines) besides random trees. */
  readonly seedBuiltins: boolean;
}

export const DEFAULT_SEARCH: Omit<SearchOptions, 'domain'> = {
  population: 64,
  generations: 8,
  seed: 1,
  tournament: 3,
  elite: 2,
  crossoverRate: 0.6,
  mutationRate: 0.5,
  initDepth: [2, 4],
  seedBuiltins: false,
  maxSize: 31,
  maxDepth: 8,
  numRuns: 100,
  simulationSteps: 100,
};

export interface GenerationStats {
  readonly generation: number;
  readonly evaluated: number;
  readonly outcomes: Readonly<Record<Outcome, number>>;
  /** Best fitness so far (graded: negative while no candidate passes). */
  readonly bestFitness: number;
  readonly best?: string;
}

export interface SearchState {
  readonly version: 1;
  readonly options: SearchOptions;
  /** Generations finished. */
  readonly generation: number;
  readonly rngState: number;
  /** Current population, as prefix strings with their results. */
  readonly population: readonly CandidateResult[];
  /** Every distinct loss seen, by normal-form key. */
  readonly archive: readonly CandidateResult[];
  readonly history: readonly GenerationStats[];
}

export interface SearchHooks {
  /** After each candidate: done and total for this generation. */
  readonly onCandidate?: (done: number, total: number, generation: number) => void;
  /** After each generation, with the state to checkpoint. */
  readonly onGeneration?: (state: SearchState) => void;
}

const emptyOutcomes = (): Record<Outcome, number> => ({ 'too-large': 0, duplicate: 0, property: 0, simulation: 0, pass: 0 });

function evaluateAll(genomes: Gene[][], o: SearchOptions, archive: Map<string, CandidateResult>, rng: Rng, gen: number, hooks: SearchHooks): { results: CandidateResult[]; outcomes: Record<Outcome, number> } {
  const outcomes = emptyOutcomes();
  const results = genomes.map((g, k) => {
    const r = evaluateCandidate(toTree(g), o.domain, archive, o, rng.fork());
    if (!archive.has(r.key) && r.outcome !== 'too-large') archive.set(r.key, r);
    outcomes[r.outcome]++;
    hooks.onCandidate?.(k + 1, genomes.length, gen);
    return r;
  });
  return { results, outcomes };
}

function select(pop: readonly CandidateResult[], rng: Rng, k: number): CandidateResult {
  let best = rng.pick(pop);
  for (let i = 1; i < k; i++) {
    const c = rng.pick(pop);
    if (c.fitness > best.fitness) best = c;
  }
  return best;
}

function genomeOf(r: CandidateResult, domain: Domain): Gene[] {
  return fromTree(parse(r.prefix, { domain }).tree);
}

function stats(generation: number, evaluated: number, outcomes: Record<Outcome, number>, archive: Map<string, CandidateResult>): GenerationStats {
  let best: CandidateResult | undefined;
  for (const r of archive.values()) if (!best || r.fitness > best.fitness) best = r;
  return { generation, evaluated, outcomes, bestFitness: best?.fitness ?? -Infinity, ...(best ? { best: best.prefix } : {}) };
}

/** A fresh search state: the random initial population, evaluated (generation 0). */
export function initialState(o: SearchOptions, hooks: SearchHooks = {}): SearchState {
  const rng = new Rng(o.seed);
  const pset = primitiveSet(o.domain);
  const seeds = o.seedBuiltins ? BUILTIN_LOSSES.filter((b) => b.domain === o.domain).map((b) => fromTree(parse(b.prefix, { domain: b.domain }).tree)) : [];
  const genomes = [...seeds.slice(0, o.population)];
  while (genomes.length < o.population) genomes.push(generate(pset, rng, o.initDepth[0], o.initDepth[1], 'half'));
  const archive = new Map<string, CandidateResult>();
  const { results, outcomes } = evaluateAll(genomes, o, archive, rng, 0, hooks);
  const state: SearchState = {
    version: 1,
    options: o,
    generation: 0,
    rngState: rng.state,
    population: results,
    archive: [...archive.values()],
    history: [stats(0, genomes.length, outcomes, archive)],
  };
  hooks.onGeneration?.(state);
  return state;
}

/** One generation: elites survive, the rest are offspring of tournament winners. */
export function nextGeneration(state: SearchState, hooks: SearchHooks = {}): SearchState {
  const o = state.options;
  const rng = Rng.fromState(state.rngState);
  const pset = primitiveSet(o.domain);
  const archive = new Map(state.archive.map((r) => [r.key, r]));
  const sorted = [...state.population].sort((a, b) => b.fitness - a.fitness);
  const elites = sorted.slice(0, o.elite).filter((r) => r.fitness > -Infinity);
  const children: Gene[][] = [];
  while (children.length < o.population - elites.length) {
    let a = genomeOf(select(state.population, rng, o.tournament), o.domain);
    let b = genomeOf(select(state.population, rng, o.tournament), o.domain);
    if (rng.next() < o.crossoverRate) [a, b] = crossover(a, b, rng);
    if (rng.next() < o.mutationRate) a = mutate(a, pset, rng);
    if (rng.next() < o.mutationRate) b = mutate(b, pset, rng);
    children.push(a);
    if (children.length < o.population - elites.length) children.push(b);
  }
  const gen = state.generation + 1;
  const { results, outcomes } = evaluateAll(children, o, archive, rng, gen, hooks);
  const next: SearchState = {
    ...state,
    generation: gen,
    rngState: rng.state,
    population: [...elites, ...results],
    archive: [...archive.values()],
    history: [...state.history, stats(gen, children.length, outcomes, archive)],
  };
  hooks.onGeneration?.(next);
  return next;
}

/** Runs (or continues) a search up to `options.generations`. */
export function runSearch(start: SearchState | SearchOptions, hooks: SearchHooks = {}): SearchState {
  let state = 'version' in start ? start : initialState(start, hooks);
  while (state.generation < state.options.generations) state = nextGeneration(state, hooks);
  return state;
}

/** The best distinct passing losses found, best first. */
export function bestCandidates(state: SearchState, k = 10): CandidateResult[] {
  return state.archive.filter((r) => r.outcome === 'pass').sort((a, b) => b.fitness - a.fitness).slice(0, k);
}
