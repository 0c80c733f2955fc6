/**
 * Random genomes: DEAP's full, grow and ramped half-and-half, all through one
 * `generate` with a stopping condition.
 */
import type { Gene } from './genome.js';
import type { PrimitiveSet } from './primitives.js';
import type { SeededRng as Rng } from '../util/rng.js';

export type Method = 'full' | 'grow' | 'half';

/**
 * A random genome whose depth lies in [minDepth, maxDepth].
 *
 * @example
 * generate(primitiveSet('reg'), new Rng(1), 2, 4, 'half')
 */
export function generate(pset: PrimitiveSet, rng: Rng, minDepth: number, maxDepth: number, method: Method = 'half'): Gene[] {
  const height = minDepth + rng.int(maxDepth - minDepth + 1);
  const full = method === 'full' || (method === 'half' && rng.next() < 0.5);
  // Grow stops at a terminal with the probability DEAP uses: terminals / all primitives.
  const pTerminal = pset.terminals.length / (pset.terminals.length + pset.ops.length);
  const stop = (depth: number): boolean => depth === height || (!full && depth >= minDepth && rng.next() < pTerminal);
  const out: Gene[] = [];
  const go = (depth: number): void => {
    if (stop(depth)) {
      out.push(rng.pick(pset.terminals));
      return;
    }
    const o = rng.weighted(pset.ops, (s) => s.weight);
    out.push({ kind: 'op', op: o.name });
    for (let k = 0; k < o.arity; k++) go(depth + 1);
  };
  go(0);
  return out;
}
