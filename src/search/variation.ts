/**
 * Crossover and mutations on flat genomes. Each returns a new genome (never
 * edits its input) and takes the Rng it draws from.
 */
import { generate } from './generate.js';
import { arity, subtreeEnd, type Gene, type Genome } from './genome.js';
import type { PrimitiveSet } from './primitives.js';
import type { SeededRng as Rng } from '../util/rng.js';

/** How often each mutation is chosen, relative to the others. */
export interface MutationWeights {
  /** Replace a random subtree by a new random one (DEAP mutUniform). */
  readonly subtree: number;
  /** Swap one operator for another of the same arity, or one terminal for another. */
  readonly point: number;
  /** Wrap a subtree in a new unary operator. */
  readonly insert: number;
  /** Replace a subtree by one of its own subtrees (makes trees smaller). */
  readonly shrink: number;
}

const DEFAULT_MUTATION_WEIGHTS: MutationWeights = { subtree: 3, point: 3, insert: 1, shrink: 1 };

function splice(g: Genome, start: number, end: number, part: Genome): Gene[] {
  return [...g.slice(0, start), ...part, ...g.slice(end)];
}

/** One-point subtree crossover: the children swap a random subtree each. */
export function crossover(a: Genome, b: Genome, rng: Rng): [Gene[], Gene[]] {
  const i = rng.int(a.length);
  const j = rng.int(b.length);
  const ai = subtreeEnd(a, i);
  const bj = subtreeEnd(b, j);
  return [splice(a, i, ai, b.slice(j, bj)), splice(b, j, bj, a.slice(i, ai))];
}

export function mutate(g: Genome, pset: PrimitiveSet, rng: Rng, weights: MutationWeights = DEFAULT_MUTATION_WEIGHTS): Gene[] {
  const kinds = (Object.keys(weights) as (keyof MutationWeights)[]).filter((k) => weights[k] > 0);
  const kind = rng.weighted(kinds, (k) => weights[k]);
  const i = rng.int(g.length);
  const end = subtreeEnd(g, i);
  switch (kind) {
    case 'subtree':
      return splice(g, i, end, generate(pset, rng, 0, 2, 'grow'));
    case 'point': {
      const gene = g[i]!;
      const a = arity(gene);
      const choices: Gene[] = a === 0 ? [...pset.terminals] : pset.ops.filter((o) => o.arity === a).map((o) => ({ kind: 'op', op: o.name }));
      return splice(g, i, i + 1, [rng.pick(choices)]);
    }
    case 'insert': {
      const unary = pset.ops.filter((o) => o.arity === 1);
      return splice(g, i, i, [{ kind: 'op', op: rng.pick(unary).name }]);
    }
    case 'shrink': {
      if (end - i === 1) return [...g];
      const k = i + 1 + rng.int(end - i - 1);
      return splice(g, i, end, g.slice(k, subtreeEnd(g, k)));
    }
  }
}
